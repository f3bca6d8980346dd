"""Training-loop components of orl_mm (optimisers, lr schedulers, hooks), registered in
mmpretrain's registries (hooks: mmengine's root ``HOOKS``)."""
from . import hooks, optimizers, schedulers  # noqa: F401  (registration)
from .hooks import EMAPerOptimStepHook
from .optimizers import LARSSGD
from .schedulers import EpochCosineWarmupLR

__all__ = ['hooks', 'optimizers', 'schedulers', 'EMAPerOptimStepHook', 'LARSSGD',
           'EpochCosineWarmupLR']
