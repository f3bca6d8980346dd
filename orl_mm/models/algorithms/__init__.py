"""Self-supervised algorithms of orl_mm, registered in mmpretrain's MODELS, and the record
of every method (:mod:`orl_mm.structures.method`), in the order of tables and figures."""
from .byol import BYOL_METHOD, BYOLParamEMA
from .orl import ORL, ORL_METHOD
from .scrl import SCRL, SCRL_METHOD
from .slotcon import SLOTCON_METHOD, SlotCon, align_to_overlap
from .densecl import DENSECL_METHOD  # noqa: I001  (order of tables and figures)
from .random_init import RANDOM_METHOD  # noqa: I001  (the baseline comes last)

__all__ = ['BYOLParamEMA', 'ORL', 'SCRL', 'SlotCon', 'align_to_overlap', 'BYOL_METHOD',
           'ORL_METHOD',
           'SCRL_METHOD', 'SLOTCON_METHOD', 'DENSECL_METHOD', 'RANDOM_METHOD']
