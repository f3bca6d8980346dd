# Tiny CPU variant of SlotCon for tests and the demo: ResNet-18, 64 px views (2x2 res5
# map), small MLPs, 16 prototypes, plain BN, batch 8, 2 epochs on the demo data.
# The views are the full config's (configs/_base_/datasets/coco_slotcon.py) with the crop
# size changed, nothing else.
_base_ = './slotcon_resnet50_8xb64-lars-coslr-800e_coco.py'
from orl_mm.utils.configs import with_sizes  # noqa: E402 (after _base_: an old-style config)

num_prototypes = 16
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=128, out_channels=32, norm_cfg=dict(type='BN')),
    grouping=dict(num_prototypes=num_prototypes, dim=32),
    predictor=dict(in_channels=32, hid_channels=128, out_channels=32,
                   norm_cfg=dict(type='BN1d')),
    grouping_loss=dict(num_prototypes=num_prototypes))

crop_size = 64
train_pipeline = with_sizes(_base_.train_pipeline,
                            RandomResizedCropWithBox=dict(scale=crop_size))
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root='data/demo/', pipeline=train_pipeline))

optim_wrapper = dict(type='OptimWrapper', optimizer=dict(lr=0.1))  # fp32 on CPU
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=1, eta_min=1e-6, by_epoch=True, begin=1, end=2,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=2))
log_processor = dict(window_size=1)
randomness = dict(seed=0)
