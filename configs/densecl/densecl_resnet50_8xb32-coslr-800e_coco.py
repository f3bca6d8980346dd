# DenseCL on COCO train2017 (Wang et al., CVPR 2021; WXinlong/DenseCL
# configs/selfsup/densecl/densecl_coco_800ep.py): ResNet-50, batch 256 = 8 GPUs x 32, SGD
# lr 0.3, momentum 0.9, weight decay 1e-4, fp32, 800 epochs.
# lr as the reference's lr_config (mmcv CosineAnnealing, min_lr 0, by epoch, no warm-up):
# lr_e = 0.3 (cos(pi e / 800) + 1) / 2, stepped per epoch (EpochCosineWarmupLR with no
# warm-up).
_base_ = [
    '../_base_/models/densecl_resnet50.py',
    '../_base_/datasets/coco_densecl.py',
    '../_base_/schedules/sgd_coslr-800e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.3, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='EpochCosineWarmupLR', T_max=800, eta_min=0., warmup_epochs=0, by_epoch=True,
         begin=0, end=800, convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=256)
# the reference saves every 40 epochs
default_hooks = dict(checkpoint=dict(interval=40))
