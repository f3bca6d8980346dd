# COCO train2017 for SlotCon (reference data/transforms.py, CustomDataAugmentation): two
# 224 crops (scale 0.08-1, PIL bicubic), drawn as CustomTwoCrop does (crop_rule='slotcon':
# Python's random; the second's box is drawn up to 10 times until it overlaps the first by
# >= 1% of its target area, else drawn unconditioned); each view keeps its crop box and flip, from
# which the overlap box in each view is computed; BYOL-asymmetric colour (Gaussian blur
# p=1.0 / 0.1, solarize p=0 / 0.2). Written once: the tiny config changes `crop_size` only.
dataset_type = 'SceneImageDataset'
data_root = 'data/coco/'
crop_size = 224

color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)],
    prob=0.8)
grayscale = dict(
    type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.08, 1.),
         interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    dict(type='Solarize', thr=128, prob=0.),
]
view_pipeline2 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.08, 1.),
         interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='MultiViewWithGeometry',
        num_views=[1, 1],
        transforms=[view_pipeline1, view_pipeline2],
        crop_rule='slotcon',
        min_overlap=0.01,
        max_tries=10),
    dict(type='SlotConOverlapBoxes'),
    dict(type='PackInputs', algorithm_keys=['view_coords', 'view_flips']),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img_path='train2017/'),
        pipeline=train_pipeline))
