# COCO 2017 instances as ORL's Base-RCNN-FPN.yaml / R_50_C4_1x.yaml read them through
# detectron2: shorter side drawn from (640, 672, ..., 800) (INPUT.MIN_SIZE_TRAIN,
# MIN_SIZE_TRAIN_SAMPLING "choice"), longer side at most 1333, horizontal flip; test at
# 800 / 1333; an endless shuffled stream grouped by aspect ratio (detectron2's
# TrainingSampler + ASPECT_RATIO_GROUPING), images without annotations dropped.
_base_ = 'mmdet::_base_/datasets/coco_instance.py'

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize', scales=[(1333, s) for s in range(640, 801, 32)],
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
# mmdet batches lists of differently sized images (pseudo_collate); said explicitly because
# orl_mm's tools/train.py and tools/test.py default to default_collate.
train_dataloader = dict(
    batch_size=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(pipeline=train_pipeline),
    collate_fn=dict(type='pseudo_collate'))
val_dataloader = dict(collate_fn=dict(type='pseudo_collate'))
test_dataloader = val_dataloader
