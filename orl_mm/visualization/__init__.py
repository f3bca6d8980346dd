"""Figures of orl_mm: attention maps (paper Fig. 4)."""
from .attention import attention_map, attention_sheet, overlay

__all__ = ['attention_map', 'attention_sheet', 'overlay']
