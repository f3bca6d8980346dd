"""The methods the pipeline compares, where its tools and configs are, and how each run is
configured.

The methods are the records of :mod:`orl_mm.structures.method` (one per method, next to its
model), in their registration order: a new method needs no table here. Every method trains
from random initialisation on the same images for the same number of epochs
(``--epochs``); a method that starts from another one's run (ORL from BYOL, its stage 1)
costs both. The transfer weights are the ones each paper transfers (``MethodSpec.transfer``).

Tools and configs are found beside the package: the clone's ``tools/`` and ``configs/``,
or, for an installed wheel, ``orl_mm/.mim/{tools,configs}`` (see ``setup.py``).
"""
import os.path as osp
from collections.abc import Mapping
from typing import Dict, Iterator, List, Sequence

from mmengine.config import Config, DictAction

from orl_mm.structures.method import MethodSpec, configs_root, registered_methods
from orl_mm.utils import load_config


class _Records(Mapping):
    """``name -> MethodSpec`` over the registered records, read at each access (so records
    registered after this module was imported count too)."""

    def _all(self) -> Dict[str, MethodSpec]:
        return {spec.name: spec for spec in registered_methods()}

    def __getitem__(self, name: str) -> MethodSpec:
        records = self._all()
        if name not in records:
            raise KeyError(f'unknown method {name!r}; the known methods are {list(records)}')
        return records[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


#: The compared methods, ``name -> MethodSpec``, in the order of tables and figures.
METHODS: Mapping = _Records()


def package_root() -> str:
    """The folder holding ``configs/`` and ``tools/``: the clone, or the installed
    package's ``.mim``."""
    return osp.dirname(configs_root())


def tool_path(relative: str) -> str:
    """Absolute path of a front door, e.g. ``tools/train.py``.

    Raises:
        FileNotFoundError: If it is neither in the clone nor in the installed ``.mim``.
    """
    path = osp.join(package_root(), relative)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{relative} is not in {package_root()}: reinstall orl_mm '
                                '(its wheel carries the tools under orl_mm/.mim/tools)')
    return path


def config_path(path: str) -> str:
    """A config given on the command line: absolute, else relative to the working
    directory when it exists there, else to the package root (``configs/...``)."""
    if osp.isabs(path):
        return path
    return osp.abspath(path) if osp.isfile(path) else osp.join(package_root(), path)


def parse_methods(names: Sequence[str]) -> List[str]:
    """Validate ``--methods`` and return them in the records' order.

    Raises:
        ValueError: For an unknown name or an empty list.
    """
    unknown = sorted(set(names) - set(METHODS))
    if unknown:
        raise ValueError(f'unknown method(s) {unknown}; choose among {list(METHODS)}')
    if not names:
        raise ValueError('--methods needs at least one method')
    return [m for m in METHODS if m in names]


def trained(methods: Sequence[str]) -> List[str]:
    """The methods with a training run, with the runs they start from (ORL: BYOL's)."""
    out = set()
    for name in methods:
        spec = METHODS[name]
        while spec is not None and spec.trains:
            out.add(spec.name)
            spec = METHODS[spec.starts_from] if spec.starts_from else None
    return [m for m in METHODS if m in out]


def epoch_options(cfg: Config, epochs: int) -> Dict[str, object]:
    """Overrides that train for ``epochs`` with the config's warm-up + cosine schedule.

    Two shapes: ``[warm-up, cosine]`` by epoch (SCRL, SlotCon; the warm-up is kept and the
    cosine fills the remaining epochs) and ``[EpochCosineWarmupLR]`` (ORL and its BYOL,
    DenseCL without warm-up: mmcv's per-epoch cosine over all epochs, with its warm-up if
    any: the cosine spans ``epochs``).

    Raises:
        ValueError: If the schedule has another shape or the warm-up is not shorter.
    """
    if epochs <= 0:
        return {}
    sched = cfg.param_scheduler
    single = (isinstance(sched, (list, tuple)) and len(sched) == 1
              and sched[0].get('type') == 'EpochCosineWarmupLR')
    if not single and (not isinstance(sched, (list, tuple)) or len(sched) != 2
                       or 'T_max' not in sched[1]):
        raise ValueError('--epochs needs a [warm-up, CosineAnnealing*] or '
                         f'[EpochCosineWarmupLR] param_scheduler; got {sched}; pass --epochs 0 '
                         'to keep the config')
    warmup_end = int(sched[0]['warmup_epochs'] if single else sched[0]['end'])
    if epochs <= warmup_end:
        raise ValueError(f'--epochs {epochs} must exceed the warm-up ({warmup_end} epochs)')
    if single:
        return {'train_cfg.max_epochs': epochs, 'param_scheduler.0.end': epochs,
                'param_scheduler.0.T_max': epochs}
    return {'train_cfg.max_epochs': epochs, 'param_scheduler.1.begin': warmup_end,
            'param_scheduler.1.end': epochs, 'param_scheduler.1.T_max': epochs - warmup_end}


def to_cli(options: Dict[str, object]) -> List[str]:
    """``{key: value}`` -> ``['key=value', ...]`` for ``--cfg-options``."""
    return [f'{k}={v}' for k, v in options.items()]


def parse_cli(options: Sequence[str]) -> Dict[str, object]:
    """``['key=value', ...]`` -> the dict mmengine's ``DictAction`` makes of them."""
    parsed: Dict[str, object] = {}
    for item in options:
        key, value = item.split('=', 1)
        parsed[key] = DictAction._parse_iterable(value)
    return parsed


def resolve(config: str, options: Sequence[str]) -> Config:
    """Load a config with ``--cfg-options`` as ``tools/train.py`` will (its ``pretty_text``
    fingerprints the run)."""
    return load_config(config, parse_cli(options))


def final_checkpoint(cfg: Config, work_dir: str) -> str:
    """The checkpoint of the last epoch of a run of ``cfg`` in ``work_dir``."""
    return osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
