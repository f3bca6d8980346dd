# Tiny CPU variant of SCRL for tests and the demo: ResNet-18, 96 px views (3x3 res5 map),
# small MLPs, plain BN, batch 8, 2 epochs on the demo data.
_base_ = './scrl_resnet50_8xb64-lars-coslr-800e_coco.py'

model = dict(
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=128, out_channels=32),
    head=dict(predictor=dict(in_channels=32, hid_channels=128, out_channels=32)))
sync_bn = None

view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', scale=96, crop_ratio_range=(0.2, 1.),
         interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomApply', prob=0.8, transforms=[
        dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
]
view_pipeline2 = view_pipeline1[:-1] + [
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiViewWithGeometry', num_views=[1, 1],
         transforms=[view_pipeline1, view_pipeline2]),
    dict(type='SCRLBoxSampler', num_boxes=10, min_size=16),
    dict(type='PackInputs', algorithm_keys=['view_boxes', 'box_valid']),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root='data/demo/', pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(lr=0.1))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=1, end=2,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=2))
log_processor = dict(window_size=1)
randomness = dict(seed=0)
