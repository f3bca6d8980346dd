# Faster R-CNN R50-C4 on PASCAL VOC07+12, the detection transfer of MoCo and the SSL papers
# after it, which ORL's docs name (docs/GETTING_STARTED.md: configs/pascal_voc_R_50_C4_24k_moco
# .yaml; the file itself is MoCo's, detection/configs/, not in ORL's repository):
# pascal_voc_R_50_C4_24k.yaml + Base-RCNN-C4-BN.yaml with the _moco inputs (RGB, ImageNet
# mean/std, STRIDE_IN_1X1 False). The C4 model of mask-rcnn_r50_c4_8xb2-syncbn-ms-90k_coco.py
# (res5 head + extra norm, SyncBN, nothing frozen), trained on VOC2007 trainval + VOC2012
# trainval, tested on VOC2007 test; shorter side in [480, 800] (step 32) for training, 800 for
# testing; detectron2's solver (_base_/detectron2_90k.py) with 100 warm-up iterations
# (WARMUP_ITERS 100), 24k iterations, lr x0.1 at 18k and 22k. Scored as detectron2 scores
# VOC2007: 11-point AP at IoU 0.5, 0.55, ..., 0.95 (pascal_voc/AP50, AP75; mAP = their mean).
# MoCo's Base-RCNN-C4-BN.yaml uses NORM "naiveSyncBN" (ORL's copy: "SyncBN"); SyncBN here.
#
# Data layout (mmdet's voc0712; `python tools/misc/check_data.py voc data/VOCdevkit` checks it):
#   data/VOCdevkit/VOC2007/{Annotations,JPEGImages,ImageSets/Main/{trainval,test}.txt}
#   data/VOCdevkit/VOC2012/{Annotations,JPEGImages,ImageSets/Main/trainval.txt}
#
#   mim train mmdet \
#       configs/transfer/mmdetection/faster-rcnn_r50_c4_8xb2-syncbn-ms-24k_voc0712.py \
#       --launcher pytorch -G 8 --cfg-options model.backbone.init_cfg.checkpoint=CKPT \
#       model.roi_head.shared_head.init_cfg.checkpoint=CKPT
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50-caffe-c4.py',
    'mmdet::_base_/datasets/voc0712.py',
    './_base_/detectron2_90k.py',
]

norm_cfg = dict(type='SyncBN', requires_grad=True)
pretrained = 'work_dirs/orl/epoch_800.pth'
init_cfg = dict(type='OrlPretrained', checkpoint=pretrained, weights='auto')

model = dict(
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True),
    backbone=dict(style='pytorch', frozen_stages=-1, norm_cfg=norm_cfg, norm_eval=False,
                  init_cfg=init_cfg),
    roi_head=dict(
        shared_head=dict(type='ResLayerExtraNorm', style='pytorch', norm_cfg=norm_cfg,
                         norm_eval=False, init_cfg=init_cfg),
        bbox_head=dict(num_classes=20)))

scales = [(1333, s) for s in range(480, 801, 32)]
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize', scales=scales, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
data_root = 'data/VOCdevkit/'
voc_trainval = dict(
    type='VOCDataset',
    data_root=data_root,
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=train_pipeline,
    backend_args=None)
train_dataloader = dict(
    batch_size=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(_delete_=True, type='ConcatDataset', datasets=[
        dict(voc_trainval, ann_file='VOC2007/ImageSets/Main/trainval.txt',
             data_prefix=dict(sub_data_root='VOC2007/')),
        dict(voc_trainval, ann_file='VOC2012/ImageSets/Main/trainval.txt',
             data_prefix=dict(sub_data_root='VOC2012/')),
    ]),
    collate_fn=dict(type='pseudo_collate'))
test_pipeline = [  # MIN_SIZE_TEST 800, MAX_SIZE_TEST 1333
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline),
                      collate_fn=dict(type='pseudo_collate'))
test_dataloader = val_dataloader

max_iter = 24000
train_cfg = dict(max_iters=max_iter, val_interval=max_iter)
param_scheduler = [
    # WARMUP_ITERS 100 (end=101: mmengine's LinearLR reaches 1 at iteration end - 1)
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=101),
    dict(type='MultiStepLR', begin=0, end=max_iter, by_epoch=False, milestones=[18000, 22000],
         gamma=0.1),
]
val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='11points',
                     iou_thrs=[0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
test_evaluator = val_evaluator
