# SCRL on COCO train2017 under ORL's protocol (batch 512 = 8 GPUs x 64, 800 epochs) with
# SCRL's optimiser: LARS lr 0.45 x 512/256 = 0.9, weight decay 1e-6, 10 warm-up epochs;
# tau_base 0.996 (the paper's long-schedule value).
_base_ = [
    '../_base_/models/scrl_resnet50.py',
    '../_base_/datasets/coco_scrl.py',
    '../_base_/schedules/lars_coslr_scrl.py',
    '../_base_/default_runtime.py',
]
model = dict(base_momentum=0.004)
optim_wrapper = dict(optimizer=dict(lr=0.9))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=790, by_epoch=True, begin=10, end=800,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=800)
