"""Models of orl_mm (algorithms, losses, necks, heads), registered in mmpretrain's MODELS."""
from . import algorithms, losses, necks  # noqa: F401

__all__ = ['algorithms', 'losses', 'necks']
