# ADE20K (ADEChallengeData2016: 20210 train / 2000 val, 150 classes), SlotCon's
# transfer/segmentation/configs/_base_/datasets/ade20k.py (mmseg 0.x's own) in mmseg 1.x
# form: labels with 0 ("other") dropped (reduce_zero_label), 512 x 512 crops of images
# rescaled (ratio 0.5-2.0) around 2048 x 512 with at most 75% of a crop one class
# (cat_max_ratio), horizontal flip, photometric distortion; ImageNet mean/std on 0-255
# pixels; test at 2048 x 512 (aspect kept), whole image.
_base_ = './loaders.py'

dataset_type = 'ADE20KDataset'
data_root = 'data/ade/ADEChallengeData2016'
crop_size = (512, 512)
data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], size=crop_size)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=4,
    dataset=dict(
        type=dataset_type, data_root=data_root,
        data_prefix=dict(img_path='images/training', seg_map_path='annotations/training'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root,
        data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
