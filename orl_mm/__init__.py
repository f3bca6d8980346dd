"""orl_mm: object-level self-supervised learning (ORL, SCRL, SlotCon) for OpenMMLab.

Importing the package applies the library-version fixes of :mod:`orl_mm.compat` and
registers the plugin's modules in mmpretrain's registries; configs load it with
``custom_imports = dict(imports=['orl_mm'], allow_failed_imports=False)``.
"""
from . import compat
from .version import __version__

compat.apply_all()

# registration (evaluation: PretrainedBackboneCheckHook)
from . import datasets, engine, evaluation, models  # noqa: E402,F401

__all__ = ['__version__', 'compat', 'datasets', 'engine', 'models']
