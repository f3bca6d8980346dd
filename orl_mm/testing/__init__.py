"""Test helpers of orl_mm (fixtures and CLI runners; not part of the algorithms)."""
from .cli import logged_values, run_tool
from .configs import SIZE, pipeline_difference, size_free_pipeline, train_pipelines
from .correspondence_fixture import build_fixture_correspondence, sliding_window_boxes
from .distributed import run_gloo_processes, train_step_without_valid_items
from .images import smooth_image

__all__ = [
    'SIZE', 'build_fixture_correspondence', 'logged_values', 'pipeline_difference',
    'run_gloo_processes', 'run_tool', 'size_free_pipeline', 'sliding_window_boxes',
    'smooth_image', 'train_pipelines', 'train_step_without_valid_items'
]
