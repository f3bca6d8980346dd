# Runtime of the segmentation transfer configs: mmseg 1.x's default runtime (scope mmseg,
# cudnn_benchmark as the reference's default_runtime.py), orl_mm imported for OrlPretrained
# and the hook that checks the backbone holds the checkpoint's weights, iteration-based
# logging and checkpoints (the interval is each config's: a tenth of its iterations, as the
# reference's checkpoint_config / evaluation).
_base_ = 'mmseg::_base_/default_runtime.py'

custom_imports = dict(imports=['orl_mm'], allow_failed_imports=False)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
custom_hooks = [dict(type='PretrainedBackboneCheckHook')]
auto_scale_lr = dict(enable=False, base_batch_size=16)
