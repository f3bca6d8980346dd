"""Losses of orl_mm, registered in mmpretrain's MODELS."""
from .byol_loss import BYOLLoss, byol_distance, symmetric_byol_loss
from .grouping_distillation import GroupingDistillationLoss
from .slot_contrastive import SlotContrastiveLoss, slot_valid_mask

__all__ = [
    'BYOLLoss', 'byol_distance', 'symmetric_byol_loss', 'GroupingDistillationLoss',
    'SlotContrastiveLoss', 'slot_valid_mask'
]
