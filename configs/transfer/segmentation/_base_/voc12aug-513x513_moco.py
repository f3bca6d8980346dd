# PASCAL VOC 2012 + SBD ("aug", 10582 training images), SlotCon's
# transfer/segmentation/configs/_base_/datasets/pascal_voc12_aug_513x513_moco.py (on top of
# pascal_voc12.py / pascal_voc12_aug.py) in mmseg 1.x form: 513 x 513 crops of images
# rescaled (ratio 0.5-2.0) around 2049 x 513, no cat_max_ratio and no photometric
# distortion, horizontal flip; test at 2049 x 513 (aspect kept), whole image.
# Normalisation as the reference writes it: mean (0.485, 0.456, 0.406) and std
# (0.229, 0.224, 0.225) applied to 0-255 pixels (mmseg 0.x's Normalize and 1.x's
# SegDataPreProcessor both subtract/divide the raw values), not the 0-1 scale those numbers
# are usually meant for. Kept as the reference has it; docs/segmentation.md gives the
# --cfg-options for the usual ImageNet mean/std on 0-255 pixels.
# Padding to the crop (pixel 0 after normalisation, label 255) is the data preprocessor's
# (mmseg 1.x; set in loaders.py), which pads after normalising as 0.x's pipeline Pad did.
_base_ = './loaders.py'

dataset_type = 'PascalVOCDataset'
data_root = 'data/VOCdevkit/VOC2012'
crop_size = (513, 513)
data_preprocessor = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225], size=crop_size)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(2049, 513), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2049, 513), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
# mmseg 0.x's list-valued ann_dir/split is a ConcatDataset in 1.x
train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
                 ann_file='ImageSets/Segmentation/train.txt', pipeline=train_pipeline),
            dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
                 ann_file='ImageSets/Segmentation/aug.txt', pipeline=train_pipeline),
        ]))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root,
        data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
        ann_file='ImageSets/Segmentation/val.txt', pipeline=test_pipeline))
test_dataloader = val_dataloader
