# Tiny CPU variant of ORL stage 1 for tests and the demo: ResNet-18 with plain BN, 64x64
# views, small MLPs, batch 8, 2 epochs on the embedded demo set (tools/misc/build_demo_data.py).
# The full config's pipeline, smaller crops only.
_base_ = './byol_resnet50_8xb64-coslr-800e_coco.py'
# after _base_: an old-style config
from orl_mm.utils.configs import tiny_cpu_runtime, with_sizes  # noqa: E402

# plain BN everywhere (mmpretrain's necks default to SyncBN, which needs GPUs)
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=256, out_channels=64, norm_cfg=dict(type='BN1d')),
    head=dict(
        predictor=dict(
            in_channels=64, hid_channels=256, out_channels=64, norm_cfg=dict(type='BN1d'))))

# the full config's pipeline (configs/_base_/datasets/byol_pipeline.py), smaller views only
view_size = 64
train_pipeline = with_sizes(_base_.train_pipeline, PILRandomResizedCrop=dict(scale=view_size))

# one process, batch 8 on the demo set, logs and checkpoints every epoch, seed 0
(train_dataloader, train_cfg, auto_scale_lr, default_hooks, log_processor,
 randomness) = tiny_cpu_runtime(train_pipeline, epochs=2)

optim_wrapper = dict(type='OptimWrapper', optimizer=dict(lr=0.05))  # fp32 on CPU
# the full config's schedule (mmcv's per-epoch cosine with its warm-up), 2 epochs
param_scheduler = [
    dict(type='EpochCosineWarmupLR', T_max=2, eta_min=0., warmup_epochs=1, warmup_ratio=0.1,
         by_epoch=True, begin=0, end=2, convert_to_iter_based=True),
]
