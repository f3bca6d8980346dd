"""``OrlPretrained``: the initialiser every transfer config uses to read a plugin checkpoint.

``init_cfg=dict(type='OrlPretrained', checkpoint=CKPT, weights='auto')`` fills a ResNet
(mmdet's or mmpretrain's backbone, or a C4 detector's res5 shared head) with the backbone a
plugin checkpoint holds. It is mmengine's ``PretrainedInit`` with the choice of weights made
as the evaluation tools make it (:func:`~orl_mm.evaluation.checkpoints.resolve_weights`):

* ``weights='auto'`` reads the algorithm from the checkpoint (its saved config, else its
  keys) and takes what that method's paper transfers, from the method record
  (:mod:`orl_mm.structures.method`): the teacher for SlotCon, the online network for BYOL,
  ORL, SCRL and DenseCL; ``'online'``/``'target'`` take that one; a bare backbone (as
  ``tools/model_converters/export_backbone.py`` writes) is taken as it is;
* it logs which weights it took and why;
* it loads strictly: the checkpoint must hold a whole ResNet
  (:func:`~orl_mm.evaluation.checkpoints.load_backbone_state_dict`), and every ResNet
  tensor the module has must come from it with its shape. Parts of the ResNet the module
  does not build (res5 for a C4 backbone, conv1-res4 for the res5 head) are left to the
  module that does; the module's own non-ResNet layers (the C4 head's extra norm,
  ``norm`` of mmpretrain's ``ResLayerExtraNorm``) keep their initialisation. Anything else
  fails with the missing and unexpected keys.

Registered in mmengine's root ``WEIGHT_INITIALIZERS``, so mmdet's and mmpretrain's scopes
find it once ``orl_mm`` is imported (``custom_imports=dict(imports=['orl_mm'])``).

mmengine loads an ``init_cfg`` of type ``'Pretrained'`` after the module's children are
initialised, any other type before; and mmpretrain's ``ResNet.init_weights`` zeroes every
``norm3`` afterwards (``zero_init_residual``) unless the type is ``'Pretrained'``. The
mmpretrain transfer configs therefore set ``zero_init_residual=False``; mmdet's ResNet
adds no such step once an ``init_cfg`` is given.
"""
from collections import OrderedDict
from typing import List, Mapping, Optional, Tuple

import torch
from mmengine.logging import print_log
from mmengine.model.weight_init import PretrainedInit, update_init_info
from mmengine.registry import WEIGHT_INITIALIZERS

from .checkpoints import (WEIGHT_CHOICES, CheckpointMismatchError, load_backbone_state_dict,
                          read_checkpoint, resolve_weights)

__all__ = ['OrlPretrained', 'match_resnet_parts']

#: Top-level names of a ResNet's parts in mmdet's / mmpretrain's / torchvision's layout.
RESNET_PARTS = ('conv1', 'bn1', 'layer1', 'layer2', 'layer3', 'layer4')


def _part(key: str) -> str:
    return key.split('.', 1)[0]


def match_resnet_parts(own: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor],
                       source: str = 'checkpoint'
                       ) -> Tuple['OrderedDict[str, torch.Tensor]', List[str], List[str]]:
    """The checkpoint tensors a module takes, checked part by part.

    Args:
        own: The module's state dict.
        state: A whole ResNet's state dict (keys ``conv1.weight``, ``layer1.0...``).
        source: What ``state`` came from (for messages).

    Returns:
        ``(taken, left, kept)``: the tensors to load, the ResNet parts the module does not
        build (left to another module) and the module's own non-ResNet parts (keep their
        initialisation).

    Raises:
        CheckpointMismatchError: On a ResNet key the module has but the checkpoint lacks
            (missing), a checkpoint key inside a part the module builds but without that key
            (unexpected), or a shape that differs.
    """
    own_parts = {_part(k) for k in own}
    missing = [k for k in own if _part(k) in RESNET_PARTS and k not in state]
    unexpected = [k for k in state if _part(k) in own_parts and k not in own]
    shapes = [f'{k}: {tuple(state[k].shape)} in the checkpoint, {tuple(own[k].shape)} here'
              for k in own if k in state and state[k].shape != own[k].shape]
    if missing or unexpected or shapes:
        raise CheckpointMismatchError(
            f'{source} does not fit the module: {len(missing)} missing keys {missing[:30]}, '
            f'{len(unexpected)} unexpected keys {unexpected[:30]}'
            + (f', shape mismatches {shapes[:10]}' if shapes else ''),
            missing=missing, unexpected=unexpected)
    taken = OrderedDict((k, v) for k, v in state.items() if k in own)
    left = [p for p in RESNET_PARTS if p not in own_parts and any(_part(k) == p for k in state)]
    kept = sorted(p for p in own_parts if p not in RESNET_PARTS)
    return taken, left, kept


@WEIGHT_INITIALIZERS.register_module()
class OrlPretrained(PretrainedInit):
    """Load the backbone of an orl_mm checkpoint that the method's paper transfers.

    Args:
        checkpoint: Path (or URL) of a plugin checkpoint, or of an exported bare backbone.
        weights: ``'auto'`` (what the checkpoint's method transfers), ``'online'`` or
            ``'target'`` (the EMA target / teacher).
        map_location: Where the tensors are read to.
        prefix: Not accepted: the prefix follows from ``weights`` and the method record.
    """

    def __init__(self, checkpoint: str, weights: str = 'auto', map_location: str = 'cpu',
                 prefix: Optional[str] = None):
        if prefix is not None:
            raise ValueError(
                f'OrlPretrained takes no prefix (got {prefix!r}): it reads the prefix from the '
                f'method record; choose the backbone with weights={list(WEIGHT_CHOICES)}')
        if weights not in WEIGHT_CHOICES:
            raise ValueError(f'OrlPretrained: weights must be one of {list(WEIGHT_CHOICES)}, '
                             f'got {weights!r}')
        if not checkpoint:
            raise ValueError('OrlPretrained needs a checkpoint: set it with --cfg-options '
                             'model.backbone.init_cfg.checkpoint=CKPT')
        super().__init__(checkpoint, prefix=None, map_location=map_location)
        self.weights = weights
        self.chosen: Optional[str] = None
        self.reason = ''

    def __call__(self, module: torch.nn.Module) -> None:
        ckpt = read_checkpoint(self.checkpoint)
        self.chosen, self.reason = resolve_weights(ckpt, self.weights)
        if 'state_dict' not in ckpt and 'conv1.weight' in ckpt and self.weights == 'auto':
            self.reason = 'a bare backbone (no prefix), taken as it is'
        state, depth = load_backbone_state_dict(ckpt, self.chosen)
        name = type(module).__name__
        taken, left, kept = match_resnet_parts(
            module.state_dict(), state, source=f'{self.checkpoint} ({self.chosen} weights)')
        module.load_state_dict(taken, strict=False)
        print_log(
            f'OrlPretrained: {name} <- {self.checkpoint}: {self.reason}; ResNet-{depth}, '
            f'{len(taken)} tensors loaded'
            + (f', {"/".join(left)} left to another module' if left else '')
            + (f', its own layers {kept} keep their init' if kept else ''), logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())

    def _get_init_info(self) -> str:
        return (f'{self.__class__.__name__}: {self.chosen or self.weights} weights from '
                f'{self.checkpoint}')
