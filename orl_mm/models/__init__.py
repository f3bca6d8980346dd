"""Models of orl_mm (algorithms, losses, necks, heads), registered in mmpretrain's MODELS."""
from . import algorithms, losses  # noqa: F401  (registration)
from .algorithms import ORL  # noqa: F401
from .losses import BYOLLoss, SymmetricBYOLLoss  # noqa: F401
