# Tiny CPU variant of SCRL for tests and the demo: ResNet-18, 96 px views (3x3 res5 map),
# boxes of >= 16 px, small MLPs, plain BN, batch 8, 2 epochs on the demo data.
# The views are the full config's (configs/_base_/datasets/scrl_pipeline.py) with the crop
# size and the smallest box size changed, nothing else.
_base_ = './scrl_resnet50_8xb64-lars-coslr-800e_coco.py'
from orl_mm.utils.configs import with_sizes  # noqa: E402 (after _base_: an old-style config)

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=128, out_channels=32, norm_cfg=dict(type='BN1d')),
    head=dict(predictor=dict(in_channels=32, hid_channels=128, out_channels=32,
                             norm_cfg=dict(type='BN1d'))))

crop_size = 96
box_min_size = 16
train_pipeline = with_sizes(_base_.train_pipeline,
                            RandomResizedCropWithBox=dict(scale=crop_size),
                            SCRLBoxSampler=dict(min_size=box_min_size))
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root='data/demo/', pipeline=train_pipeline))
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(lr=0.1))  # fp32 on CPU
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=1, end=2,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=2))
log_processor = dict(window_size=1)
randomness = dict(seed=0)
