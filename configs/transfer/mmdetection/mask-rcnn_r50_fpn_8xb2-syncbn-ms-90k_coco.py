# Mask R-CNN R50-FPN on COCO, the transfer protocol of ORL's Table 4: ORL's
# benchmarks/detection/configs/R_50_FPN_1x.yaml with the inputs of R_50_FPN_1x_infomin.yaml
# (the one for self-supervised, torchvision-style weights: RGB, ImageNet mean/std,
# STRIDE_IN_1X1 False = mmdet's style='pytorch'). SyncBN in the backbone, the FPN and both
# heads (4conv1fc box head), all stages fine-tuned (FREEZE_AT 0: frozen_stages=-1) with BN
# statistics updated (norm_eval=False); multi-scale training (shorter side 640-800, step 32);
# detectron2's 1x solver (_base_/detectron2_90k.py: 90k iterations of 16 images, warm-up
# 1000, steps 60k/80k, no weight decay on norms, precise BN).
#
#   mim train mmdet configs/transfer/mmdetection/mask-rcnn_r50_fpn_8xb2-syncbn-ms-90k_coco.py \
#       --launcher pytorch -G 8 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
#
# CKPT: any orl_mm checkpoint (stage 1 BYOL, ORL, SCRL, SlotCon, DenseCL) or an exported
# backbone. OrlPretrained (weights='auto') takes the backbone the method's paper transfers
# (SlotCon: the teacher; the others: the online network) and logs which; override with
# model.backbone.init_cfg.weights=online|target.
# Single-scale variant: mask-rcnn_r50_fpn_8xb2-syncbn-90k_coco.py; one process:
# mask-rcnn_r50_fpn_1xb2-bn-ms-90k_coco.py.
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    './_base_/coco-instance_ms-640-800.py',
    './_base_/detectron2_90k.py',
]

norm_cfg = dict(type='SyncBN', requires_grad=True)
# set with --cfg-options model.backbone.init_cfg.checkpoint=...
pretrained = 'work_dirs/orl/epoch_800.pth'

model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=dict(type='OrlPretrained', checkpoint=pretrained, weights='auto')),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', conv_out_channels=256,
                       norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))
