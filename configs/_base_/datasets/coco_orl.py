# ORL stage 3 data: COCO train2017 + the stage-2 correspondence file (reference layout).
# Six images per sample: 2 global views (RandomResizedCrop 224, scale (0.08, 1), bilinear,
# flip), 2 intra-RoI patches (one box jittered twice, crop + resize 96, flip) and 2 inter-RoI
# patches (a mined pair: query box here, key box in a k-NN image; crop + resize 96, flip).
# The colour pipeline is BYOL-asymmetric and identical for views and patches:
# branch 1 blur p=1.0, solarize p=0; branch 2 blur p=0.1, solarize p=0.2.
# Images are decoded without EXIF rotation, so pixels match the box coordinates (which are
# in the stored orientation, like COCO's annotations and the image-header sizes).
dataset_type = 'CorrespondenceDataset'
data_root = 'data/coco/'
global_size = 224
patch_size = 96

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
jitter = dict(type='RoIJitter', scale_range=(0.5, 2.), ratio_range=(0.5, 2.),
              shift_range=(-0.5, 0.5), min_iou=0.5, max_attempts=200)

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
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        corr_file='annotations/orl_correspondence_train2017.json',
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img_path='train2017/'),
        pipeline=train_pipeline))
