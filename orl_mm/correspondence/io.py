"""Former home of the correspondence file format, kept for existing imports.

The format lives in :mod:`orl_mm.structures.correspondence` and the generic atomic writers
in :mod:`orl_mm.utils.io`; import them from there.
"""
from orl_mm.structures.correspondence import (DEFAULT_INFO, Correspondence,  # noqa: F401
                                              CorrespondenceError, load_correspondence,
                                              save_correspondence)
from orl_mm.utils.io import atomic_save_npy, atomic_write_json, read_json  # noqa: F401
