"""Backbone weights of any orl_mm checkpoint, chosen by name (online or target/teacher).

Every pre-training algorithm of the plugin (stage-1 BYOL, ORL, SCRL, SlotCon) saves an
mmengine checkpoint whose ``state_dict`` follows mmpretrain BYOL's convention:

* ``backbone.*``: the online network's backbone (the one trained by gradient);
* ``target_net.module.0.*``: the EMA target / teacher backbone
  (mmpretrain's ``CosineEMA(nn.Sequential(backbone, neck))``).

:func:`load_backbone_state_dict` returns one of the two, with the prefix stripped, in the
key layout of mmpretrain's / mmdet's / torchvision's ResNet (``conv1``, ``bn1``,
``layer{1-4}.{i}.conv{j}``, ``...downsample.{0,1}``), and checks it against the ResNet of the
inferred depth: a checkpoint that does not match fails with the lists of missing and
unexpected keys instead of loading silently half of a network.

Which of the two a tool takes by default is the one the method's paper transfers
(``weights='auto'``), read from the method's record (:mod:`orl_mm.structures.method`):
the online network for BYOL (ORL stage 1), ORL, SCRL and DenseCL, the teacher for SlotCon.
The algorithm is read from the config mmengine saves in the checkpoint (``meta['cfg']``),
else recognised from the state-dict keys.
"""
import os.path as osp
import re
from collections import OrderedDict
from typing import List, Mapping, Optional, Tuple, Union

import torch

from ..structures.method import (DEFAULT_PREFIXES, MethodSpec, method_of_algorithm,
                                 method_of_state_dict)

__all__ = [
    'WEIGHT_PREFIXES', 'checkpoint_method', 'WEIGHT_CHOICES', 'CheckpointMismatchError',
    'read_checkpoint', 'read_state_dict', 'checkpoint_algorithm', 'resolve_weights',
    'select_weights',
    'infer_resnet_depth', 'expected_resnet_keys', 'check_resnet_keys',
    'load_backbone_state_dict', 'build_backbone'
]

#: Prefix of each named set of backbone weights under mmpretrain's BYOL convention; a
#: method whose checkpoints differ says so in its record (``MethodSpec.prefixes``).
WEIGHT_PREFIXES: Mapping[str, str] = DEFAULT_PREFIXES

#: Choices of the tools' ``--weights`` (``auto``: what the checkpoint's method transfers).
WEIGHT_CHOICES = ('auto', ) + tuple(sorted(WEIGHT_PREFIXES))

# (blocks per stage, bottleneck?) -> ResNet depth
_RESNET_DEPTHS = {
    ((2, 2, 2, 2), False): 18,
    ((3, 4, 6, 3), False): 34,
    ((3, 4, 6, 3), True): 50,
    ((3, 4, 23, 3), True): 101,
    ((3, 8, 36, 3), True): 152,
}


class CheckpointMismatchError(KeyError):
    """A checkpoint does not hold the backbone that was asked for.

    Attributes:
        missing: Keys the backbone needs that the checkpoint lacks.
        unexpected: Keys in the checkpoint (under the prefix) the backbone does not have.
    """

    def __init__(self, message: str, missing: Optional[List[str]] = None,
                 unexpected: Optional[List[str]] = None):
        super().__init__(message)
        self.message = message
        self.missing = list(missing or [])
        self.unexpected = list(unexpected or [])

    def __str__(self) -> str:
        return self.message


def read_checkpoint(checkpoint: Union[str, Mapping]) -> Mapping:
    """A checkpoint as a dict, read by mmengine's ``CheckpointLoader`` (on CPU).

    Local paths go through the loader :mod:`orl_mm.compat` registers (mmengine's training
    checkpoints pickle their message hub: trusted files only); ``http(s)://`` and other
    schemes mmengine knows work too.
    """
    if isinstance(checkpoint, str):
        from mmengine.runner import CheckpointLoader
        if '://' not in checkpoint and not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
        checkpoint = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    if not isinstance(checkpoint, Mapping):
        raise TypeError(f'a checkpoint must be a dict, got {type(checkpoint).__name__}')
    return checkpoint


def read_state_dict(checkpoint: Union[str, Mapping]) -> 'OrderedDict[str, torch.Tensor]':
    """The ``state_dict`` of an mmengine checkpoint (a path or an already loaded dict).

    A dict without a ``state_dict`` entry is taken as the state dict itself (e.g. a
    backbone exported by ``tools/model_converters/export_backbone.py``).
    """
    checkpoint = read_checkpoint(checkpoint)
    state = checkpoint.get('state_dict', checkpoint)
    return OrderedDict((k, v) for k, v in state.items() if isinstance(v, torch.Tensor))


def checkpoint_algorithm(checkpoint: Union[str, Mapping]) -> Optional[str]:
    """The algorithm (``model.type``) that wrote a checkpoint, or None if unknown.

    Read from the config text mmengine stores in ``meta['cfg']``; without it, from state-dict
    keys that only one algorithm has (SlotCon's ``grouping.*``, ORL's ``intra_head.*``).
    """
    checkpoint = read_checkpoint(checkpoint)
    cfg_text = (checkpoint.get('meta') or {}).get('cfg')
    if isinstance(cfg_text, str):
        # mmengine's pretty_text: ``model = dict(`` then the sorted keys one indentation
        # level deep (the model's own ``type=`` among them), up to the next top-level line
        lines = cfg_text.splitlines()
        if 'model = dict(' in lines:
            for line in lines[lines.index('model = dict(') + 1:]:
                if not line.startswith(' '):
                    break
                found = re.match(r"^    type='([\w.:]+)'", line)
                if found:
                    return found.group(1).split('.')[-1].split(':')[-1]
    spec = method_of_state_dict(checkpoint.get('state_dict', checkpoint))
    return spec.algorithm if spec else None


def checkpoint_method(checkpoint: Union[str, Mapping]) -> Optional[MethodSpec]:
    """The method record of the algorithm that wrote a checkpoint, or None if unknown."""
    return method_of_algorithm(checkpoint_algorithm(checkpoint))


def resolve_weights(checkpoint: Union[str, Mapping], weights: str = 'auto') -> Tuple[str, str]:
    """The weights name to take (``online``/``target``) and a sentence saying why.

    Args:
        checkpoint: A plugin checkpoint (path or dict).
        weights: ``'auto'`` (what the paper of the checkpoint's algorithm transfers, see
            its method record, ``MethodSpec.transfer``), ``'online'`` or ``'target'``.
    """
    if weights not in WEIGHT_CHOICES:
        raise ValueError(f'weights must be one of {list(WEIGHT_CHOICES)}, got {weights!r}')
    if weights != 'auto':
        return weights, f'{weights} weights (as asked)'
    algorithm = checkpoint_algorithm(checkpoint)
    spec = method_of_algorithm(algorithm)
    if spec is not None:
        chosen = spec.transfer
        network = 'teacher' if chosen == 'target' else 'online network'
        return chosen, (f'{chosen} weights: the {network}, which {algorithm} transfers '
                        f'(algorithm read from the checkpoint; {spec.transfer_source})')
    return 'online', (f'online weights: the checkpoint\'s algorithm '
                      f'({algorithm or "unknown"}) has no known transfer rule')


def _prefix_summary(keys) -> str:
    heads = sorted({k.split('.', 1)[0] + '.' for k in keys})
    return ', '.join(heads[:20]) or '(no tensors)'


def select_weights(state_dict: Mapping[str, torch.Tensor], weights: str = 'online',
                   source: str = 'checkpoint', prefixes: Optional[Mapping[str, str]] = None
                   ) -> 'OrderedDict[str, torch.Tensor]':
    """The tensors under the prefix of ``weights`` (``'online'``/``'target'``), prefix stripped.

    ``prefixes`` maps each weights name to its prefix (the method's ``MethodSpec.prefixes``;
    default :data:`WEIGHT_PREFIXES`).

    A bare backbone state dict (keys ``conv1.weight``, ``layer1.0...``, as exported) is
    returned as is for ``weights='online'``.

    Raises:
        ValueError: For an unknown ``weights`` name.
        CheckpointMismatchError: If no key carries the prefix.
    """
    prefixes = WEIGHT_PREFIXES if prefixes is None else prefixes
    if weights not in prefixes:
        raise ValueError(f'weights must be one of {sorted(prefixes)}, got {weights!r}')
    prefix = prefixes[weights]
    out = OrderedDict((k[len(prefix):], v) for k, v in state_dict.items() if k.startswith(prefix))
    if not out and weights == 'online' and 'conv1.weight' in state_dict:
        out = OrderedDict(state_dict)  # already a bare backbone
    if not out:
        raise CheckpointMismatchError(
            f'{source} has no {weights!r} backbone weights (no key starts with {prefix!r}); '
            f'its top-level key prefixes are: {_prefix_summary(state_dict)}')
    return out


def infer_resnet_depth(state_dict: Mapping[str, torch.Tensor]) -> int:
    """ResNet depth (18/34/50/101/152) from the blocks present in a backbone state dict."""
    blocks: List[int] = []
    for stage in range(1, 5):
        ids = {int(k.split('.')[1]) for k in state_dict if k.startswith(f'layer{stage}.')}
        blocks.append(max(ids) + 1 if ids else 0)
    bottleneck = any(k.startswith('layer1.0.conv3.') for k in state_dict)
    key = (tuple(blocks), bottleneck)
    if key not in _RESNET_DEPTHS:
        raise CheckpointMismatchError(
            f'not a ResNet backbone: blocks per stage {tuple(blocks)}, '
            f'bottleneck={bottleneck} match no ResNet-18/34/50/101/152')
    return _RESNET_DEPTHS[key]


def expected_resnet_keys(depth: int) -> List[str]:
    """State-dict keys of mmpretrain's ``ResNet(depth)`` (= mmdet's, = torchvision's minus fc)."""
    from mmpretrain.models import ResNet
    return list(ResNet(depth=depth).state_dict().keys())


def check_resnet_keys(state_dict: Mapping[str, torch.Tensor], depth: Optional[int] = None,
                      source: str = 'checkpoint') -> Tuple[int, List[str], List[str]]:
    """Check a backbone state dict against a ResNet; raise on any missing/unexpected key.

    Returns:
        ``(depth, missing, unexpected)``, both lists empty on success.

    Raises:
        CheckpointMismatchError: Listing the missing and unexpected keys.
    """
    depth = infer_resnet_depth(state_dict) if depth is None else depth
    expected = expected_resnet_keys(depth)
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in set(expected)]
    shape_errors = []
    if not missing and not unexpected:
        from mmpretrain.models import ResNet
        ref = ResNet(depth=depth).state_dict()
        shape_errors = [f'{k}: {tuple(state_dict[k].shape)} != {tuple(ref[k].shape)}'
                        for k in expected if state_dict[k].shape != ref[k].shape]
    if missing or unexpected or shape_errors:
        raise CheckpointMismatchError(
            f'{source} does not match ResNet-{depth}: {len(missing)} missing keys '
            f'{missing[:50]}, {len(unexpected)} unexpected keys {unexpected[:50]}'
            + (f', shape mismatches {shape_errors[:20]}' if shape_errors else ''),
            missing=missing, unexpected=unexpected)
    return depth, missing, unexpected


def load_backbone_state_dict(checkpoint: Union[str, Mapping], weights: str = 'online',
                             depth: Optional[int] = None
                             ) -> Tuple['OrderedDict[str, torch.Tensor]', int]:
    """Backbone weights of a plugin checkpoint, checked against a ResNet.

    Args:
        checkpoint: Path of an mmengine checkpoint (or the loaded dict), or of a bare
            backbone state dict.
        weights: ``'online'`` (``backbone.*``), ``'target'`` (the EMA target / teacher:
            ``target_net.module.0.*``, or the prefix the method's record names) or
            ``'auto'`` (:func:`resolve_weights`).
        depth: ResNet depth to check against; inferred from the keys when None.

    Returns:
        ``(state_dict, depth)``: the backbone tensors (ResNet key layout) and its depth.
    """
    source = checkpoint if isinstance(checkpoint, str) else 'checkpoint'
    checkpoint = read_checkpoint(checkpoint)
    if weights == 'auto':
        weights, _ = resolve_weights(checkpoint)
    state = read_state_dict(checkpoint)
    spec = checkpoint_method(checkpoint)
    backbone = select_weights(state, weights, source=source,
                              prefixes=spec.prefixes if spec else None)
    depth, _, _ = check_resnet_keys(backbone, depth, source=f'{source} ({weights} weights)')
    return backbone, depth


def build_backbone(checkpoint: Optional[Union[str, Mapping]], weights: str = 'online',
                   depth: int = 50, out_indices=(3, )) -> torch.nn.Module:
    """An mmpretrain ResNet (eval mode) holding a checkpoint's backbone, or random init.

    Args:
        checkpoint: A plugin checkpoint, or None for a randomly initialised network.
        weights: ``'online'``, ``'target'`` or ``'auto'``.
        depth: Depth when ``checkpoint`` is None (otherwise inferred from the keys).
        out_indices: Stages whose outputs the backbone returns (0 = res2 ... 3 = res5).
    """
    from mmpretrain.models import ResNet
    if checkpoint is None:
        model = ResNet(depth=depth, out_indices=out_indices)
        model.init_weights()
    else:
        state, depth = load_backbone_state_dict(checkpoint, weights)
        model = ResNet(depth=depth, out_indices=out_indices)
        model.load_state_dict(state, strict=True)
    model.eval()  # mmpretrain's ResNet.train() returns None: no chaining
    return model
