# Tiny CPU variant of ORL stage 3 for tests and the demo: ResNet-18 with plain BN, small MLPs,
# 64x64 global views and 32x32 RoI patches (about the paper's 224:96), batch 8, 2 epochs.
# The correspondence file: stage 2's output, or for tests the fixture of
# orl_mm.testing.build_fixture_correspondence (pass it with
# --cfg-options train_dataloader.dataset.corr_file=...).
_base_ = './orl_resnet50_8xb64-coslr-800e_coco.py'
# after _base_: an old-style config
from orl_mm.utils.configs import tiny_cpu_runtime, with_sizes  # noqa: E402

predictor = dict(in_channels=64, hid_channels=256, out_channels=64, norm_cfg=dict(type='BN1d'))
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=256, out_channels=64, norm_cfg=dict(type='BN1d')),
    head=dict(predictor=predictor),
    intra_head=dict(predictor=predictor),
    inter_head=dict(predictor=predictor))

# the full config's pipeline (configs/_base_/datasets/coco_orl.py), smaller sizes only
view_size = 64
patch_size = 32
train_pipeline = with_sizes(_base_.train_pipeline, PILRandomResizedCrop=dict(scale=view_size),
                            RoICrop=dict(size=patch_size))

# one process, batch 8 on the demo set, logs and checkpoints every epoch, seed 0
(train_dataloader, train_cfg, auto_scale_lr, default_hooks, log_processor,
 randomness) = tiny_cpu_runtime(train_pipeline, epochs=2,
                                corr_file='annotations/orl_correspondence.json')

optim_wrapper = dict(type='OptimWrapper', optimizer=dict(lr=0.05))  # fp32 on CPU
# the full config's schedule (mmcv's per-epoch cosine with its warm-up), 2 epochs
param_scheduler = [
    dict(type='EpochCosineWarmupLR', T_max=2, eta_min=0., warmup_epochs=1, warmup_ratio=0.1,
         by_epoch=True, begin=0, end=2, convert_to_iter_based=True),
]
