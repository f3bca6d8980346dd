"""Test fixtures of orl_mm (not part of the algorithms)."""
from .correspondence_fixture import build_fixture_correspondence, sliding_window_boxes

__all__ = ['build_fixture_correspondence', 'sliding_window_boxes']
