"""SCRL's released checkpoints (kakaobrain/scrl) in our ``SCRL`` layout.

``trainer/base.py`` (``BYOLBasedTrainer._save_checkpoint``) saves one dict with ``tag``,
``epoch``, ``max_eval_score``, ``max_eval_epoch`` and ``<name>_state_dict`` for every
trainer attribute that has a ``state_dict``: ``online_network``, ``target_network`` (both
``models/backbone.py`` ``Backbone``), ``predictor`` (``models/heads.py``
``TwoLayerLinearHead``), ``evaluator`` (the online linear classifier), ``xent_loss``,
``optimizer``, ``scheduler`` and ``scaler``. The released files ("backbone checkpoints",
its README) load with ``--train/enabled=False``, which needs ``online_network`` only, so
the target network, the predictor and the projector may be absent: each absent part is
listed, and a file with the online backbone alone imports as a backbone-only checkpoint
(SCRL transfers the online network).

Names: ``Backbone.encoder`` is torchvision's ResNet without ``fc`` as a Sequential
(``0`` conv1, ``1`` bn1, ``4``-``7`` layer1-4; relu, maxpool and avgpool hold nothing);
``Backbone.projector`` and the predictor are ``net = Sequential(Linear(bias), BatchNorm1d,
ReLU, Linear(bias=False))``. Our projector and predictor (``with_bias=False``) have no bias
on the first linear layer: its bias ``b`` only shifts the batch-norm input, so it is folded
into the running mean (``running_mean - b``), which gives the same output in train mode
(batch statistics) and in eval mode (running statistics).
"""
from typing import Dict, List, Mapping, Optional, Tuple

import torch

from .base import Layout, OfficialCheckpointError, OfficialImporter, Part, mlp_renames

__all__ = ['SCRLImporter', 'LAYOUT', 'fold_linear_bias']

#: torchvision ResNet children -> our names.
ENCODER = (('0.', 'conv1.'), ('1.', 'bn1.'), ('4.', 'layer1.'), ('5.', 'layer2.'),
           ('6.', 'layer3.'), ('7.', 'layer4.'))
#: TwoLayerLinearHead's ``net`` -> our NonLinearNeck's layers.
HEAD = mlp_renames((0, 1, 3), ('fc0', 'bn0', 'fc1'))

LAYOUT = Layout(
    name='trainer checkpoint (trainer/base.py _save_checkpoint)',
    parts=(
        Part('online_network.encoder.', 'backbone.', 'online backbone', ENCODER),
        Part('online_network.projector.net.', 'neck.', 'online projector', HEAD),
        Part('target_network.encoder.', 'target_net.module.0.', 'target backbone', ENCODER),
        Part('target_network.projector.net.', 'target_net.module.1.', 'target projector',
             HEAD),
        Part('predictor.net.', 'head.predictor.', 'predictor', HEAD),
    ),
    required=('online backbone', ))

#: The trainer attributes whose state dicts are model parts.
MODEL_ENTRIES = ('online_network', 'target_network', 'predictor')
#: The other entries it writes (no part of our model).
NOT_MODEL = ('tag', 'epoch', 'max_eval_score', 'max_eval_epoch', 'evaluator_state_dict',
             'xent_loss_state_dict', 'optimizer_state_dict', 'scheduler_state_dict',
             'scaler_state_dict')

#: Linear-then-BN pairs whose linear bias our layers do not have.
FOLDED = ('online_network.projector.net.', 'target_network.projector.net.', 'predictor.net.')


def fold_linear_bias(flat: Dict[str, torch.Tensor], prefix: str) -> bool:
    """Fold ``prefix0.bias`` into ``prefix1.running_mean`` (in place); whether it did.

    ``BN(Wx + b)`` with running mean ``mu`` equals ``BN(Wx)`` with running mean
    ``mu - b``; in train mode the batch mean absorbs ``b`` either way.
    """
    bias, mean = f'{prefix}0.bias', f'{prefix}1.running_mean'
    if bias not in flat or mean not in flat or flat[bias].shape != flat[mean].shape:
        return False
    flat[mean] = flat[mean] - flat.pop(bias).to(flat[mean].dtype)
    return True


class SCRLImporter(OfficialImporter):
    """kakaobrain/scrl's trainer checkpoint."""
    method = 'scrl'
    reference = 'kakaobrain/scrl'
    default_config = 'scrl/scrl_resnet50_32xb256-lars-coslr-200e_in1k.py'

    def read(self, checkpoint: Mapping, bare_weights: Optional[str] = None
             ) -> Tuple[Dict[str, torch.Tensor], Layout, List[str], List[str]]:
        if bare_weights not in (None, 'online'):
            raise ValueError('an SCRL trainer checkpoint names its networks; bare_weights '
                             'does not apply')
        entries = [f'{name}_state_dict' for name in MODEL_ENTRIES]
        extra = [str(k) for k in checkpoint if k not in entries and k not in NOT_MODEL]
        if extra:
            raise OfficialCheckpointError(
                f'unknown top-level entries in an SCRL trainer checkpoint: {extra} (it '
                f'writes {entries + list(NOT_MODEL)})', unknown=extra)
        if 'online_network_state_dict' not in checkpoint:
            raise OfficialCheckpointError(
                'an SCRL trainer checkpoint holds online_network_state_dict; this one has '
                f'{sorted(map(str, checkpoint))}', missing=['online_network_state_dict'])
        flat: Dict[str, torch.Tensor] = {}
        for name, entry in zip(MODEL_ENTRIES, entries):
            state = checkpoint.get(entry)
            if state is None:
                continue
            if not isinstance(state, Mapping):  # cfg.fake_checkpoint writes a string
                raise OfficialCheckpointError(
                    f'{entry} holds no weights (a {type(state).__name__}: the trainer ran '
                    f'with fake_checkpoint)', unknown=[entry])
            flat.update((f'{name}.{k}', v) for k, v in state.items())
        notes = [f'{prefix}0.bias folded into {prefix}1.running_mean (our first linear '
                 f'layer has no bias; same outputs)' for prefix in FOLDED
                 if fold_linear_bias(flat, prefix)]
        dropped = [str(k) for k in checkpoint if k in NOT_MODEL]
        return flat, LAYOUT, dropped, notes
