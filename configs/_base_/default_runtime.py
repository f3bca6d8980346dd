_base_ = 'mmpretrain::_base_/default_runtime.py'

# Register orl_mm's modules (datasets, transforms, models) in mmpretrain's registries.
custom_imports = dict(imports=['orl_mm'], allow_failed_imports=False)
default_scope = 'mmpretrain'

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3),
    # with optim_wrapper.accumulative_counts=k: the EMA target moves once per optimiser step
    # (every k iterations), not once per micro-batch; no effect without accumulation
    ema_per_optim_step=dict(type='EMAPerOptimStepHook'),
)
log_processor = dict(window_size=50)
