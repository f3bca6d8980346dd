"""The record of a pre-training method: one :class:`MethodSpec` per method, read by everyone.

Each method of the plugin registers one record next to its model (``ORL``, ``SCRL`` and
``SlotCon`` in their algorithm files; ``BYOL`` beside its parameter-only-EMA subclass of
mmpretrain's BYOL; ``DenseCL``, whose model mmpretrain provides, and the random baseline,
which has none, in ``orl_mm/models/algorithms/`` files of their own). The checkpoint loader,
the transfer initialiser, the comparison pipeline, its report and the tests read the record
instead of keeping their own tables, so a new method is its model file, its configs and its
record, plus the line that imports the record.

This module depends on nothing else of the package.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

__all__ = [
    'MethodSpec', 'FigureSpec', 'register_method', 'get_method', 'registered_methods',
    'method_of_algorithm', 'method_of_state_dict', 'DEFAULT_PREFIXES', 'WEIGHTS'
]

#: Names of the two backbones a self-supervised checkpoint holds.
WEIGHTS = ('online', 'target')

#: Checkpoint prefix of each backbone under mmpretrain's BYOL convention
#: (``backbone.*`` trained by gradient; ``target_net.module.0.*`` the EMA target/teacher,
#: from ``CosineEMA(nn.Sequential(backbone, neck))``).
DEFAULT_PREFIXES: Mapping[str, str] = {'online': 'backbone.', 'target': 'target_net.module.0.'}


@dataclass(frozen=True)
class FigureSpec:
    """The method's own figure in the comparison report.

    Attributes:
        key: Figure key (file stem under ``report/`` and key of ``report.json``).
        title: Its caption in the report.
        function: Dotted path ``module:function`` of the visualisation function that draws
            it from the method's run.
    """
    key: str
    title: str
    function: str


@dataclass(frozen=True)
class MethodSpec:
    """Everything the rest of the plugin needs to know about one pre-training method.

    Attributes:
        name: Lower-case name used on command lines and in work dirs (``orl``).
        label: Name in figures and tables (``ORL``).
        algorithm: ``model.type`` of its configs and checkpoints (``ORL``; ``None`` for a
            method without training, the random baseline).
        paper: Short citation (``Xie et al., NeurIPS 2021``).
        transfer: The backbone its paper transfers (``'online'`` or ``'target'``).
        transfer_source: Where the reference code shows that choice (for messages).
        prefixes: State-dict prefix of each backbone in its checkpoints.
        signature_keys: State-dict prefixes only this algorithm has (recognises a
            checkpoint saved without its config).
        loss_terms: Logged loss terms besides the total ``loss``.
        loss_note: How its logged loss is scaled, when that differs from the others (the
            loss figure prints it).
        tiny_config: Tiny CPU config, relative to ``configs/``.
        paper_configs: Paper-scale configs, relative to ``configs/``.
        starts_from: Name of the method whose trained checkpoint this one needs first
            (ORL: ``byol``, its stage 1).
        needs_stage2: Whether it needs ORL's correspondence discovery between.
        figure: Its own figure in the report, if any.
        algorithm_aliases: Other model types that wrote its checkpoints (BYOL: ``BYOL``,
            mmpretrain's class, before ``BYOLParamEMA``).
    """
    name: str
    label: str
    algorithm: Optional[str]
    paper: str
    transfer: str = 'online'
    transfer_source: str = ''
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES))
    signature_keys: Tuple[str, ...] = ()
    loss_terms: Tuple[str, ...] = ()
    loss_note: str = ''
    tiny_config: Optional[str] = None
    paper_configs: Tuple[str, ...] = ()
    starts_from: Optional[str] = None
    needs_stage2: bool = False
    figure: Optional[FigureSpec] = None
    algorithm_aliases: Tuple[str, ...] = ()

    def __post_init__(self):
        if self.transfer not in WEIGHTS:
            raise ValueError(f'method {self.name}: transfer must be one of {list(WEIGHTS)}, '
                             f'not {self.transfer!r}')
        if set(self.prefixes) != set(WEIGHTS):
            raise ValueError(f'method {self.name}: prefixes must name exactly {list(WEIGHTS)}')

    @property
    def trains(self) -> bool:
        """Whether the method has a training run (every method but the random baseline)."""
        return self.algorithm is not None

    def prefix(self, weights: str) -> str:
        """The state-dict prefix of ``weights`` (``'online'``/``'target'``)."""
        if weights not in self.prefixes:
            raise ValueError(f'weights must be one of {list(WEIGHTS)}, got {weights!r}')
        return self.prefixes[weights]

    def config_path(self, config: Optional[str] = None) -> Optional[str]:
        """Absolute path of ``config`` (default: the tiny config), relative to ``configs/``.

        Looks in the clone's ``configs/`` and, for an installed package, in
        ``orl_mm/.mim/configs`` (what mim reads).
        """
        config = config or self.tiny_config
        if config is None:
            return None
        return osp.join(configs_root(), config)


def configs_root() -> str:
    """The ``configs/`` folder: the clone's, else the installed package's ``.mim/configs``."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for candidate in (osp.join(osp.dirname(package), 'configs'),
                      osp.join(package, '.mim', 'configs')):
        if osp.isdir(candidate):
            return candidate
    raise FileNotFoundError(
        f'no configs folder next to the package ({osp.dirname(package)}/configs) nor in '
        f'{package}/.mim/configs: reinstall orl_mm (pip install ., or pip install -e . in '
        f'a clone)')


_METHODS: Dict[str, MethodSpec] = {}


def register_method(spec: MethodSpec) -> MethodSpec:
    """Add a method record (in import order, which is the order of tables and figures).

    Raises:
        ValueError: If another record already has its name or algorithm.
    """
    if spec.name in _METHODS and _METHODS[spec.name] != spec:
        raise ValueError(f'a method named {spec.name!r} is already registered')
    for other in _METHODS.values():
        if other.name != spec.name and spec.algorithm and other.algorithm == spec.algorithm:
            raise ValueError(f'algorithm {spec.algorithm!r} already has the record '
                             f'{other.name!r}')
    _METHODS[spec.name] = spec
    return spec


def registered_methods() -> List[MethodSpec]:
    """All method records, in registration order."""
    return list(_METHODS.values())


def get_method(name: str) -> MethodSpec:
    """The record named ``name`` (``orl``, ``slotcon``...).

    Raises:
        KeyError: For an unknown name, listing the known ones.
    """
    if name not in _METHODS:
        raise KeyError(f'unknown method {name!r}; the known methods are {list(_METHODS)}')
    return _METHODS[name]


def method_of_algorithm(algorithm: Optional[str]) -> Optional[MethodSpec]:
    """The record whose ``algorithm`` (model type, or one of its aliases) is
    ``algorithm``, or None."""
    for spec in _METHODS.values():
        if algorithm is not None and algorithm in (spec.algorithm, *spec.algorithm_aliases):
            return spec
    return None


def method_of_state_dict(keys) -> Optional[MethodSpec]:
    """The record whose signature keys occur in a state dict's keys, or None."""
    keys = [k for k in keys if isinstance(k, str)]
    for spec in _METHODS.values():
        if any(k.startswith(p) for p in spec.signature_keys for k in keys):
            return spec
    return None
