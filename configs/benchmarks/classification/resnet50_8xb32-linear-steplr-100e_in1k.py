# Linear probe on ImageNet (ORL / MoCo v2 protocol): frozen ResNet-50 (frozen_stages=4 also
# keeps its BN statistics fixed), global average pooling, one linear layer trained by SGD
# lr 30, no weight decay, 100 epochs with steps, 8 GPUs x 32.
#
#   mim train mmpretrain \
#       configs/benchmarks/classification/resnet50_8xb32-linear-steplr-100e_in1k.py \
#       --launcher pytorch -G 8 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
#
# CKPT: any orl_mm checkpoint; model.backbone.init_cfg.prefix=target_net.module.0. takes the
# EMA target/teacher instead of the online backbone.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    'mmpretrain::_base_/schedules/imagenet_sgd_steplr_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        frozen_stages=4,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')))

optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=30., momentum=0.9, weight_decay=0.))

default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
custom_hooks = [dict(type='PretrainedBackboneCheckHook')]
