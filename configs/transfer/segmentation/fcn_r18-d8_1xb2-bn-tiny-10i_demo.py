# CPU smoke test of the segmentation transfer: the FCN R-D8 of the ADE20K config
# (_base_/fcn_r50-d8.py) with a ResNet-18 (a tiny stage-1 checkpoint,
# configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py), thin heads, BN instead of SyncBN, 128 x 128
# crops, 10 iterations on the embedded demo set's masks (tools/misc/build_demo_data.py writes
# SegmentationClass/*.png beside train2017/: 0 background, k = the k-th demo class);
# validation on 4 of the training images.
#   python tools/train.py configs/transfer/segmentation/fcn_r18-d8_1xb2-bn-tiny-10i_demo.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT
# data_root (default data/demo/, the demo builder's) is resolved when the file is read: for a
# set elsewhere override train_dataloader.dataset.data_root and val_dataloader's.
_base_ = ['./_base_/fcn_r50-d8.py', './_base_/loaders.py', './_base_/runtime.py']

norm_cfg = dict(type='BN', requires_grad=True)
crop_size = (128, 128)
# orl_mm.demo.CLASSES after the background
classes = ('background', 'person', 'cat', 'cup', 'rocket', 'motorcycle', 'flower')
model = dict(
    data_preprocessor=dict(
        type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=crop_size),
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    decode_head=dict(in_channels=512, channels=64, num_classes=len(classes), norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=256, channels=32, num_classes=len(classes),
                        norm_cfg=norm_cfg))

data_root = 'data/demo/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(160, 128), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(160, 128), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
dataset = dict(type='BaseSegDataset', data_root=data_root, metainfo=dict(classes=classes),
               data_prefix=dict(img_path='train2017', seg_map_path='SegmentationClass'),
               img_suffix='.jpg', seg_map_suffix='.png')
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline, **dataset))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=test_pipeline, indices=4, **dataset))
test_dataloader = val_dataloader

max_iters = 10
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4),
    clip_grad=None)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, by_epoch=False, begin=0, end=max_iters + 1)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=max_iters))
log_processor = dict(by_epoch=False, window_size=1)
