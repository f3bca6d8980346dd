"""What every importer of a reference checkpoint shares: key mapping, checks and the writer.

An importer reads the file a reference code base saves, flattens it to one dict of the
reference's own state-dict names (:meth:`OfficialImporter.read`) and describes it as a
:class:`Layout`: parts, each a reference prefix that becomes one of our prefixes
(``online_net.0.`` -> ``backbone.``), with the renames inside it (SCRL's
``encoder.4.`` -> ``layer1.``). :func:`convert` maps every key, builds our model from the
paper config to know what it must hold, and refuses the file, naming the keys, when a key
has no place in our model (unknown), when a part that is there lacks a key (missing), or
when a shape differs. Parts a file does not have at all (a backbone-only file has no
projector) are allowed when the layout says so and listed in the result.
"""
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch

__all__ = ['OfficialCheckpointError', 'Part', 'Layout', 'Converted', 'OfficialImporter',
           'map_keys', 'load_config', 'convert', 'mlp_renames']

#: How many names an error message lists (then it says how many more there are).
SHOWN = 12


def _names(keys: Sequence[str]) -> str:
    keys = list(keys)
    shown = ', '.join(keys[:SHOWN])
    return shown + (f' and {len(keys) - SHOWN} more' if len(keys) > SHOWN else '')


class OfficialCheckpointError(ValueError):
    """A reference checkpoint that does not have the layout its importer knows.

    Attributes:
        unknown: Reference keys (or top-level entries) with no place in our model.
        missing: Reference keys the file should hold but lacks.
    """

    def __init__(self, message: str, unknown: Sequence[str] = (),
                 missing: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.unknown = list(unknown)
        self.missing = list(missing)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Part:
    """One part of a reference state dict and where it goes in ours.

    Attributes:
        src: The reference's prefix (ending in ``.``), or one exact key.
        dst: Our prefix (or exact key).
        what: The part in words (``'online backbone'``).
        renames: ``(reference sub-prefix, our sub-prefix)`` pairs inside the part; when
            given, every key of the part must start with one of them.
    """
    src: str
    dst: str
    what: str
    renames: Tuple[Tuple[str, str], ...] = ()

    def matches(self, key: str) -> bool:
        return key.startswith(self.src) if self.src.endswith('.') or not self.src \
            else key == self.src

    def forward(self, key: str) -> Optional[str]:
        """Our name of the reference ``key`` (which :meth:`matches`), None if unmapped."""
        rest = key[len(self.src):]
        if not self.renames:
            return self.dst + rest
        for old, new in self.renames:
            if rest.startswith(old):
                return self.dst + new + rest[len(old):]
        return None

    def inverse(self, key: str) -> str:
        """The reference's name of our ``key`` (under :attr:`dst`)."""
        rest = key[len(self.dst):]
        for old, new in self.renames:
            if rest.startswith(new):
                return self.src + old + rest[len(new):]
        return self.src + rest

    def owns(self, key: str) -> bool:
        """Whether our ``key`` belongs to this part."""
        return key.startswith(self.dst) if self.dst.endswith('.') else key == self.dst


@dataclass(frozen=True)
class Layout:
    """The parts of one kind of reference file.

    Attributes:
        name: The file in words (``'OpenSelfSup training checkpoint'``).
        parts: Its parts.
        required: ``what`` of the parts every such file has (the others may be absent).
        model_parts: The parts of the reference's whole model, to name what a partial
            layout (a backbone-only file) lacks; default: :attr:`parts`.
    """
    name: str
    parts: Tuple[Part, ...]
    required: Tuple[str, ...]
    model_parts: Tuple[Part, ...] = ()


@dataclass
class Converted:
    """A reference checkpoint in our layout.

    Attributes:
        state_dict: Our state dict (in our model's key order).
        layout: :attr:`Layout.name` of the file.
        present: ``what`` of the parts the file had.
        absent: ``what`` of our model's parts the file lacks (empty: the full model).
        dropped: Entries of the file that are no part of our model (optimiser state...).
        notes: How values were changed on the way, if at all.
        config: The config text of our model that holds the weights.
    """
    state_dict: 'OrderedDict[str, torch.Tensor]'
    layout: str
    present: List[str]
    absent: List[str]
    dropped: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    config: str = ''


class OfficialImporter:
    """One reference code base's files. Subclasses set the attributes and :meth:`read`.

    Attributes:
        method: Our method name (``'orl'``), as its record (:mod:`orl_mm.structures.method`).
        reference: The reference repository (``'Jiahao000/ORL'``).
        default_config: Our config, relative to ``configs/``, whose model holds the released
            weights.
    """
    method: str = ''
    reference: str = ''
    default_config: str = ''

    def read(self, checkpoint: Mapping, bare_weights: Optional[str] = None
             ) -> Tuple[Dict[str, torch.Tensor], Layout, List[str], List[str]]:
        """Flatten a loaded reference file to its own state-dict names.

        Args:
            checkpoint: What ``torch.load`` returned.
            bare_weights: For a backbone-only file: which of our backbones it holds
                (``'online'``/``'target'``; None: what the reference's export keeps).

        Returns:
            ``(flat, layout, dropped, notes)``.

        Raises:
            OfficialCheckpointError: On a top level the reference does not write.
        """
        raise NotImplementedError

    def adjust_config(self, cfg, flat: Mapping[str, torch.Tensor]) -> List[str]:
        """Set the config's sizes that the file fixes (SlotCon's prototypes); notes."""
        return []


def mlp_renames(indices: Sequence[int], names: Sequence[str]) -> Tuple[Tuple[str, str], ...]:
    """``nn.Sequential`` indices -> named layers (``mlp.0.`` -> ``mlp.fc0.``)."""
    return tuple((f'{i}.', f'{n}.') for i, n in zip(indices, names))


def map_keys(flat: Mapping[str, torch.Tensor], parts: Sequence[Part]
             ) -> Tuple['OrderedDict[str, Tuple[str, torch.Tensor]]', List[str]]:
    """Our name of every reference key.

    Returns:
        ``(mapped, unknown)``: ``{our key: (reference key, tensor)}`` and the reference keys
        no part maps.
    """
    by_length = sorted(parts, key=lambda p: -len(p.src))
    mapped: 'OrderedDict[str, Tuple[str, torch.Tensor]]' = OrderedDict()
    unknown = []
    for key, value in flat.items():
        part = next((p for p in by_length if p.matches(key)), None)
        ours = part.forward(key) if part is not None else None
        if ours is None:
            unknown.append(key)
        else:
            mapped[ours] = (key, value)
    return mapped, unknown


def load_config(config: str):
    """The mmengine config ``config`` (a path, or relative to ``configs/``)."""
    from mmengine.config import Config

    from ...structures.method import configs_root

    path = config if osp.isfile(config) else osp.join(configs_root(), config)
    if not osp.isfile(path):
        raise FileNotFoundError(f'config not found: {config}')
    cfg = Config.fromfile(path)
    return cfg


def _check_keys(importer: OfficialImporter, layout: Layout, present: List[Part],
                mapped: Dict[str, tuple], unknown: List[str], own: Mapping) -> None:
    """Raise unless every mapped key has a place of the same shape in our model and every
    key of a present (or required) part is mapped.

    Args:
        importer: The reference's importer (for its name).
        layout: The file's layout.
        present: The layout's parts that the file holds.
        mapped: Our key -> (the reference's key, tensor).
        unknown: The reference's keys that no part maps.
        own: Our model's state dict.

    Raises:
        OfficialCheckpointError: Naming the unknown and missing keys and the shape
            mismatches.
    """
    missing = [p.inverse(k) for p in layout.parts if p in present or p.what in layout.required
               for k in own if p.owns(k) and k not in mapped]
    unknown = unknown + [src for ours, (src, _) in mapped.items() if ours not in own]
    shapes = [f'{src} {tuple(v.shape)} (ours {ours}: {tuple(own[ours].shape)})'
              for ours, (src, v) in mapped.items()
              if ours in own and tuple(v.shape) != tuple(own[ours].shape)]
    if not (unknown or missing or shapes):
        return
    problems = []
    if unknown:
        problems.append(f'{len(unknown)} unknown keys (no place in our model): '
                        f'{_names(unknown)}')
    if missing:
        problems.append(f'{len(missing)} missing keys: {_names(missing)}')
    if shapes:
        problems.append(f'{len(shapes)} shapes that differ: {_names(shapes)}')
    raise OfficialCheckpointError(
        f'not a {importer.reference} {layout.name} as its code writes it: '
        + '; '.join(problems) + '. Nothing was written.', unknown=unknown, missing=missing)


def _absent_parts(layout: Layout, state: Mapping, own: Mapping) -> List[str]:
    """What the file lacks, named by the reference's whole model; then our modules that no
    reference part maps (none for the paper configs)."""
    naming = layout.model_parts or layout.parts
    absent = [p.what for p in naming if not any(p.owns(k) for k in state)]
    left = sorted({k.split('.', 1)[0] + '.*' for k in own if k != 'target_net.steps'
                   and not any(p.owns(k) for p in naming)})
    return absent + [f'{name} (no counterpart in the reference)' for name in left]


def convert(checkpoint: Mapping, importer: OfficialImporter, config: Optional[str] = None,
            bare_weights: Optional[str] = None) -> Converted:
    """A loaded reference file as our state dict, every key mapped and checked.

    Args:
        checkpoint: What ``torch.load`` returned for the reference's file.
        importer: The reference's importer.
        config: Our config whose model takes the weights (default: the importer's).
        bare_weights: See :meth:`OfficialImporter.read`.

    Raises:
        OfficialCheckpointError: Naming the unknown and missing keys and the shape
            mismatches.
    """
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    if not isinstance(checkpoint, Mapping):
        raise OfficialCheckpointError(
            f'a {importer.reference} checkpoint is a dict; this file holds a '
            f'{type(checkpoint).__name__}')
    flat, layout, dropped, notes = importer.read(checkpoint, bare_weights)
    mapped, unknown = map_keys(flat, layout.parts)

    cfg = load_config(config or importer.default_config)
    notes = list(notes) + importer.adjust_config(cfg, flat)
    init_default_scope('mmpretrain')
    own = MODELS.build(cfg.model).state_dict()

    present = [p for p in layout.parts if any(p.owns(k) for k in mapped)]
    _check_keys(importer, layout, present, mapped, unknown, own)

    state = OrderedDict((k, mapped[k][1]) for k in own if k in mapped)
    if 'target_net.steps' in own and any(k.startswith('target_net.module.') for k in state):
        # 1, not 0: the next EMA update averages instead of copying the student over the
        # released teacher; the momentum schedule starts over, as ``load_from`` does the lr
        state['target_net.steps'] = torch.ones_like(own['target_net.steps'])
    return Converted(state_dict=state, layout=layout.name, present=[p.what for p in present],
                     absent=_absent_parts(layout, state, own), dropped=list(dropped), notes=notes,
                     config=cfg.pretty_text)
