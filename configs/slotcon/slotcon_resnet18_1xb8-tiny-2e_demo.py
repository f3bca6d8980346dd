# Tiny CPU variant of SlotCon for tests and the demo: ResNet-18, 64 px views (2x2 res5
# map), small MLPs, 16 prototypes, plain BN, batch 8, 2 epochs on the demo data.
_base_ = './slotcon_resnet50_8xb64-lars-coslr-800e_coco.py'

num_prototypes = 16
model = dict(
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=128, out_channels=32),
    grouping=dict(num_prototypes=num_prototypes, dim=32),
    predictor=dict(in_channels=32, hid_channels=128, out_channels=32),
    grouping_loss=dict(num_prototypes=num_prototypes))
sync_bn = None

crop_size = 64
view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.08, 1.),
         backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomApply', prob=0.8, transforms=[
        dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
]
view_pipeline2 = view_pipeline1[:-1] + [
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiViewWithGeometry', num_views=[1, 1],
         transforms=[view_pipeline1, view_pipeline2], min_overlap=0.01, max_tries=10),
    dict(type='SlotConOverlapBoxes'),
    dict(type='PackInputs', algorithm_keys=['view_coords', 'view_flips']),
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
    dict(type='CosineAnnealingLR', T_max=1, eta_min=1e-6, by_epoch=True, begin=1, end=2,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=2))
log_processor = dict(window_size=1)
randomness = dict(seed=0)
