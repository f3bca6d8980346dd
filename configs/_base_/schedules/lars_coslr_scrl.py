# SCRL's optimiser (reference optim/getters.py, get_optimizer_and_scheduler; optim/optim.py,
# CustomLARS; torchlars lars.py / adaptive_lr.cc): LARS (trust coefficient 1e-3, eps 1e-8)
# wrapping torch.optim.SGD (momentum 0.9, no dampening, no Nesterov). Per adapted
# parameter, CustomLARS.apply_adaptive_lrs sets g <- q (g + wd p) with
# q = ||p|| / (||g|| + wd ||p|| + 1e-8) * 0.001 (1 if ||p|| or ||g|| is 0), then SGD's step
# (its weight decay hidden) does mu <- 0.9 mu + g, p <- p - lr mu: lr multiplies the
# momentum buffer. orl_mm's LARSSGD with trust_ratio='grad_norm_plus_decay' does exactly
# that (mmpretrain's LARS has the same q but puts lr inside the buffer, which differs
# whenever the warm-up/cosine schedule moves lr).
# Each config sets its lr (base lr x total batch / 256), weight decay, epochs and
# auto_scale_lr.base_batch_size = the total batch that lr is meant for. Mixed precision,
# as the reference trains by default (trainer/trainer.py: torch.cuda.amp.autocast unless
# --disable_autocast, GradScaler): AmpOptimWrapper, dynamic loss scale; it needs a GPU (the
# tiny CPU config uses OptimWrapper).
#
# Which parameters skip LARS (two named rules; the paper configs use the reference's):
# * 'reference' (default; optim/getters.py get_optimizer_and_scheduler with
#   exclude_from_lars=True, bisect_params_with_names(criterion=['bn', 'bias'])): a
#   parameter whose reference name contains 'bn' or 'bias' goes to a group with
#   weight_decay 0 and lars_adaptation False, where CustomLARS.apply_adaptive_lrs
#   multiplies its gradient by the group lr and SGD's step multiplies the buffer by lr
#   again (excluded_update='lr_grad': d = lr g, p -= lr mu). The reference's names are
#   torchvision's inside nn.Sequential(*children) (models/backbone.py) and
#   nn.Sequential MLPs (models/heads.py), so 'bn' misses the stem BN (encoder.1.weight),
#   the downsample BNs (downsample.1.weight) and the projector's and predictor's BNs
#   (net.1.weight): those weights are adapted and decayed like a conv weight; every bias
#   and every BN weight inside a residual block is excluded. custom_keys reproduce that on
#   mmpretrain's names ('bn' and 'bias' as the reference, the three longer keys, which
#   mmengine tries first, for the weights the reference's names hide).
# * 'plain_1d' (orl_mm's earlier rule; lars_coslr_scrl_plain-1d.py, or --cfg-options
#   optim_wrapper.optimizer.exclude_1d=True optim_wrapper.optimizer.excluded_update=grad):
#   every 1-D parameter (all BN and bias) excluded, no decay, the plain step lr mu.
# Step of a BN weight in a residual block with gradient g, first iteration at full lr
# (mu = d): 'reference' lr^2 g = 0.16 g at lr 0.4 (COCO, batch 512), 207.36 g at 14.4
# (ImageNet, batch 8192); 'plain_1d' lr g = 0.4 g / 14.4 g. A stem, downsample or MLP BN
# weight: 'reference' lr q (g + wd p), q = 1e-3 ||p|| / (||g|| + wd ||p|| + 1e-8) (about
# 1e-3 lr ||p|| / ||g||); 'plain_1d' lr g.
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='LARSSGD', lr=0.45, momentum=0.9, weight_decay=1e-6, eta=1e-3,
                   trust_ratio='grad_norm_plus_decay', eps=1e-8, exclude_1d=False,
                   excluded_update='lr_grad'),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            # reference names without 'bn': encoder.1 (stem), projector.net.1, net.1
            'backbone.bn1.weight': dict(lars_exclude=False),
            'neck.bn0.weight': dict(lars_exclude=False),
            'predictor.bn0.weight': dict(lars_exclude=False),
        }))
