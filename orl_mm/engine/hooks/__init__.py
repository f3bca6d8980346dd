"""Training hooks of orl_mm, registered in mmengine's root ``HOOKS``."""
from .ema_per_step import EMAPerOptimStepHook, accumulative_counts

__all__ = ['EMAPerOptimStepHook', 'accumulative_counts']
