"""Self-supervised algorithms of orl_mm, registered in mmpretrain's MODELS."""
from .orl import ORL
from .scrl import SCRL
from .slotcon import SlotCon, align_to_overlap

__all__ = ['ORL', 'SCRL', 'SlotCon', 'align_to_overlap']
