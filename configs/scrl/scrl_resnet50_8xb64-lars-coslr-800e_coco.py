# SCRL on COCO train2017 under ORL's protocol (batch 512 = 8 GPUs x 64, 800 epochs) with
# one coherent set of SCRL's hyper-parameters: the reference's long-schedule set
# (config/scrl_1000ep.yaml: base lr 0.2 per 256, weight decay 1.5e-6, tau_base 0.996,
# 10 warm-up epochs). 800 COCO epochs at batch 512 are ~185k iterations, close to the
# 156k of its 1000 ImageNet epochs at 8192 (the 200-epoch set, lr 0.45 / tau 0.97, is
# tuned for 31k iterations). LARS lr 0.2 x 512/256 = 0.4.
_base_ = [
    '../_base_/models/scrl_resnet50.py',
    '../_base_/datasets/coco_scrl.py',
    '../_base_/schedules/lars_coslr_scrl.py',
    '../_base_/default_runtime.py',
]
model = dict(base_momentum=0.004)
optim_wrapper = dict(optimizer=dict(lr=0.2 * 512 / 256, weight_decay=1.5e-6))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=790, by_epoch=True, begin=10, end=800,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=800)
auto_scale_lr = dict(base_batch_size=512)  # the lr above is meant for 8 x 64
