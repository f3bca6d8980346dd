"""Figures of orl_mm: mined correspondence pairs (paper Fig. 3), attention maps (Fig. 4)."""
from .attention import attention_map, attention_sheet, overlay
from .pairs import draw_pair_sheet, top_pairs

__all__ = ['attention_map', 'attention_sheet', 'draw_pair_sheet', 'overlay', 'top_pairs']
