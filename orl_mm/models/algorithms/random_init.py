"""The random-initialisation baseline: no training, the same evaluation and figures."""
from ...structures.method import MethodSpec, register_method

#: The baseline's record (see :mod:`orl_mm.structures.method`).
RANDOM_METHOD = register_method(MethodSpec(
    name='random', label='random init', algorithm=None, paper='no pre-training'))
