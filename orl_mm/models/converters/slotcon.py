"""SlotCon's released checkpoints (CVMI-Lab/SlotCon) in our ``SlotCon`` layout.

``main_pretrain.py`` (``save_checkpoint``) saves ``{'args', 'model', 'optimizer',
'scheduler', 'epoch'}`` (and ``'scaler'`` with fp16), ``model`` being the state dict of the
``DistributedDataParallel`` wrapper: every key starts with ``module.``. ``models/slotcon.py``
builds ``encoder_q``/``encoder_k`` (the student and teacher ResNet of ``models/resnet.py``,
torchvision's names, no ``fc`` with ``head_type='early_return'``), ``projector_q``/``_k``
(``DINOHead2d``: ``mlp = Sequential(Conv 1x1, BN, GELU, Conv 1x1, BN, GELU, Conv 1x1)``),
``grouping_q``/``_k`` (``SemanticGrouping``: ``slot_embed``, an ``nn.Embedding`` of the
prototypes), ``predictor_slot`` (``DINOHead``, the same MLP with linear layers) and the
buffer ``center`` of the grouping loss. (The issue calls them ``module.encoder`` and
``projector(_k)``; the code's names are ``encoder_q``/``encoder_k``,
``projector_q``/``projector_k``.)

The "backbone only" files of its README are what its converters keep
(``transfer/segmentation/convert_pretrain_to_mm.py``: ``{'state_dict': module.encoder_k.*
with the prefix stripped}``): the teacher backbone, what SlotCon transfers. Such a file
imports as a backbone-only checkpoint holding our teacher (``target``) backbone.

The number of prototypes is read from the file (256 for COCO, 2048 for ImageNet in its
scripts) and set in the config written with the weights.
"""
from typing import Dict, List, Mapping, Optional, Tuple

import torch

from ...structures.method import get_method
from .base import Layout, OfficialCheckpointError, OfficialImporter, Part, mlp_renames

__all__ = ['SlotConImporter', 'FULL', 'bare_layout']

#: DINOHead(2d)'s ``mlp`` Sequential (3 layers) -> our GELUMLPNeck's named layers.
MLP = mlp_renames((0, 1, 3, 4, 6), ('fc0', 'bn0', 'fc1', 'bn1', 'fc2'))

FULL = Layout(
    name="full checkpoint (main_pretrain.py save_checkpoint, 'model')",
    parts=(
        Part('encoder_q.', 'backbone.', 'student backbone'),
        Part('encoder_k.', 'target_net.module.0.', 'teacher backbone'),
        Part('projector_q.mlp.', 'neck.mlp.', 'student projector', MLP),
        Part('projector_k.mlp.', 'target_net.module.1.mlp.', 'teacher projector', MLP),
        Part('grouping_q.slot_embed.', 'grouping.prototypes.', 'student prototypes'),
        Part('grouping_k.slot_embed.', 'target_net.module.2.prototypes.',
             'teacher prototypes'),
        Part('predictor_slot.mlp.', 'predictor.mlp.', 'slot predictor', MLP),
        Part('center', 'grouping_loss.center', 'grouping-loss centre'),
    ),
    required=('student backbone', 'teacher backbone', 'student projector',
              'teacher projector', 'student prototypes', 'teacher prototypes',
              'slot predictor', 'grouping-loss centre'))

#: Top-level entries of the full checkpoint that are no part of the model.
NOT_MODEL = ('args', 'optimizer', 'scheduler', 'epoch', 'scaler')
#: The DistributedDataParallel prefix of every model key.
DDP = 'module.'


def bare_layout(weights: str = 'target') -> Layout:
    """The backbone-only file, taken as our ``weights`` backbone."""
    what = f'{weights} backbone'
    return Layout(name="backbone-only file (transfer/segmentation/convert_pretrain_to_mm.py)",
                  parts=(Part('', get_method('slotcon').prefix(weights), what), ),
                  required=(what, ), model_parts=FULL.parts)


class SlotConImporter(OfficialImporter):
    """CVMI-Lab/SlotCon's full checkpoint or backbone-only file."""
    method = 'slotcon'
    reference = 'CVMI-Lab/SlotCon'
    default_config = 'slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py'

    def read(self, checkpoint: Mapping, bare_weights: Optional[str] = None
             ) -> Tuple[Dict[str, torch.Tensor], Layout, List[str], List[str]]:
        if 'model' in checkpoint:
            extra = [str(k) for k in checkpoint if k != 'model' and k not in NOT_MODEL]
            if extra:
                raise OfficialCheckpointError(
                    f'unknown top-level entries in a SlotCon full checkpoint: {extra} (it '
                    f"writes {['model', *NOT_MODEL]})", unknown=extra)
            state = checkpoint['model']
            flat = {(k[len(DDP):] if k.startswith(DDP) else f'<no {DDP}>{k}'): v
                    for k, v in state.items()}
            dropped = [str(k) for k in checkpoint if k != 'model']
            return flat, FULL, dropped, []
        if 'state_dict' in checkpoint:
            extra = [str(k) for k in checkpoint if k != 'state_dict']
            if extra:
                raise OfficialCheckpointError(
                    f'unknown top-level entries in a SlotCon backbone-only file: {extra} '
                    "(convert_pretrain_to_mm.py writes only 'state_dict')", unknown=extra)
            return dict(checkpoint['state_dict']), bare_layout(bare_weights or 'target'), \
                [], []
        raise OfficialCheckpointError(
            "a SlotCon checkpoint has a 'model' (full) or 'state_dict' (backbone only) entry; "
            f'this file has {sorted(map(str, checkpoint))}', unknown=[str(k) for k in checkpoint])

    def adjust_config(self, cfg, flat: Mapping[str, torch.Tensor]) -> List[str]:
        """Set the number of prototypes to the file's."""
        embed = flat.get('grouping_k.slot_embed.weight', flat.get('grouping_q.slot_embed.weight'))
        if embed is None or embed.dim() != 2:
            return []
        num, before = int(embed.shape[0]), cfg.model.grouping.num_prototypes
        if num == before:
            return []
        cfg.model.grouping.num_prototypes = num
        cfg.model.grouping_loss.num_prototypes = num
        return [f"num_prototypes set to the file's {num} (the config has {before})"]
