"""ORL's released checkpoints (Jiahao000/ORL, OpenSelfSup) in our ``ORL`` layout.

The reference saves two kinds of file:

* its training checkpoint (mmcv's ``save_checkpoint``: ``{'meta', 'state_dict',
  'optimizer'}``). ``openselfsup/models/orl.py`` builds ``online_net =
  Sequential(backbone, neck)``, ``target_net`` the same, and ``global_head``,
  ``local_intra_head``, ``local_inter_head`` (``LatentPredictHead``, whose ``predictor`` is
  a ``NonLinearNeckSimCLR``: ``fc0`` with bias, ``bn0``, ``fc1`` without bias, the names of
  mmpretrain's ``NonLinearNeck``). It also sets ``self.backbone = online_net[0]`` and
  ``self.neck = online_net[1]``, so the state dict holds the online backbone and projector
  twice, as ``online_net.{0,1}.*`` and ``backbone.*``/``neck.*``: the second copy is
  checked equal and dropped;
* the backbone-only file of ``tools/extract_backbone_weights.py``: ``{'state_dict':
  backbone.* with the prefix stripped, 'author': 'OpenSelfSup'}`` — the online backbone.
  It lacks the projector, the three predictors and the whole target network: it imports as
  a backbone-only checkpoint (evaluation and transfer take the online network, what ORL
  transfers), not one to continue training from.

The backbone is OpenSelfSup's ResNet (mmdet's names: ``conv1``, ``bn1``,
``layer{1-4}.{i}.conv{1-3}/bn{1-3}/downsample.{0,1}``), the names of ours.
"""
from typing import Dict, List, Mapping, Optional, Tuple

import torch

from ...structures.method import get_method
from .base import Layout, OfficialCheckpointError, OfficialImporter, Part

__all__ = ['ORLImporter', 'FULL', 'bare_layout']

#: The training checkpoint's parts.
FULL = Layout(
    name='training checkpoint (openselfsup/models/orl.py)',
    parts=(
        Part('online_net.0.', 'backbone.', 'online backbone'),
        Part('online_net.1.', 'neck.', 'online projector'),
        Part('target_net.0.', 'target_net.module.0.', 'target backbone'),
        Part('target_net.1.', 'target_net.module.1.', 'target projector'),
        Part('global_head.', 'head.', 'global predictor'),
        Part('local_intra_head.', 'intra_head.', 'intra-RoI predictor'),
        Part('local_inter_head.', 'inter_head.', 'inter-RoI predictor'),
    ),
    required=('online backbone', 'online projector', 'target backbone', 'target projector',
              'global predictor', 'intra-RoI predictor', 'inter-RoI predictor'))

#: The second copies of the online modules (``self.backbone``/``self.neck``).
ALIASES = (('backbone.', 'online_net.0.'), ('neck.', 'online_net.1.'))

#: Top-level entries of the training checkpoint that are no part of the model.
NOT_MODEL = ('meta', 'optimizer')


def bare_layout(weights: str = 'online') -> Layout:
    """The backbone-only file, taken as our ``weights`` backbone."""
    what = f'{weights} backbone'
    return Layout(name='backbone-only file (tools/extract_backbone_weights.py)',
                  parts=(Part('', get_method('orl').prefix(weights), what), ),
                  required=(what, ), model_parts=FULL.parts)


def _is_bare(state: Mapping) -> bool:
    """Whether no key has a prefix of the training checkpoint (a backbone-only file)."""
    prefixes = tuple(p.src for p in FULL.parts) + tuple(a for a, _ in ALIASES)
    return not any(str(k).startswith(prefixes) for k in state)


class ORLImporter(OfficialImporter):
    """Jiahao000/ORL's training checkpoint or backbone-only file."""
    method = 'orl'
    reference = 'Jiahao000/ORL'
    default_config = 'orl/orl_resnet50_8xb64-coslr-800e_coco.py'

    def read(self, checkpoint: Mapping, bare_weights: Optional[str] = None
             ) -> Tuple[Dict[str, torch.Tensor], Layout, List[str], List[str]]:
        if 'state_dict' not in checkpoint:
            raise OfficialCheckpointError(
                f'an ORL checkpoint has a state_dict entry; this file has only '
                f'{sorted(map(str, checkpoint))}', unknown=[str(k) for k in checkpoint])
        state = checkpoint['state_dict']
        if _is_bare(state):
            known = ('state_dict', 'author')
            layout = bare_layout(bare_weights or 'online')
        else:
            known = ('state_dict', ) + NOT_MODEL
            layout = FULL
        extra = [str(k) for k in checkpoint if k not in known]
        if extra:
            raise OfficialCheckpointError(
                f'unknown top-level entries in an ORL {layout.name}: {extra} (it writes '
                f'{list(known)})', unknown=extra)
        flat = {k: v for k, v in state.items()}
        notes = []
        if layout is FULL:
            flat, notes = _drop_aliases(flat)
        dropped = [k for k in checkpoint if k != 'state_dict']
        return flat, layout, dropped, notes


def _drop_aliases(flat: Dict[str, torch.Tensor]) -> Tuple[Dict[str, torch.Tensor], List[str]]:
    """Remove ``backbone.*``/``neck.*``, checking each equals its ``online_net`` tensor."""
    out, differ, dropped = {}, [], 0
    for key, value in flat.items():
        alias = next((a for a in ALIASES if key.startswith(a[0])), None)
        if alias is None:
            out[key] = value
            continue
        twin = flat.get(alias[1] + key[len(alias[0]):])
        if twin is None or twin.shape != value.shape or not torch.equal(twin, value):
            differ.append(key)
        dropped += 1
    if differ:
        raise OfficialCheckpointError(
            f'{len(differ)} keys of the online network\'s second copy (self.backbone, '
            f'self.neck) lack an equal online_net twin: {differ[:12]}', unknown=differ)
    notes = [f'dropped {dropped} keys backbone.*/neck.*, equal to online_net.0/1.* '
             f'(the reference registers the online modules twice)'] if dropped else []
    return out, notes
