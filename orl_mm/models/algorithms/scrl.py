"""SCRL: spatially consistent representation learning (Roh et al., CVPR 2021)."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmcv.ops import RoIAlign
from mmpretrain.models.selfsup.base import BaseSelfSupervisor
from mmpretrain.models.utils import CosineEMA
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


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

    EMA-tracked: ``target_net = CosineEMA(Sequential(backbone, neck))`` (target backbone
    keys ``target_net.module.0.*``); tau = 1 - (1 - tau_base)(cos(pi k / K) + 1) / 2, i.e.
    mmpretrain's ``base_momentum = 1 - tau_base`` (0.03 for 200 epochs).

    Args:
        backbone: Backbone config (ResNet-50, ``out_indices=(3,)``).
        neck: Projector config (``NonLinearNeck``, ``with_avg_pool=False``).
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
        self.target_net = CosineEMA(nn.Sequential(self.backbone, self.neck),
                                    momentum=base_momentum)

    def _roi_features(self, feat: torch.Tensor, boxes: torch.Tensor,
                      valid: torch.Tensor) -> torch.Tensor:
        """RoIAlign of the valid boxes: feat (B, C, H, W), boxes (B, N, 4) -> (M, C, 1, 1)."""
        index = valid.nonzero()  # (M, 2): image, box
        rois = torch.cat([index[:, :1].to(feat.dtype), boxes[index[:, 0], index[:, 1]]], dim=1)
        return self.roi_align(feat.contiguous(), rois)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Compute the box loss (and the optional image loss).

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
        feats = [self.backbone(x)[-1] for x in inputs]
        with torch.no_grad():
            self.target_net.update_parameters(nn.Sequential(self.backbone, self.neck))
            target_backbone, target_neck = self.target_net.module
            target_feats = [target_backbone(x)[-1] for x in inputs]

        losses = {}
        if valid.any():
            online = [self.neck([self._roi_features(feats[v], boxes[:, v], valid)])[0]
                      for v in range(2)]
            with torch.no_grad():
                target = [target_neck([self._roi_features(target_feats[v], boxes[:, v], valid)])[0]
                          for v in range(2)]
            losses['loss_box'] = (self.head.loss(online[0], target[1]) +
                                  self.head.loss(online[1], target[0]))
        else:  # no image of the batch gave boxes: nothing to regress
            losses['loss_box'] = feats[0].sum() * 0.
        if self.image_loss_weight > 0:
            pool = nn.functional.adaptive_avg_pool2d
            online = [self.neck([pool(f, 1)])[0] for f in feats]
            with torch.no_grad():
                target = [target_neck([pool(f, 1)])[0] for f in target_feats]
            losses['loss_image'] = self.image_loss_weight * (
                self.head.loss(online[0], target[1]) + self.head.loss(online[1], target[0]))
        return losses
