# Tiny CPU variant of SCRL for tests and the demo: ResNet-18, 96 px views (3x3 res5 map),
# boxes of >= 16 px, small MLPs, plain BN, batch 8, 2 epochs on the demo data.
# The views are the full config's (configs/_base_/datasets/scrl_pipeline.py) with the crop
# size and the smallest box size changed, nothing else.
_base_ = './scrl_resnet50_8xb64-lars-coslr-800e_coco.py'
# after _base_: an old-style config
from orl_mm.utils.configs import tiny_cpu_runtime, with_sizes  # noqa: E402

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
# one process, batch 8 on the demo set, logs and checkpoints every epoch, seed 0
(train_dataloader, train_cfg, auto_scale_lr, default_hooks, log_processor,
 randomness) = tiny_cpu_runtime(train_pipeline, epochs=2)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(lr=0.1))  # fp32 on CPU
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=1, end=2,
         convert_to_iter_based=True),
]
