# CPU smoke test of the transfer pipeline: the one-process Table-4 config
# (mask-rcnn_r50_fpn_1xb2-bn-ms-90k_coco.py) with a ResNet-18 (a tiny stage-1 checkpoint,
# configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py), small images, 10 iterations on a COCO-layout
# set with masks (coco128, or COCO itself; val = 16 of the training images).
#   python tools/train.py \
#       configs/transfer/mmdetection/mask-rcnn_r18_fpn_1xb2-bn-tiny-10i_coco128.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT
# data_root (default data/coco/, as mmdet's configs) is resolved when the file is read: for
# coco128 elsewhere override train_dataloader.dataset.data_root,
# val_dataloader.dataset.data_root, test_dataloader.dataset.data_root, val_evaluator.ann_file
# and test_evaluator.ann_file.
_base_ = './mask-rcnn_r50_fpn_1xb2-bn-ms-90k_coco.py'

data_root = 'data/coco/'  # mmdet's layout; the tests pass coco128's path
model = dict(
    backbone=dict(depth=18),
    neck=dict(in_channels=[64, 128, 256, 512]),
    # few proposals keep the CPU step short
    train_cfg=dict(rpn_proposal=dict(nms_pre=500, max_per_img=200)),
    # score_thr=0: after 10 iterations every score is below mmdet's 0.05, and an empty
    # result list has no COCO metrics; the point here is the pipeline, not the numbers
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=200), rcnn=dict(score_thr=0.0, max_per_img=20)))

scale = (320, 224)
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='annotations/instances_train2017.json',
                 data_prefix=dict(img='train2017/'), pipeline=train_pipeline))
# validation/test on 16 of the training images (CocoMetric scores the images it was given)
val_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(indices=16, data_root=data_root, ann_file='annotations/instances_train2017.json',
                 data_prefix=dict(img='train2017/'), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_train2017.json')
test_evaluator = val_evaluator

train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=10, val_interval=10)
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10)]
optim_wrapper = dict(optimizer=dict(lr=0.0025))
auto_scale_lr = dict(enable=False)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=10))
log_processor = dict(by_epoch=False, window_size=1)
# precise BN over 2 batches instead of 200 (the path runs, in CPU time)
custom_hooks = [dict(type='PretrainedBackboneCheckHook'),
                dict(type='DetectronPreciseBNHook', num_iters=2)]
