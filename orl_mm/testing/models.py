"""Tiny SCRL and SlotCon model configs (ResNet-18, small MLPs, plain BN) and a tiny plugin
checkpoint for tests."""
from types import SimpleNamespace
from typing import Dict, Tuple

import torch

TINY_SCRL = dict(
    type='SCRL',
    base_momentum=0.03,
    data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0, 0, 0], std=[1, 1, 1]),
    backbone=dict(type='ResNet', depth=18, out_indices=(3, )),
    neck=dict(type='FlatNonLinearNeck', in_channels=512, hid_channels=32, out_channels=16,
              with_bias=False, with_last_bn=False, with_avg_pool=False,
              norm_cfg=dict(type='BN1d')),
    head=dict(type='LatentPredictHead',
              predictor=dict(type='FlatNonLinearNeck', in_channels=16, hid_channels=32,
                             out_channels=16, with_bias=False, with_last_bn=False,
                             with_avg_pool=False, norm_cfg=dict(type='BN1d')),
              loss=dict(type='BYOLLoss')))

TINY_SLOTCON = dict(
    type='SlotCon',
    base_momentum=0.01,
    data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0, 0, 0], std=[1, 1, 1]),
    backbone=dict(type='ResNet', depth=18, out_indices=(3, )),
    neck=dict(type='GELUMLPNeck', in_channels=512, hid_channels=32, out_channels=16,
              spatial=True),
    grouping=dict(type='SemanticGrouping', num_prototypes=8, dim=16),
    predictor=dict(type='GELUMLPNeck', in_channels=16, hid_channels=32, out_channels=16),
    grouping_loss=dict(type='GroupingDistillationLoss', num_prototypes=8),
    contrastive_loss=dict(type='SlotContrastiveLoss', temperature=0.2))


def write_plugin_checkpoint(path: str, slotcon: bool = False, neck_dim: int = 2,
                            meta: dict = None, message_hub: bool = True
                            ) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
    """Write a tiny ResNet-18 plugin checkpoint (online ``backbone.*``, target
    ``target_net.module.0.*``, a neck weight) as training saves it.

    Args:
        path: Where to write it.
        slotcon: Add SlotCon's signature key (its paper transfers the teacher).
        neck_dim: Side of the square neck weight.
        meta: The checkpoint's ``meta`` (default empty).
        message_hub: Pickle a non-tensor object too, as an mmengine training checkpoint
            does (it then needs ``orl_mm.compat``'s loader).

    Returns:
        The online and target backbones' state dicts.
    """
    from mmpretrain.models import ResNet
    torch.manual_seed(0)
    online, target = ResNet(depth=18), ResNet(depth=18)
    online.init_weights()
    target.init_weights()
    state = {f'backbone.{k}': v for k, v in online.state_dict().items()}
    state.update({f'target_net.module.0.{k}': v for k, v in target.state_dict().items()})
    state['neck.mlp.0.weight'] = torch.zeros(neck_dim, neck_dim)
    if slotcon:
        state['grouping.prototypes.weight'] = torch.zeros(4, 4)
    ckpt = {'meta': meta or {}, 'state_dict': state}
    if message_hub:
        ckpt['message_hub'] = {'x': SimpleNamespace()}
    torch.save(ckpt, path)
    return online.state_dict(), target.state_dict()
