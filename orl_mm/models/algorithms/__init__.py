from .scrl import SCRL
from .slotcon import SlotCon, align_to_overlap

__all__ = ['SCRL', 'SlotCon', 'align_to_overlap']
