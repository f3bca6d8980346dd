from .grouping_distillation import GroupingDistillationLoss
from .slot_contrastive import SlotContrastiveLoss, slot_valid_mask

__all__ = ['GroupingDistillationLoss', 'SlotContrastiveLoss', 'slot_valid_mask']
