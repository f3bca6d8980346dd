"""ORL: object-level representation learning from scene images (stage 3).

Xie et al., *Unsupervised Object-Level Representation Learning from Scene Images*,
NeurIPS 2021. One online network (backbone -> projector) and its EMA target, shared by three
BYOL terms, each with its own predictor:

* global: two augmented views of the whole image;
* intra-RoI: a pseudo-object box of the image and a jittered copy of it;
* inter-RoI: the two boxes of a mined correspondence, one in the image and one in one of
  its k-NN images.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.selfsup.base import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...structures.method import FigureSpec, MethodSpec, register_method
from ..losses import symmetric_byol_loss
from ..utils import ParameterCosineEMA

#: The order of the six inputs ORL's pipeline packs per sample.
BRANCHES = ('global', 'intra', 'inter')


@MODELS.register_module()
class ORL(BaseSelfSupervisor):
    """ORL, built like mmpretrain's ``BYOL`` with two more predictors.

    Modules (and their checkpoint keys):

    * ``backbone.*``: the online backbone (ResNet-50 by default), shared by all branches;
    * ``neck.*``: the online projector (``NonLinearNeck``: global average pool,
      2048 -> 4096 -> BN -> ReLU -> 256), shared by all branches;
    * ``head.*``, ``intra_head.*``, ``inter_head.*``: the global, intra-RoI and inter-RoI
      predictors (``LatentPredictHead``; 256 -> 4096 -> 256). ``head`` has the name of
      BYOL's only predictor, so a BYOL state dict loads into ORL's global branch;
    * ``target_net.*``: the EMA target, ``ParameterCosineEMA(nn.Sequential(backbone,
      neck))`` (mmpretrain's BYOL builds a ``CosineEMA`` of the same modules, so the keys
      are the same): the target backbone is ``target_net.module.0.*`` and the target
      projector ``target_net.module.1.*``. It tracks the backbone and the projector (not
      the predictors), averages parameters only and keeps its own batch-norm running
      statistics, updated by its own forwards (reference ``_momentum_update``; mmpretrain's
      ``CosineEMA`` copies the online buffers every step). It is updated once per
      optimiser step, in :meth:`loss` before the target forward (every call; every
      ``k``-th under ``accumulative_counts=k``, see
      :class:`~orl_mm.engine.hooks.EMAPerOptimStepHook`): call 0 copies the online network,
      call ``k`` averages with τ_{k-1} = 1 - base_momentum (cos(π (k-1) / K) + 1) / 2 —
      the reference ``BYOLHook``'s update after optimiser step ``k - 1``.

    Inputs are six image batches per step, in this order (see ``MultiBranch``)::

        [global_1 (N, 3, 224, 224), global_2 (N, 3, 224, 224),
         intra_1 (N, 3, 96, 96), intra_2 (N, 3, 96, 96),
         inter_1 (N, 3, 96, 96), inter_2 (N, 3, 96, 96)]

    Each goes through the online and the target network as its own forward, so batch norm
    statistics are per view and branch, as in the reference. A branch whose loss weight is
    0 is not computed at all (only the first two inputs are needed when
    ``loss_weights=(w, 0, 0)``): ORL then computes exactly mmpretrain's BYOL.

    Loss: ``loss = λ1 L_global + λ2 L_intra + λ3 L_inter`` with each term symmetric,
    ``L = (2 - 2 cos(q(f(a)), g(b))) + (2 - 2 cos(q(f(b)), g(a)))`` averaged over the batch,
    in [0, 8] (the heads' ``BYOLLoss``). mmpretrain's BYOL reports the same minus 4 (see
    :mod:`orl_mm.models.losses.byol_loss`); the gradients are identical. The returned dict
    holds ``loss`` (the weighted sum, the only value optimised) and ``loss_global``,
    ``loss_intra``, ``loss_inter`` (detached, for the log; :meth:`parse_losses` does not
    add them to the total).

    Args:
        backbone: Config of the backbone.
        neck: Config of the projector.
        head: Config of the global predictor head.
        intra_head: Config of the intra-RoI predictor head.
        inter_head: Config of the inter-RoI predictor head.
        loss_weights: (λ1, λ2, λ3) for the global, intra-RoI and inter-RoI terms.
        base_momentum: ``1 - τ_base`` of the EMA target (mmpretrain's convention; 0.01
            means τ from 0.99 to 1).
        pretrained: Optional checkpoint to initialise from.
        data_preprocessor: Config of the data preprocessor (``SelfSupDataPreprocessor``).
        init_cfg: Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 intra_head: dict,
                 inter_head: dict,
                 loss_weights: Sequence[float] = (1., 1., 1.),
                 base_momentum: float = 0.01,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.intra_head = MODELS.build(intra_head)
        self.inter_head = MODELS.build(inter_head)
        if len(loss_weights) != 3 or any(w < 0 for w in loss_weights):
            raise ValueError(f'loss_weights must be 3 non-negative numbers, got {loss_weights}')
        self.loss_weights = tuple(float(w) for w in loss_weights)

        # the EMA target: parameters only, on the reference's per-iteration schedule
        self.target_net = ParameterCosineEMA(
            nn.Sequential(self.backbone, self.neck), momentum=base_momentum,
            copy_at_start=True, after_step=True)

    def _heads(self) -> Tuple[nn.Module, nn.Module, nn.Module]:
        return self.head, self.intra_head, self.inter_head

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Compute the three BYOL terms and their weighted sum.

        Args:
            inputs: Six image batches (global 1/2, intra 1/2, inter 1/2), each (N, 3, H, W);
                two suffice when the intra and inter weights are 0, four when only the
                inter weight is 0.
            data_samples: Unused (the boxes are already cropped by the pipeline).

        Returns:
            ``loss`` (weighted sum) and the detached ``loss_global``, ``loss_intra`` and
            ``loss_inter`` of the computed branches.
        """
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('ORL expects a list of image batches, one per view/patch')
        active = [b for b, w in enumerate(self.loss_weights) if w > 0]
        if not active:
            raise ValueError('ORL: all loss weights are 0')
        needed = 2 * (max(active) + 1)
        if len(inputs) < needed:
            raise ValueError(f'ORL with loss_weights={self.loss_weights} needs {needed} input '
                             f'batches (global, intra, inter pairs), got {len(inputs)}')

        # online projections, one forward per view/patch
        online = {}
        for b in active:
            for v in (2 * b, 2 * b + 1):
                online[v] = self.neck(self.backbone(inputs[v]))[0]
        # target projections
        with torch.no_grad():
            self.target_net.update_parameters(nn.Sequential(self.backbone, self.neck))
            target = {v: self.target_net(inputs[v])[0] for v in online}

        losses = {}
        total = 0.
        heads = self._heads()
        for b in active:
            a, c = 2 * b, 2 * b + 1
            term = symmetric_byol_loss(heads[b].loss, online[a], online[c], target[a], target[c])
            total = total + self.loss_weights[b] * term
            losses[f'loss_{BRANCHES[b]}'] = term.detach()
        return dict(loss=total, **losses)

    def parse_losses(self, losses: Dict[str, torch.Tensor]
                     ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """Optimise ``losses['loss']`` only; log every entry.

        mmengine's default sums every key containing ``loss``, which would add the
        (detached) per-term values to the weighted total.
        """
        log_vars = {'loss': losses['loss']}
        for key, value in losses.items():
            if key != 'loss':
                log_vars[key] = value.mean()
        return losses['loss'], log_vars


#: ORL's method record (see :mod:`orl_mm.structures.method`).
ORL_METHOD = register_method(MethodSpec(
    name='orl', label='ORL', algorithm='ORL', paper='Xie et al., NeurIPS 2021',
    transfer='online',
    transfer_source="ORL's tools/extract_backbone_weights.py keeps backbone.* (online)",
    signature_keys=('intra_head.', 'inter_head.'),
    loss_terms=('loss_global', 'loss_intra', 'loss_inter'),
    loss_note='each term is the reference\'s 2 - 2 cos (0 to 4 per term)',
    tiny_config='orl/orl_resnet18_1xb8-tiny-2e_demo.py',
    paper_configs=('orl/orl_resnet50_8xb64-coslr-800e_coco.py',
                   'orl/orl_resnet50_8xb64-coslr-800e_coco-plus.py'),
    starts_from='byol', needs_stage2=True,
    figure=FigureSpec('pairs', 'ORL stage 2: top mined RoI pairs (query box green, '
                      'neighbour box red)', 'orl_mm.visualization.pairs:draw_pair_sheet')))
