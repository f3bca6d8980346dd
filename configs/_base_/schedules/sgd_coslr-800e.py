# ORL's schedule (Xie et al., NeurIPS 2021): SGD lr 0.4 for batch 512 (0.2 x 512/256),
# momentum 0.9, weight decay 1e-4, 800 epochs: 4-epoch linear warm-up, then cosine to 0.
# Mixed precision, as the reference's stage-1 and stage-3 configs (use_fp16=True: apex
# amp O1, dynamic loss scaling): mmengine's AmpOptimWrapper (fp16 autocast; its loss_scale
# defaults to 'dynamic'). It needs a GPU; for fp32 pass
# --cfg-options optim_wrapper.type=OptimWrapper (the tiny CPU configs do so).
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='SGD', lr=0.4, momentum=0.9, weight_decay=1e-4))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=4,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=796,
        eta_min=0.,
        by_epoch=True,
        begin=4,
        end=800,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=800)
auto_scale_lr = dict(base_batch_size=512)
