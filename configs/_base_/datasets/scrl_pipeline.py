# SCRL's two views: RandomResizedCrop(224, scale 0.2-1, bicubic) + flip, recording each
# view's crop box and flip; BYOL-asymmetric colour (view 1: blur p=1, no solarize;
# view 2: blur p=0.1, solarize p=0.2); then 10 boxes per image in the views' overlap.
crop_size = 224
color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)],
    prob=0.8)
grayscale = dict(
    type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.2, 1.),
         interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
]
view_pipeline2 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.2, 1.),
         interpolation='bicubic', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiViewWithGeometry', num_views=[1, 1],
         transforms=[view_pipeline1, view_pipeline2]),
    dict(type='SCRLBoxSampler', num_boxes=10, min_size=32, iou_threshold=0.5, max_tries=50),
    dict(type='PackInputs', algorithm_keys=['view_boxes', 'box_valid']),
]
