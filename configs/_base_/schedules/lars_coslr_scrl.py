# SCRL's optimiser (reference optim/getters.py): LARS (trust coefficient 1e-3), momentum
# 0.9; batch-norm and bias parameters excluded from LARS adaptation and weight decay.
# Each config sets its lr (base lr x total batch / 256), weight decay, epochs and
# auto_scale_lr.base_batch_size = the total batch that lr is meant for. Mixed precision,
# as the reference trains by default (trainer/trainer.py: torch.cuda.amp.autocast unless
# --disable_autocast, GradScaler): AmpOptimWrapper, dynamic loss scale; it needs a GPU (the
# tiny CPU config uses OptimWrapper).
#
# Not followed on purpose: the reference excludes by name ('bn', 'bias') through
# torchlars, which multiplies the excluded gradients by the group lr before SGD multiplies
# them by the lr again, so those parameters move with lr^2 (14.4^2 = 207 at batch 8192),
# and its name match misses the downsample and MLP batch norms. That makes their step
# depend quadratically on the batch-scaled lr (breaking the linear scaling rule that
# auto_scale_lr applies) and is an artefact of wrapping SGD, not a rule of the method; here
# every BN and bias takes the plain lr without LARS adaptation or decay, as BYOL does.
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='LARS', lr=0.45, momentum=0.9, weight_decay=1e-6),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))
