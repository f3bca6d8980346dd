"""Self-supervised algorithms of orl_mm, registered in mmpretrain's MODELS, and the record
of every method (:mod:`orl_mm.structures.method`), in the order of tables and figures."""
# importing a module registers its method record; read the records with get_method
# the import order is the order of the records in tables and figures
# isort: off
from .byol import BYOLParamEMA
from .orl import ORL
from .scrl import SCRL
from .slotcon import SlotCon, align_to_overlap
from . import densecl  # noqa: F401
from . import random_init  # noqa: F401  (the baseline comes last)
# isort: on

__all__ = ['BYOLParamEMA', 'ORL', 'SCRL', 'SlotCon', 'align_to_overlap']
