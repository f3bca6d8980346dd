"""Training-loop components of orl_mm (optimisers), registered in mmpretrain's registries."""
from . import optimizers  # noqa: F401  (registration)
from .optimizers import LARSSGD

__all__ = ['optimizers', 'LARSSGD']
