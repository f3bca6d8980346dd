# SCRL on ImageNet as in its paper: ResNet-50, batch 4096 = 16 GPUs x 256,
# LARS lr 0.45 x 4096/256 = 7.2, weight decay 1e-6, 10 warm-up epochs, 200 epochs,
# tau_base 0.97 (0.996 for 1000 epochs).
_base_ = [
    '../_base_/models/scrl_resnet50.py',
    '../_base_/datasets/imagenet_scrl.py',
    '../_base_/schedules/lars_coslr_scrl.py',
    '../_base_/default_runtime.py',
]
model = dict(base_momentum=0.03)
optim_wrapper = dict(optimizer=dict(lr=7.2))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=190, by_epoch=True, begin=10, end=200,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)
