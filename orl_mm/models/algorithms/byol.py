"""BYOL (Grill et al., NeurIPS 2020): ORL's stage 1, and its method record.

mmpretrain provides the model (``mmpretrain.models.BYOL``). Its target is a ``CosineEMA``,
which copies the online network's buffers (batch-norm running statistics) into the target
at every update. ORL's reference BYOL (``openselfsup/models/byol.py``, ``_momentum_update``)
averages parameters only, so its target keeps its own statistics. :class:`BYOLParamEMA` is
mmpretrain's BYOL with that target and nothing else changed.
"""
from typing import List, Optional, Union

import torch.nn as nn
from mmpretrain.models import BYOL
from mmpretrain.registry import MODELS

from ...structures.method import MethodSpec, register_method
from ..utils import ParameterCosineEMA


@MODELS.register_module()
class BYOLParamEMA(BYOL):
    """mmpretrain's ``BYOL`` whose EMA target averages parameters only.

    Same modules, state-dict keys (``target_net.module.0.*`` backbone,
    ``target_net.module.1.*`` projector), loss and gradients as mmpretrain's ``BYOL``; the
    target is a :class:`~orl_mm.models.utils.ParameterCosineEMA` with ``copy_at_start=True,
    after_step=True``: call 0 (before the first target forward) copies the online
    parameters, call ``k`` averages with τ_{k-1} = 1 - base_momentum (cos(π (k-1)/K) + 1)/2
    (reference ``BYOLHook``: ``m`` from ``runner.iter`` before the iteration, the update
    after its optimiser step, every iteration). The target's batch-norm running statistics
    are its own, moved by its own forwards in train mode. Under ``accumulative_counts=k``
    the target moves once per optimiser step (:class:`~orl_mm.engine.hooks.
    EMAPerOptimStepHook`), as the reference ``BYOLHook(update_interval=k)``.

    Args:
        backbone: Config of the backbone.
        neck: Config of the projector.
        head: Config of the predictor head.
        base_momentum: ``1 - τ_base`` (mmpretrain's convention; 0.01 means τ 0.99 -> 1).
        pretrained: Optional checkpoint to initialise from.
        data_preprocessor: Config of the data preprocessor.
        init_cfg: Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.01,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head,
                         base_momentum=base_momentum, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.target_net = ParameterCosineEMA(
            nn.Sequential(self.backbone, self.neck), momentum=base_momentum,
            copy_at_start=True, after_step=True)


#: BYOL's method record (see :mod:`orl_mm.structures.method`). Checkpoints written before
#: BYOLParamEMA (model type ``BYOL``, mmpretrain's class) resolve to it too.
BYOL_METHOD = register_method(MethodSpec(
    name='byol', label='BYOL', algorithm='BYOLParamEMA', paper='Grill et al., NeurIPS 2020',
    algorithm_aliases=('BYOL',),
    transfer='online',
    transfer_source="ORL's tools/extract_backbone_weights.py keeps backbone.* (online)",
    loss_note="mmpretrain's convention, -2 cos per view pair (-4 to 0)",
    tiny_config='orl/byol_resnet18_1xb8-tiny-2e_demo.py',
    paper_configs=('orl/byol_resnet50_8xb64-coslr-800e_coco.py',
                   'orl/byol_resnet50_8xb64-coslr-800e_coco-plus.py')))
