"""SlotCon: self-supervised learning by semantic grouping (Wen et al., NeurIPS 2022)."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmcv.ops import roi_align
from mmengine import dist
from mmpretrain.models.selfsup.base import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...structures.method import FigureSpec, MethodSpec, register_method
from ..losses.slot_contrastive import slot_valid_mask
from ..utils import ParameterCosineEMA


def align_to_overlap(maps: torch.Tensor, boxes: torch.Tensor,
                     flips: torch.Tensor) -> torch.Tensor:
    """Resample each view's map on its overlap box, then undo the view's flip.

    Args:
        maps: Per-view dense maps, (B, C, H, W).
        boxes: The overlap of the two views in this view's frame, normalised
            [x1, y1, x2, y2] in [0, 1] (mirrored when the view was flipped), (B, 4).
        flips: Whether each view was flipped, (B,) bool.

    Returns:
        (B, C, H, W): the overlap region at the map's resolution, in the original image's
        orientation, so the two views' results correspond pixel by pixel.
    """
    b, _, h, w = maps.shape
    scale = maps.new_tensor([w, h, w, h])
    rois = torch.cat([torch.arange(b, device=maps.device, dtype=maps.dtype)[:, None],
                      boxes.to(maps.dtype) * scale], dim=1)
    aligned = roi_align(maps.contiguous(), rois, (h, w), 1.0, 0, 'avg', True)
    return torch.where(flips.view(b, 1, 1, 1).bool(), aligned.flip(-1), aligned)


def _pixels(scores: torch.Tensor) -> torch.Tensor:
    """(B, K, H, W) -> (B * H * W, K)."""
    return scores.permute(0, 2, 3, 1).flatten(0, 2)


@MODELS.register_module()
class SlotCon(BaseSelfSupervisor):
    """SlotCon (Wen et al., *Self-Supervised Visual Representation Learning with Semantic
    Grouping*, NeurIPS 2022).

    Student: ``backbone`` (res5 map, 7x7) -> ``neck`` (2-D projector, 1x1 convs) ->
    ``grouping`` (K learnable prototypes: pixel scores and slots). Teacher: the EMA
    ``target_net = ParameterCosineEMA(Sequential(backbone, neck, grouping))`` — backbone,
    projector **and prototypes** are EMA-tracked (teacher backbone keys
    ``target_net.module.0.*``; transfer uses it); as in the reference only parameters are
    averaged, the teacher's batch-norm running statistics are its own (its forward passes
    update them). Student only: ``predictor`` (slot predictor MLP). Under
    ``accumulative_counts=k`` the teacher moves once per optimiser step
    (:class:`~orl_mm.engine.hooks.EMAPerOptimStepHook`).

    Loss, per step, for views 1 and 2 (no image-level term):

    - ``loss_grouping = w * (D(s1, t2) + D(s2, t1))``: :class:`GroupingDistillationLoss`
      between the student's and the other view's teacher prototype scores, both aligned to
      the views' overlap (:func:`align_to_overlap`); then the centre is updated with the
      teacher scores of all pixels of both full views.
    - ``loss_contrastive = (1 - w) * (C(q1, k2) + C(q2, k1))``: :class:`SlotContrastiveLoss`
      between predicted student slots and the other view's teacher slots, over slots valid
      in both views (their prototype wins a pixel in each full view).

    ``w = group_loss_weight = 0.5``. mmengine sums every ``loss*`` entry into the total.

    Args:
        backbone: Backbone config (ResNet-50, ``out_indices=(3,)``).
        neck: 2-D projector config (``GELUMLPNeck``, ``spatial=True``).
        grouping: ``SemanticGrouping`` config.
        predictor: Slot predictor config (``GELUMLPNeck``, ``spatial=False``).
        grouping_loss: ``GroupingDistillationLoss`` config.
        contrastive_loss: ``SlotContrastiveLoss`` config.
        base_momentum: mmpretrain's convention: 0.01 means tau from 0.99 to 1 (cosine).
        group_loss_weight: w.
        data_preprocessor: Defaults to ``SelfSupDataPreprocessor``.
        init_cfg: Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 grouping: dict,
                 predictor: dict,
                 grouping_loss: dict,
                 contrastive_loss: dict,
                 base_momentum: float = 0.01,
                 group_loss_weight: float = 0.5,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.grouping = MODELS.build(grouping)
        self.predictor = MODELS.build(predictor)
        self.grouping_loss = MODELS.build(grouping_loss)
        self.contrastive_loss = MODELS.build(contrastive_loss)
        self.group_loss_weight = group_loss_weight
        self.target_net = ParameterCosineEMA(
            nn.Sequential(self.backbone, self.neck, self.grouping), momentum=base_momentum)

    @staticmethod
    def _group(nets: nn.Sequential, img: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        backbone, neck, grouping = nets
        return grouping(neck(backbone(img)[-1]))

    def extract_feat(self, inputs: torch.Tensor, **kwargs) -> Tuple[torch.Tensor]:
        """Backbone features of the student, (B, C, H, W) per stage in ``out_indices``."""
        return self.backbone(inputs)

    def _predictor_syncs(self) -> bool:
        """Whether the predictor's batch norms pool their statistics over several ranks."""
        return dist.get_world_size() > 1 and any(
            isinstance(m, nn.SyncBatchNorm) for m in self.predictor.modules())

    def _contrast(self, q: torch.Tensor, k: torch.Tensor, score_q: torch.Tensor,
                  score_k: torch.Tensor) -> torch.Tensor:
        """Slot contrast of the student slots ``q`` against the other view's teacher ``k``.

        The predictor runs on the slots valid in both views even when there are none on
        this rank (an empty batch), and the loss gathers the teacher slots of all ranks in
        every case: no rank skips the predictor's SyncBN or the all-gather. A single slot
        cannot be batch-normalised by a plain (un-synced) BN: it is then left out (an empty
        batch), the loss being 0 with a gradient.
        """
        valid_k = slot_valid_mask(score_k).flatten()
        valid_q = slot_valid_mask(score_q).flatten() & valid_k
        if int(valid_q.sum()) == 1 and not self._predictor_syncs():
            valid_q = torch.zeros_like(valid_q)
        pred = self.predictor(q.flatten(0, 1)[valid_q])
        return self.contrastive_loss(pred, k.flatten(0, 1), valid_q, valid_k)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Compute the SlotCon losses.

        Args:
            inputs: The two views, each (B, 3, 224, 224).
            data_samples: Per image, ``view_coords`` (2, 4): each view's overlap box,
                normalised [x1, y1, x2, y2] in that view's frame, and ``view_flips`` (2,).

        Returns:
            ``loss_grouping`` and ``loss_contrastive`` (weighted; their sum is the total).
        """
        assert isinstance(inputs, list) and len(inputs) == 2
        coords = torch.stack([torch.as_tensor(s.view_coords) for s in data_samples]).to(
            inputs[0].device, torch.float32)  # (B, 2, 4)
        flips = torch.stack([torch.as_tensor(s.view_flips) for s in data_samples]).to(
            inputs[0].device).bool()  # (B, 2)
        student = nn.Sequential(self.backbone, self.neck, self.grouping)
        (q1, s1), (q2, s2) = self._group(student, inputs[0]), self._group(student, inputs[1])
        with torch.no_grad():
            self.target_net.update_parameters(student)
            teacher = self.target_net.module
            (k1, t1), (k2, t2) = self._group(teacher, inputs[0]), self._group(teacher, inputs[1])
            t1_aligned = align_to_overlap(t1, coords[:, 0], flips[:, 0])
            t2_aligned = align_to_overlap(t2, coords[:, 1], flips[:, 1])
        s1_aligned = align_to_overlap(s1, coords[:, 0], flips[:, 0])
        s2_aligned = align_to_overlap(s2, coords[:, 1], flips[:, 1])

        w = self.group_loss_weight
        loss_grouping = w * (
            self.grouping_loss(_pixels(s1_aligned), _pixels(t2_aligned)) +
            self.grouping_loss(_pixels(s2_aligned), _pixels(t1_aligned)))
        self.grouping_loss.update_center(torch.cat([_pixels(t1), _pixels(t2)]))
        loss_contrastive = (1 - w) * (
            self._contrast(q1, k2, s1, t2) + self._contrast(q2, k1, s2, t1))
        return dict(loss_grouping=loss_grouping, loss_contrastive=loss_contrastive)


#: SlotCon's method record (see :mod:`orl_mm.structures.method`).
SLOTCON_METHOD = register_method(MethodSpec(
    name='slotcon', label='SlotCon', algorithm='SlotCon', paper='Wen et al., NeurIPS 2022',
    transfer='target',
    transfer_source="SlotCon's transfer/detection/convert_pretrain_to_d2.py keeps "
                    'module.encoder_k.* (teacher)',
    signature_keys=('grouping.', ),
    loss_terms=('loss_grouping', 'loss_contrastive'),
    tiny_config='slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py',
    paper_configs=('slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py', ),
    figure=FigureSpec('prototypes', 'SlotCon: prototype assignment maps (each pixel coloured '
                      'by its winning teacher prototype)',
                      'orl_mm.visualization.prototypes:prototype_sheet')))
