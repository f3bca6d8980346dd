"""Test helpers of orl_mm (fixtures and CLI runners; not part of the algorithms)."""
from .cli import logged_values, run_tool
from .correspondence_fixture import build_fixture_correspondence, sliding_window_boxes
from .distributed import run_gloo_processes, train_step_without_valid_items
from .images import smooth_image

__all__ = [
    'build_fixture_correspondence', 'logged_values', 'run_gloo_processes', 'run_tool',
    'sliding_window_boxes', 'smooth_image', 'train_step_without_valid_items'
]
