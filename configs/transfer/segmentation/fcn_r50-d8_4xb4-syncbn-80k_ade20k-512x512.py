# FCN R50-D8 on ADE20K, the protocol SlotCon's README runs for ADE20K:
# transfer/segmentation/configs/ade20k/fcn_r50-d8_512x512_80k_ade20k.py with
# _base_/schedules/schedule_80k.py: 4 GPUs x 4 images (batch 16), SyncBN, 512 x 512 crops,
# SGD lr 0.01, momentum 0.9, weight decay 5e-4, poly decay (power 0.9) to 1e-4 over 80k
# iterations, checkpoint and mIoU every 8k; 150 classes, with the auxiliary head.
#
#   mim train mmseg configs/transfer/segmentation/fcn_r50-d8_4xb4-syncbn-80k_ade20k-512x512.py \
#       --launcher pytorch -G 4 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    './_base_/fcn_r50-d8.py',
    './_base_/ade20k-512x512.py',
    './_base_/runtime.py',
]

model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))

max_iters = 80000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4),
    clip_grad=None)
# mmcv 0.x's poly policy: lr_i = (lr - min_lr) (1 - i / max_iters)^0.9 + min_lr. mmengine's
# PolyLR decays over end - begin - 1 steps, so end = max_iters + 1 gives the same curve
# (mmseg 1.x's own schedule_80k.py, end=80000, reaches min_lr one iteration early).
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, by_epoch=False, begin=0, end=max_iters + 1)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=8000)
default_hooks = dict(checkpoint=dict(interval=8000))
