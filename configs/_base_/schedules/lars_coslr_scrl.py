# SCRL's optimiser (reference optim/getters.py, get_optimizer_and_scheduler; optim/optim.py,
# CustomLARS; torchlars lars.py / adaptive_lr.cc): LARS (trust coefficient 1e-3, eps 1e-8)
# wrapping torch.optim.SGD (momentum 0.9, no dampening, no Nesterov). Per adapted
# parameter, CustomLARS.apply_adaptive_lrs sets g <- q (g + wd p) with
# q = ||p|| / (||g|| + wd ||p|| + 1e-8) * 0.001 (1 if ||p|| or ||g|| is 0), then SGD's step
# (its weight decay hidden) does mu <- 0.9 mu + g, p <- p - lr mu: lr multiplies the
# momentum buffer. orl_mm's LARSSGD with trust_ratio='grad_norm_plus_decay' does exactly
# that (mmpretrain's LARS has the same q but puts lr inside the buffer, which differs
# whenever the warm-up/cosine schedule moves lr). Batch-norm and bias parameters are
# excluded by name (lars_exclude, as the reference's 'bn'/'bias' name match; exclude_1d
# off) and take plain momentum SGD, no adaptation, no decay.
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
    optimizer=dict(type='LARSSGD', lr=0.45, momentum=0.9, weight_decay=1e-6, eta=1e-3,
                   trust_ratio='grad_norm_plus_decay', eps=1e-8, exclude_1d=False),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))
