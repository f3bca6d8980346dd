# FCN-D6 R50-D16 on PASCAL VOC 2012 aug, the protocol SlotCon's README runs for VOC:
# transfer/segmentation/configs/voc12aug/fcn_d6_r50-d16_513x513_30k_voc12aug_moco.py with
# _base_/schedules/schedule_30k_moco.py: 2 GPUs x 8 images (batch 16), SyncBN, 513 x 513
# crops, SGD lr 0.003, momentum 0.9, weight decay 1e-4, 30k iterations, lr x0.1 at 21k and
# 27k (no warm-up), checkpoint and mIoU every 3k.
#
#   mim train mmseg \
#       configs/transfer/segmentation/fcn-d6_r50-d16_2xb8-syncbn-30k_voc12aug-513x513.py \
#       --launcher pytorch -G 2 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
#
# CKPT: any orl_mm checkpoint or exported backbone; OrlPretrained (weights='auto') takes the
# backbone the method's paper transfers (SlotCon: the teacher) and logs which.
# DenseCL's protocol differs (WXinlong/mmsegmentation configs/densecl/
# fcn_r50-d8_512x512_20k_voc12aug.py: the output-stride-8 FCN of _base_/fcn_r50-d8.py with its
# auxiliary head, 512 crops with photometric distortion, poly lr 0.01 for 20k); this file
# follows SlotCon.
_base_ = [
    './_base_/fcn-d6_r50-d16.py',
    './_base_/voc12aug-513x513_moco.py',
    './_base_/runtime.py',
]

model = dict(data_preprocessor={{_base_.data_preprocessor}}, decode_head=dict(num_classes=21))

max_iters = 30000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.003, momentum=0.9, weight_decay=1e-4),
    clip_grad=None)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters, milestones=[21000, 27000],
         gamma=0.1)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=3000)
default_hooks = dict(checkpoint=dict(interval=3000))
