"""SCRL: spatially consistent representation learning (Roh et al., CVPR 2021)."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmcv.ops import RoIAlign
from mmpretrain.models.selfsup.base import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...structures.method import FigureSpec, MethodSpec, register_method
from ..losses import symmetric_byol_loss
from ..utils import ParameterCosineEMA


@MODELS.register_module()
class SCRL(BaseSelfSupervisor):
    """SCRL (Roh et al., *Spatially Consistent Representation Learning*, CVPR 2021).

    BYOL on RoIs: boxes of the same image region in two views (``SCRLBoxSampler``) are
    pooled by RoIAlign (1x1, spatial scale 1/32, adaptive sampling, ``aligned=False``) from
    the res5 map (7x7 at 224) of the online and the target network; the online RoI goes
    through ``neck`` (projector, 2048 -> 4096 -> 256) and the ``head``'s predictor
    (256 -> 4096 -> 256) and regresses the target RoI's projection of the *other* view:
    ``loss_box = mean_boxes (2 - 2 cos(p1, z2)) + mean_boxes (2 - 2 cos(p2, z1))``.
    With SCRL only the box loss is trained; ``image_loss_weight > 0`` adds BYOL's
    image-level term on globally pooled features (same projector and predictor).
    Batch norm sees what it sees in the reference: both views in one backbone batch, the
    RoIs of both views in one projector/predictor batch.

    EMA-tracked: ``target_net = ParameterCosineEMA(Sequential(backbone, neck))`` (target
    backbone keys ``target_net.module.0.*``), initialised independently of the online
    network and averaging parameters only, as the reference does; tau = 1 - (1 -
    tau_base)(cos(pi k / K) + 1) / 2, i.e. ``base_momentum = 1 - tau_base`` (0.03 for
    200 epochs). Under ``accumulative_counts=k`` the target moves once per optimiser step
    (:class:`~orl_mm.engine.hooks.EMAPerOptimStepHook`).

    Args:
        backbone: Backbone config (ResNet-50, ``out_indices=(3,)``).
        neck: Projector config (``FlatNonLinearNeck``).
        head: ``LatentPredictHead`` with the predictor and ``BYOLLoss``.
        base_momentum: 1 - tau_base.
        image_loss_weight: Weight of the optional image-level BYOL term (0: SCRL).
        roi_spatial_scale: Feature stride of the res5 map (1/32).
        data_preprocessor: Defaults to ``SelfSupDataPreprocessor``.
        init_cfg: Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.03,
                 image_loss_weight: float = 0.,
                 roi_spatial_scale: float = 1 / 32,
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
        self.image_loss_weight = image_loss_weight
        self.roi_align = RoIAlign(
            output_size=1, spatial_scale=roi_spatial_scale, sampling_ratio=0, pool_mode='avg',
            aligned=False)
        self.target_net = ParameterCosineEMA(
            nn.Sequential(self.backbone, self.neck), momentum=base_momentum,
            copy_at_start=False)

    def init_weights(self) -> None:
        """Initialise the online network, then the target network on its own.

        SCRL's reference builds the target as a second network and never copies the online
        weights into it (``trainer/trainer.py``: ``_initialize_target_network(
        from_online=False)``); ``target_net`` (``copy_at_start=False``) keeps this
        independent initialisation and starts averaging after the first optimiser step.
        """
        super().init_weights()
        for module in self.target_net.module:
            module.init_weights()

    def _roi_features(self, feat: torch.Tensor, boxes: torch.Tensor,
                      valid: torch.Tensor) -> torch.Tensor:
        """RoIAlign of the valid boxes of both views, view 1's first.

        Args:
            feat: res5 maps of the concatenated views, (2B, C, H, W) (view 1 is 0..B-1).
            boxes: (B, 2, N, 4), [x1, y1, x2, y2] in each view's pixels.
            valid: (B, N) bool.

        Returns:
            (2M, C, 1, 1): the M valid boxes in view 1, then the same boxes in view 2.
        """
        index = valid.nonzero()  # (M, 2): image, box
        num_images = boxes.shape[0]
        rois = [torch.cat([(index[:, :1] + v * num_images).to(feat.dtype),
                           boxes[index[:, 0], v, index[:, 1]].to(feat.dtype)], dim=1)
                for v in range(2)]
        return self.roi_align(feat.contiguous(), torch.cat(rois))

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Compute the box loss (and the optional image loss).

        As SCRL's reference (``trainer/trainer.py``, ``SCRLTrainer._forward``): the backbone
        (online and target) sees both views concatenated, and the projector and predictor
        see the RoIs of both views concatenated, so every batch norm normalises over both
        views. They run even when no image of this rank gave a box (an empty batch), so
        that no rank skips their SyncBN collectives; the loss is then 0 with a gradient.

        Args:
            inputs: The two views, each (B, 3, 224, 224).
            data_samples: Per image, ``view_boxes`` (2, N, 4) [x1, y1, x2, y2] in each
                view's pixels and ``box_valid`` (N,).

        Returns:
            ``loss_box`` (and ``loss_image`` when ``image_loss_weight > 0``).
        """
        assert isinstance(inputs, list) and len(inputs) == 2
        device = inputs[0].device
        boxes = torch.stack([torch.as_tensor(s.view_boxes) for s in data_samples]).to(
            device, torch.float32)  # (B, 2, N, 4)
        valid = torch.stack([torch.as_tensor(s.box_valid) for s in data_samples]).to(
            device).bool()  # (B, N)
        views = torch.cat(inputs)  # (2B, 3, H, W)
        feats = self.backbone(views)[-1]
        with torch.no_grad():
            self.target_net.update_parameters(nn.Sequential(self.backbone, self.neck))
            target_backbone, target_neck = self.target_net.module
            target_feats = target_backbone(views)[-1]

        losses = {'loss_box': self._symmetric_loss(
            self._roi_features(feats, boxes, valid),
            self._roi_features(target_feats, boxes, valid), target_neck)}
        if self.image_loss_weight > 0:
            pool = nn.functional.adaptive_avg_pool2d
            losses['loss_image'] = self.image_loss_weight * self._symmetric_loss(
                pool(feats, 1), pool(target_feats, 1), target_neck)
        return losses

    def _symmetric_loss(self, online: torch.Tensor, target: torch.Tensor,
                        target_neck: nn.Module) -> torch.Tensor:
        """``mean_i (2 - 2 cos(p1_i, z2_i)) + mean_i (2 - 2 cos(p2_i, z1_i))``.

        Args:
            online: Online features of view 1's M items then view 2's, (2M, C, 1, 1).
            target: Target features in the same order, (2M, C, 1, 1).
            target_neck: The target projector.

        Returns:
            A scalar; 0 (with a gradient through every layer) when M = 0.
        """
        pred = self.head.predictor(self.neck([online]))[0]  # (2M, D)
        with torch.no_grad():
            proj = target_neck([target])[0]
        if pred.shape[0] == 0:
            return pred.sum() * 0.
        pred1, pred2 = pred.chunk(2)
        proj1, proj2 = proj.detach().chunk(2)
        return symmetric_byol_loss(self.head.loss_module, pred1, pred2, proj1, proj2)


#: SCRL's method record (see :mod:`orl_mm.structures.method`).
SCRL_METHOD = register_method(MethodSpec(
    name='scrl', label='SCRL', algorithm='SCRL', paper='Roh et al., CVPR 2021',
    transfer='online',
    transfer_source="SCRL's trainer evaluates and saves online_network",
    loss_terms=('loss_box', ),
    tiny_config='scrl/scrl_resnet18_1xb8-tiny-2e_demo.py',
    paper_configs=('scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py',
                   'scrl/scrl_resnet50_32xb256-lars-coslr-200e_in1k.py'),
    figure=FigureSpec('scrl_boxes', 'SCRL: the image with its two crops, then the box pairs '
                      'in each view', 'orl_mm.visualization.scrl_boxes:draw_scrl_boxes')))
