# Cityscapes fine (2975 train / 500 val), SlotCon's
# transfer/segmentation/configs/_base_/datasets/cityscapes_769x769_moco.py (on top of
# cityscapes.py) in mmseg 1.x form: 769 x 769 crops of images rescaled (ratio 0.5-2.0)
# around 2049 x 1025, no cat_max_ratio and no photometric distortion, horizontal flip; test
# at 2049 x 1025 (the sliding window is the model's test_cfg, in the config).
# Normalisation as the reference writes it: mean (0.485, 0.456, 0.406) / std
# (0.229, 0.224, 0.225) on 0-255 pixels (see voc12aug-513x513_moco.py).
# Labels: gtFine/*_gtFine_labelTrainIds.png (19 classes), as mmseg's CityscapesDataset reads
# them (mmseg's tools/dataset_converters/cityscapes.py writes them).
_base_ = './loaders.py'

dataset_type = 'CityscapesDataset'
data_root = 'data/cityscapes/'
crop_size = (769, 769)
data_preprocessor = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225], size=crop_size)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(2049, 1025), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2049, 1025), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        type=dataset_type, data_root=data_root,
        data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root,
        data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
