# SCRL's optimiser: LARS, base lr 0.45 per 256 images, weight decay 1e-6, BN and biases
# excluded from LARS adaptation and weight decay, 10 warm-up epochs then cosine.
# Concrete lr, epochs and batch are set by each config (auto_scale_lr documents the base).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=0.45, momentum=0.9, weight_decay=1e-6),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))
auto_scale_lr = dict(base_batch_size=256)
