"""Losses of orl_mm, registered in mmpretrain's MODELS."""
from .byol_loss import BYOLLoss, SymmetricBYOLLoss, byol_distance

__all__ = ['BYOLLoss', 'SymmetricBYOLLoss', 'byol_distance']
