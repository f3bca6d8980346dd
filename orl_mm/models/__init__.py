"""Models of orl_mm (algorithms, losses, necks), registered in mmpretrain's MODELS."""
from . import algorithms, data_preprocessors, losses, necks, utils  # noqa: F401
from .algorithms import ORL, SCRL, SlotCon  # noqa: F401
from .losses import BYOLLoss  # noqa: F401

__all__ = ['algorithms', 'data_preprocessors', 'losses', 'necks', 'utils', 'ORL', 'SCRL',
           'SlotCon', 'BYOLLoss']
