# Single-scale variant of the Table-4 protocol (mask-rcnn_r50_fpn_8xb2-syncbn-ms-90k_coco.py):
# everything the same but the training images, resized to shorter side 800 (longer <= 1333)
# instead of a shorter side drawn from 640-800. NOT the paper's recipe (detectron2's
# MIN_SIZE_TRAIN default is (800,), but ORL's Base-RCNN-FPN.yaml sets the multi-scale list).
_base_ = './mask-rcnn_r50_fpn_8xb2-syncbn-ms-90k_coco.py'

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
