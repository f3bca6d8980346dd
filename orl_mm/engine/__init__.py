"""Training-loop components of orl_mm (optimisers, lr schedulers), registered in
mmpretrain's registries."""
from . import optimizers, schedulers  # noqa: F401  (registration)
from .optimizers import LARSSGD
from .schedulers import EpochCosineWarmupLR

__all__ = ['optimizers', 'schedulers', 'LARSSGD', 'EpochCosineWarmupLR']
