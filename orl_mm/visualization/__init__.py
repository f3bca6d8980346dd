"""Figures of orl_mm: mined correspondence pairs (ORL Fig. 3), attention maps (ORL Fig. 4),
SCRL's box pairs in two views, SlotCon's prototype assignment maps, training-loss curves."""
from .attention import attention_map, attention_overlay, attention_sheet
from .losses import plot_loss_curves, read_scalars, training_throughput
from .pairs import draw_pair_sheet, top_pairs

__all__ = [
    'attention_map', 'attention_overlay', 'attention_sheet', 'draw_pair_sheet', 'top_pairs',
    'plot_loss_curves', 'read_scalars', 'training_throughput'
]
