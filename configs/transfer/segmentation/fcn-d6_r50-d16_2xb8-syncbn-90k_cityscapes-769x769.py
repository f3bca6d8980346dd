# FCN-D6 R50-D16 on Cityscapes, the protocol SlotCon's README runs for Cityscapes:
# transfer/segmentation/configs/cityscapes/fcn_d6_r50-d16_769x769_90k_cityscapes_moco.py with
# _base_/schedules/schedule_90k_moco.py: 2 GPUs x 8 images (batch 16), SyncBN, 769 x 769
# crops, SGD lr 0.01, momentum 0.9, weight decay 1e-4, 90k iterations, lr x0.1 at 63k and
# 81k (no warm-up), checkpoint and mIoU every 9k; test with a 769 x 769 sliding window,
# stride 513.
#
#   mim train mmseg \
#       configs/transfer/segmentation/fcn-d6_r50-d16_2xb8-syncbn-90k_cityscapes-769x769.py \
#       --launcher pytorch -G 2 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
#
# DenseCL's protocol differs (WXinlong/mmsegmentation configs/densecl/
# fcn_r50-d8_769x769_40k_cityscapes.py: the output-stride-8 FCN with its auxiliary head,
# photometric distortion, poly lr 0.01 for 40k); this file follows SlotCon.
_base_ = [
    './_base_/fcn-d6_r50-d16.py',
    './_base_/cityscapes-769x769_moco.py',
    './_base_/runtime.py',
]

model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    test_cfg=dict(mode='slide', crop_size=(769, 769), stride=(513, 513)))

max_iters = 90000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    clip_grad=None)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters, milestones=[63000, 81000],
         gamma=0.1)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=9000)
default_hooks = dict(checkpoint=dict(interval=9000))
