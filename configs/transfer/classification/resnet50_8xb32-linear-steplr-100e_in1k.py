# Linear probe on ImageNet (ORL / MoCo v2 protocol): frozen ResNet-50 (frozen_stages=4 also
# keeps its BN statistics fixed), global average pooling, one linear layer trained by SGD
# lr 30, no weight decay, 100 epochs with steps, 8 GPUs x 32.
#
#   mim train mmpretrain \
#       configs/transfer/classification/resnet50_8xb32-linear-steplr-100e_in1k.py \
#       --launcher pytorch -G 8 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
#
# CKPT: any orl_mm checkpoint or exported backbone. OrlPretrained (weights='auto') takes the
# backbone the method's paper transfers (SlotCon: the teacher; the others: the online
# network) and logs which; model.backbone.init_cfg.weights=online|target overrides it.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    'mmpretrain::_base_/schedules/imagenet_sgd_steplr_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        frozen_stages=4,
        # zero_init_residual=False: mmpretrain's ResNet zeroes every norm3 after any init_cfg
        # that is not of type 'Pretrained' (orl_mm/evaluation/pretrained_init.py)
        zero_init_residual=False,
        init_cfg=dict(type='OrlPretrained', checkpoint='', weights='auto')))

optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=30., momentum=0.9, weight_decay=0.))

default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
custom_hooks = [dict(type='PretrainedBackboneCheckHook')]
