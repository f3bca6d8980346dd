# CPU smoke test of the C4 transfer pipeline: mask-rcnn_r50_c4_8xb2-syncbn-ms-90k_coco.py with
# a ResNet-18 (res2-res4 backbone, res5 shared head + extra norm, both from one tiny stage-1
# checkpoint), plain BN (one process), small images, 10 iterations on coco128 (val = 16 of the
# same images).
#   python tools/train.py \
#       configs/transfer/mmdetection/mask-rcnn_r18_c4_1xb2-bn-tiny-10i_coco128.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT \
#       model.roi_head.shared_head.init_cfg.checkpoint=CKPT
# data_root as in mask-rcnn_r18_fpn_1xb2-bn-tiny-10i_coco128.py (override it from elsewhere).
_base_ = './mask-rcnn_r50_c4_8xb2-syncbn-ms-90k_coco.py'

data_root = 'data/coco/'  # mmdet's layout; the tests pass coco128's path
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    rpn_head=dict(in_channels=256, feat_channels=256),
    roi_head=dict(
        shared_head=dict(depth=18, norm_cfg=norm_cfg),
        bbox_roi_extractor=dict(out_channels=256),
        bbox_head=dict(in_channels=512),
        mask_head=dict(in_channels=512)),
    # few proposals and RoIs keep the CPU step short (res5 runs on every sampled RoI)
    train_cfg=dict(rpn_proposal=dict(nms_pre=500, max_per_img=200),
                   rcnn=dict(sampler=dict(num=64))),
    # score_thr=0: after 10 iterations every score is below 0.05 (see the FPN tiny config)
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
