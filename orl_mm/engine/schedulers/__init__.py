"""Parameter schedulers of orl_mm, registered in mmpretrain's PARAM_SCHEDULERS."""
from .epoch_cosine import EpochCosineWarmupLR

__all__ = ['EpochCosineWarmupLR']
