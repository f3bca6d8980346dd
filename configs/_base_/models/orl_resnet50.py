# ORL (Xie et al., NeurIPS 2021), stage 3: BYOL's online network (ResNet-50 -> projector
# 2048 -> 4096 -> BN -> ReLU -> 256) shared by three terms, each with its own predictor
# (256 -> 4096 -> 256): global views, intra-RoI patches, inter-RoI patches. EMA target of
# backbone + projector with base_momentum=0.01 (tau 0.99 -> 1, cosine; mmpretrain's
# CosineEMA). Loss = 1 * L_global + 1 * L_intra + 1 * L_inter, each (2-2cos) + (2-2cos).
# Initialisation as the reference (Jiahao000/ORL openselfsup/models/{orl,byol}.py
# init_weights): backbone convolutions Kaiming-normal with fan_in (ResNet.init_weights), BN
# weight 1 / bias 0; projector and predictor linear layers Kaiming-normal with fan_in
# (_init_weights(init_linear='kaiming') in necks.py), biases 0. The EMA target starts as a
# copy of the online network (mmengine's averaged model copies it at its first update).
backbone_init = [
    dict(type='Kaiming', layer='Conv2d', mode='fan_in', nonlinearity='relu',
         distribution='normal'),
    dict(type='Constant', val=1, bias=0, layer=['_BatchNorm', 'GroupNorm']),
]
mlp_init = [
    dict(type='Kaiming', layer='Linear', mode='fan_in', nonlinearity='relu',
         distribution='normal', bias=0),
    dict(type='Constant', val=1, bias=0, layer=['_BatchNorm', 'GroupNorm']),
]
predictor = dict(
    type='NonLinearNeck',
    in_channels=256,
    hid_channels=4096,
    out_channels=256,
    num_layers=2,
    with_bias=True,
    with_last_bn=False,
    with_avg_pool=False,
    init_cfg=mlp_init)
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
        zero_init_residual=False,
        init_cfg=backbone_init),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=True,
        init_cfg=mlp_init),
    head=dict(type='LatentPredictHead', predictor=predictor, loss=dict(type='BYOLLoss')),
    intra_head=dict(type='LatentPredictHead', predictor=predictor, loss=dict(type='BYOLLoss')),
    inter_head=dict(type='LatentPredictHead', predictor=predictor, loss=dict(type='BYOLLoss')),
)
