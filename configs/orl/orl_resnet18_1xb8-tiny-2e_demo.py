# Tiny CPU variant of ORL stage 3 for tests and the demo: ResNet-18 with plain BN, small MLPs,
# 64x64 global views and 32x32 RoI patches (about the paper's 224:96), batch 8, 2 epochs.
# The correspondence file: stage 2's output, or for tests the fixture of
# orl_mm.testing.build_fixture_correspondence (pass it with
# --cfg-options train_dataloader.dataset.corr_file=...).
_base_ = './orl_resnet50_8xb64-coslr-800e_coco.py'

predictor = dict(in_channels=64, hid_channels=256, out_channels=64, norm_cfg=dict(type='BN1d'))
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=256, out_channels=64, norm_cfg=dict(type='BN1d')),
    head=dict(predictor=predictor),
    intra_head=dict(predictor=predictor),
    inter_head=dict(predictor=predictor))

global_size = 64
patch_size = 32
color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)],
    prob=0.8)
grayscale = dict(
    type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
color_1 = [
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    dict(type='Solarize', thr=128, prob=0.),
]
color_2 = [
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
]
global_crop = [
    dict(type='RandomResizedCrop', scale=global_size, crop_ratio_range=(0.08, 1.),
         interpolation='bilinear'),
    dict(type='RandomFlip', prob=0.5),
]
patch_crop = [
    dict(type='RoICrop', size=patch_size, interpolation='bilinear'),
    dict(type='RandomFlip', prob=0.5),
]
jitter = dict(type='RoIJitter')
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadNeighbourImage', color_type='color_ignore_orientation'),
    dict(
        type='MultiBranch',
        branches=[
            dict(pipeline=global_crop + color_1),
            dict(pipeline=global_crop + color_2),
            dict(roi_key='intra_box', pipeline=[jitter] + patch_crop + color_1),
            dict(roi_key='intra_box', pipeline=[jitter] + patch_crop + color_2),
            dict(roi_key='inter_query_box', pipeline=patch_crop + color_1),
            dict(img_key='nbr_img', roi_key='inter_key_box', pipeline=patch_crop + color_2),
        ]),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root='data/demo/',
        corr_file='annotations/orl_correspondence.json',
        pipeline=train_pipeline))

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
