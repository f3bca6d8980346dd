"""Optimisers of orl_mm, registered in mmpretrain's OPTIMIZERS."""
from .lars import LARSSGD

__all__ = ['LARSSGD']
