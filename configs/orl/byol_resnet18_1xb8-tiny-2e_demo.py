# Tiny CPU variant of ORL stage 1 for tests and the demo: ResNet-18 with plain BN, 64x64
# views, small MLPs, batch 8, 2 epochs on the embedded demo set (tools/misc/build_demo_data.py).
# Same pipeline shape as the full config (BYOL-asymmetric), smaller crops.
_base_ = './byol_resnet50_8xb64-coslr-800e_coco.py'

# plain BN everywhere (mmpretrain's necks default to SyncBN, which needs GPUs)
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=256, out_channels=64, norm_cfg=dict(type='BN1d')),
    head=dict(
        predictor=dict(
            in_channels=64, hid_channels=256, out_channels=64, norm_cfg=dict(type='BN1d'))))

crop_size = 64
color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)],
    prob=0.8)
grayscale = dict(
    type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
view_pipeline1 = [
    dict(type='RandomResizedCrop', scale=crop_size, interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    dict(type='Solarize', thr=128, prob=0.),
]
view_pipeline2 = [
    dict(type='RandomResizedCrop', scale=crop_size, interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root='data/demo/', pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=1, end=2,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=2))
log_processor = dict(window_size=1)
randomness = dict(seed=0)
