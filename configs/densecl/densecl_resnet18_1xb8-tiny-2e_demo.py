# Tiny CPU variant of DenseCL for tests and the demo: ResNet-18, 64 px views (2x2 res5
# grid), small projections (512 -> 128 -> 32), queues of 64 keys, batch 8, 2 epochs on the
# demo data. The full config's views (configs/_base_/datasets/coco_densecl.py) with the crop
# size changed, nothing else.
_base_ = './densecl_resnet50_8xb32-coslr-800e_coco.py'
# after _base_: an old-style config
from orl_mm.utils.configs import tiny_cpu_runtime, with_sizes  # noqa: E402

model = dict(
    queue_len=64,
    feat_dim=32,
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=128, out_channels=32))

view_size = 64
train_pipeline = with_sizes(_base_.train_pipeline, PILRandomResizedCrop=dict(scale=view_size))
# one process, batch 8 on the demo set, logs and checkpoints every epoch, seed 0
(train_dataloader, train_cfg, auto_scale_lr, default_hooks, log_processor,
 randomness) = tiny_cpu_runtime(train_pipeline, epochs=2)

optim_wrapper = dict(optimizer=dict(lr=0.3 * 8 / 256))  # the paper's lr per 256 images, linearly
# the full config's schedule (per-epoch cosine, no warm-up), 2 epochs
param_scheduler = [
    dict(type='EpochCosineWarmupLR', T_max=2, eta_min=0., warmup_epochs=0, by_epoch=True,
         begin=0, end=2, convert_to_iter_based=True),
]
