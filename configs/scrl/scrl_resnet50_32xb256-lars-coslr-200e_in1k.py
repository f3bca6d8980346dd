# SCRL on ImageNet as its reference trains it (config/scrl_200ep.yaml, README "Resource &
# Batchsize"): ResNet-50, total batch 8192 = 32 GPUs x 256 (the authors saw results degrade
# with half of it), LARS lr 0.45 x 8192/256 = 14.4, weight decay 1e-6, 10 warm-up epochs
# then cosine to 0, 200 epochs, tau_base 0.97.
_base_ = [
    '../_base_/models/scrl_resnet50.py',
    '../_base_/datasets/imagenet_scrl.py',
    '../_base_/schedules/lars_coslr_scrl.py',
    '../_base_/default_runtime.py',
]
model = dict(base_momentum=0.03)
optim_wrapper = dict(optimizer=dict(lr=0.45 * 8192 / 256, weight_decay=1e-6))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=190, by_epoch=True, begin=10, end=200,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)
auto_scale_lr = dict(base_batch_size=8192)  # the lr above is meant for 32 x 256
