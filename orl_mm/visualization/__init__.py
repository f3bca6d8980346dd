"""Figures: the mined correspondence pairs of ORL stage 2."""
from .pairs import draw_pair_sheet, top_pairs

__all__ = ['draw_pair_sheet', 'top_pairs']
