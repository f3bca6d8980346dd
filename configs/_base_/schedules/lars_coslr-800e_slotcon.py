# SlotCon's schedule on COCO (reference main_pretrain.py, utils/lars.py,
# utils/lr_scheduler.py): LARS, base lr 1.0 per 256 (batch 512 -> 2.0), weight decay 1e-5,
# momentum 0.9, trust coefficient 0.001; the reference's GradualWarmupScheduler
# (multiplier 100): per iteration, linear from lr/100 to lr over 5 epochs, then
# per-iteration cosine to 1e-6 over the other 795; 800 epochs.
# The reference's LARS (utils/lars.py, LARS.step; build_model puts model.parameters() in
# one group): 1-D parameters (every bias and BN affine parameter, whatever its name) take
# plain momentum SGD without decay or adaptation; every other parameter steps with
# q (g + wd p), q = 0.001 ||p|| / ||g + wd p||; lr multiplies the momentum buffer
# (p -= lr mu). orl_mm's LARSSGD does exactly that (mmpretrain's LARS has another trust
# ratio and puts lr inside the buffer), so no paramwise_cfg: one group, as the reference.
# Mixed precision as the reference (--fp16, on by default: autocast + GradScaler):
# AmpOptimWrapper, dynamic loss scale; it needs a GPU (the tiny CPU config uses OptimWrapper).
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='LARSSGD', lr=2.0, momentum=0.9, weight_decay=1e-5, eta=1e-3,
                   trust_ratio='update_norm', exclude_1d=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=795, eta_min=1e-6, by_epoch=True, begin=5, end=800,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=800)
auto_scale_lr = dict(base_batch_size=512)
