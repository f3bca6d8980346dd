# Mask R-CNN R50-C4 1x on COCO, as ORL's benchmarks/detection/configs/R_50_C4_1x_infomin.yaml
# (Base-RCNN-C4-BN.yaml, MoCo's detection protocol; the _infomin inputs for torchvision-style
# weights: RGB, ImageNet mean/std, STRIDE_IN_1X1 False): a PyTorch-style ResNet-50 whose
# res2-res4 are the backbone and res5 the shared RoI head, followed by one more SyncBN
# (Res5ROIHeadsExtraNorm: mmpretrain's ResLayerExtraNorm), SyncBN everywhere, nothing frozen
# (FREEZE_AT 0) and BN statistics updated; shorter side 640-800 for training, 800 for
# testing; RPN test 6000 -> 1000 proposals; detectron2's 1x solver (_base_/detectron2_90k.py:
# 90k iterations of 16 images, warm-up 1000, steps 60k/80k, no weight decay on norms,
# precise BN).
#
#   mim train mmdet configs/transfer/mmdetection/mask-rcnn_r50_c4_8xb2-syncbn-ms-90k_coco.py \
#       --launcher pytorch -G 8 --cfg-options model.backbone.init_cfg.checkpoint=CKPT \
#       model.roi_head.shared_head.init_cfg.checkpoint=CKPT
#
# Both init_cfgs read the same checkpoint with OrlPretrained (weights='auto': what the
# method transfers): the backbone takes conv1-res4, the shared head res5 (layer4.*); the
# extra norm keeps its init (weight 1, bias 0).
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50-caffe-c4.py',
    './_base_/coco-instance_ms-640-800.py',
    './_base_/detectron2_90k.py',
]

norm_cfg = dict(type='SyncBN', requires_grad=True)
# set with --cfg-options model.backbone.init_cfg.checkpoint=... (and the shared head's)
pretrained = 'work_dirs/orl/epoch_800.pth'
init_cfg = dict(type='OrlPretrained', checkpoint=pretrained, weights='auto')

model = dict(
    # PyTorch-style (torchvision) weights: RGB input normalised by ImageNet mean/std
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True),
    backbone=dict(style='pytorch', frozen_stages=-1, norm_cfg=norm_cfg, norm_eval=False,
                  init_cfg=init_cfg),
    roi_head=dict(
        shared_head=dict(type='ResLayerExtraNorm', style='pytorch', norm_cfg=norm_cfg,
                         norm_eval=False, init_cfg=init_cfg)))
