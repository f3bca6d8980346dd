# Mask R-CNN R50-C4 1x on COCO, as ORL's benchmarks/detection/configs/R_50_C4_1x.yaml
# (Base-RCNN-C4-BN.yaml, the MoCo detection protocol): a PyTorch-style ResNet-50 whose
# res2-res4 are the backbone and res5 the shared RoI head, SyncBN everywhere, nothing frozen
# (FREEZE_AT 0) and BN statistics updated; shorter side in [640, 800] for training, 800 for
# testing; RPN test 6000 -> 1000 proposals; 8 GPUs x 2 images, lr 0.02, 90k iterations
# (12 epochs here, mmdet's 1x).
#
#   mim train mmdet configs/benchmarks/mmdetection/mask-rcnn_r50_c4_8xb2-syncbn-ms-1x_coco.py \
#       --launcher pytorch -G 8 --cfg-options model.backbone.init_cfg.checkpoint=CKPT \
#       model.roi_head.shared_head.init_cfg.checkpoint=CKPT
#
# Both init_cfgs read the same checkpoint: the backbone takes res2-res4 and the shared head
# res5 (layer4.*), both under the prefix 'backbone.' (online network) or
# 'target_net.module.0.' (EMA target / teacher: set both prefixes).
# Differences from detectron2's C4 head: mmdet has no "Res5ROIHeadsExtraNorm" (an extra BN
# after res5 in the box head) and no precise BN at test time.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50-caffe-c4_1x_coco.py'

custom_imports = dict(imports=['orl_mm'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
# set with --cfg-options model.backbone.init_cfg.checkpoint=... (and the shared head's)
pretrained = 'work_dirs/orl/epoch_800.pth'

model = dict(
    # PyTorch-style (torchvision) weights: RGB input normalised by ImageNet mean/std
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True),
    backbone=dict(
        style='pytorch',
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    roi_head=dict(
        shared_head=dict(
            style='pytorch',
            norm_cfg=norm_cfg,
            norm_eval=False,
            init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.'))))

custom_hooks = [dict(type='PretrainedBackboneCheckHook')]

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize',
         scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768), (1333, 800)],
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
# mmdet batches lists of differently sized images (pseudo_collate); said explicitly because
# orl_mm's tools/train.py and tools/test.py default to default_collate.
train_dataloader = dict(dataset=dict(pipeline=train_pipeline),
                        collate_fn=dict(type='pseudo_collate'))
val_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
test_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
