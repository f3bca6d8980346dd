"""Model utilities of orl_mm, registered in mmpretrain's MODELS."""
from .ema import ParameterCosineEMA

__all__ = ['ParameterCosineEMA']
