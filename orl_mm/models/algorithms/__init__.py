"""Self-supervised algorithms of orl_mm, registered in mmpretrain's MODELS."""
from .orl import ORL

__all__ = ['ORL']
