# ORL stage 1: COCO train2017 as unlabeled scene images with BYOL's two views at 224 px
# (view 1: crop + colour 1, view 2: crop + colour 2; see byol_pipeline.py).
_base_ = ['./byol_pipeline.py', './coco_train2017.py']


train_pipeline = [
    _base_.load_image,
    dict(type='PILMultiView', num_views=[1, 1],
         transforms=[_base_.view_crop + _base_.color_1, _base_.view_crop + _base_.color_2]),
    dict(type='PackInputs'),
]

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
