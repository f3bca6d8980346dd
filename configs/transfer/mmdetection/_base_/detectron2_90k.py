# detectron2's solver as ORL's benchmarks/detection/configs/*.yaml inherit it
# (detectron2/config/defaults.py + Base-RCNN-FPN.yaml / Base-RCNN-C4-BN.yaml): batch 16
# (8 GPUs x 2), SGD lr 0.02, momentum 0.9, weight decay 1e-4 and none on normalisation layers
# (SOLVER.WEIGHT_DECAY_NORM 0), linear warm-up from 0.001 x lr over 1000 iterations
# (WARMUP_FACTOR 1/1000, WARMUP_ITERS 1000), 90k iterations with lr x0.1 at 60k and 80k
# ("1x"), checkpoints every 5000 (CHECKPOINT_PERIOD), evaluation at the end (EVAL_PERIOD 0),
# precise BN over 200 training batches before it (TEST.PRECISE_BN, NUM_ITER 200).
_base_ = 'mmdet::_base_/default_runtime.py'

# orl_mm: OrlPretrained and the check hook; orl_mm.evaluation.detection: the precise-BN hook
# and, from mmpretrain, the C4 head's extra norm (mmdet has neither)
custom_imports = dict(imports=['orl_mm', 'orl_mm.evaluation.detection'],
                      allow_failed_imports=False)

max_iter = 90000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iter, val_interval=max_iter)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    # detectron2's factor 0.001 (1 - i / 1000) + i / 1000: mmengine's LinearLR reaches its
    # end factor at iteration end - 1, so end=1001 (mmdet's ms-90k configs: 1000, one early)
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1001),
    dict(type='MultiStepLR', begin=0, end=max_iter, by_epoch=False, milestones=[60000, 80000],
         gamma=0.1),
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.))
auto_scale_lr = dict(enable=False, base_batch_size=16)

default_hooks = dict(checkpoint=dict(by_epoch=False, interval=5000))
log_processor = dict(by_epoch=False)
custom_hooks = [
    dict(type='PretrainedBackboneCheckHook'),
    dict(type='DetectronPreciseBNHook', num_iters=200),
]
