from .slotcon import SlotCon, align_to_overlap

__all__ = ['SlotCon', 'align_to_overlap']
