# ORL's schedule (Xie et al., NeurIPS 2021): SGD lr 0.4 for batch 512 (0.2 x 512/256),
# momentum 0.9, weight decay 1e-4, 800 epochs.
# lr as the reference's stage-1 and stage-3 configs (lr_config = CosineAnnealing, min_lr 0,
# linear warm-up of 4 epochs from ratio 1e-4, warmup_by_epoch; mmcv 1.0.3): the cosine is
# stepped per epoch over all 800 epochs, lr_e = 0.4 (cos(pi e / 800) + 1) / 2, and during
# the first 4 epochs' iterations i the warm-up multiplies it by
# 1 - (1 - i / W)(1 - 1e-4), W = 4 x iterations per epoch (EpochCosineWarmupLR).
# Mixed precision, as the reference's stage-1 and stage-3 configs (use_fp16=True: apex
# amp O1, dynamic loss scaling): mmengine's AmpOptimWrapper (fp16 autocast; its loss_scale
# defaults to 'dynamic'). It needs a GPU; for fp32 pass
# --cfg-options optim_wrapper.type=OptimWrapper (the tiny CPU configs do so).
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='SGD', lr=0.4, momentum=0.9, weight_decay=1e-4))

param_scheduler = [
    dict(
        type='EpochCosineWarmupLR',
        T_max=800,
        eta_min=0.,
        warmup_epochs=4,
        warmup_ratio=1e-4,
        by_epoch=True,
        begin=0,
        end=800,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=800)
auto_scale_lr = dict(base_batch_size=512)
