# Tiny CPU variant of DenseCL for tests and the demo: ResNet-18, 64 px views (2x2 res5
# grid), small projections (512 -> 128 -> 32), queues of 64 keys, batch 8, 2 epochs on the
# demo data. The full config's views (configs/_base_/datasets/coco_densecl.py) with the crop
# size changed, nothing else.
_base_ = './densecl_resnet50_8xb32-coslr-800e_coco.py'
from orl_mm.utils.configs import with_sizes  # noqa: E402 (after _base_: an old-style config)

model = dict(
    queue_len=64,
    feat_dim=32,
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=128, out_channels=32))

view_size = 64
train_pipeline = with_sizes(_base_.train_pipeline, PILRandomResizedCrop=dict(scale=view_size))
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root='data/demo/', pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=0.3 * 8 / 256))  # the paper's lr per 256 images, linearly
# the full config's schedule (per-epoch cosine, no warm-up), 2 epochs
param_scheduler = [
    dict(type='EpochCosineWarmupLR', T_max=2, eta_min=0., warmup_epochs=0, by_epoch=True,
         begin=0, end=2, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=8)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=2))
log_processor = dict(window_size=1)
randomness = dict(seed=0)
