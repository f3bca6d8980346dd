# The Table-4 protocol with multi-scale training (shorter side sampled in [640, 800], as
# detectron2's MoCo/ORL configs), same 1x schedule and single-scale (1333, 800) test.
_base_ = './mask-rcnn_r50_fpn_8xb2-syncbn-1x_coco.py'

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize',
         scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768), (1333, 800)],
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
