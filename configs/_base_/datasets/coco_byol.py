# ORL stage 1: COCO train2017 as unlabeled scene images with BYOL's two views at 224 px
# (view 1: crop + colour 1, view 2: crop + colour 2; see byol_pipeline.py).
_base_ = './byol_pipeline.py'

dataset_type = 'SceneImageDataset'
data_root = 'data/coco/'

train_pipeline = [
    _base_.load_image,
    dict(type='PILMultiView', num_views=[1, 1],
         transforms=[_base_.view_crop + _base_.color_1, _base_.view_crop + _base_.color_2]),
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
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img_path='train2017/'),
        pipeline=train_pipeline))
