"""orl_mm: object-level self-supervised learning (ORL, SCRL, SlotCon) for OpenMMLab.

Importing the package applies the library-version fixes of :mod:`orl_mm.compat` and
registers the plugin's modules in mmpretrain's registries; configs load it with
``custom_imports = dict(imports=['orl_mm'], allow_failed_imports=False)``.
"""
from . import compat
from .version import __version__

compat.apply_all()

from . import datasets, engine, models  # noqa: E402,F401  (registration)
from . import evaluation  # noqa: E402,F401  (PretrainedBackboneCheckHook)

__all__ = ['__version__', 'compat', 'datasets', 'engine', 'models']
