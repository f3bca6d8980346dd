# ORL (Xie et al., NeurIPS 2021), stage 3: BYOL's online network (ResNet-50 -> projector
# 2048 -> 4096 -> BN -> ReLU -> 256) shared by three terms, each with its own predictor
# (256 -> 4096 -> 256): global views, intra-RoI patches, inter-RoI patches. EMA target of
# backbone + projector with base_momentum=0.01 (tau 0.99 -> 1, cosine; mmpretrain's
# CosineEMA). Loss = 1 * L_global + 1 * L_intra + 1 * L_inter, each (2-2cos) + (2-2cos).
predictor = dict(
    type='NonLinearNeck',
    in_channels=256,
    hid_channels=4096,
    out_channels=256,
    num_layers=2,
    with_bias=True,
    with_last_bn=False,
    with_avg_pool=False)
model = dict(
    type='ORL',
    base_momentum=0.01,
    loss_weights=(1., 1., 1.),
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=True),
    head=dict(type='LatentPredictHead', predictor=predictor, loss=dict(type='BYOLLoss')),
    intra_head=dict(type='LatentPredictHead', predictor=predictor, loss=dict(type='BYOLLoss')),
    inter_head=dict(type='LatentPredictHead', predictor=predictor, loss=dict(type='BYOLLoss')),
)
