# BYOL (Grill et al., NeurIPS 2020) as mmpretrain builds it: ResNet-50 -> projector MLP
# (2048 -> 4096 -> 256) -> predictor MLP (256 -> 4096 -> 256); EMA target with
# base_momentum=0.01, i.e. tau from 0.99 to 1 on a per-iteration cosine schedule.
# BYOLParamEMA is mmpretrain's BYOL whose target averages parameters only and keeps its own
# BN running statistics, as ORL's reference (openselfsup/models/byol.py _momentum_update,
# hooks/byol_hook.py: tau_k = 1 - (1 - 0.99)(cos(pi k / K) + 1) / 2 after step k, every
# iteration); mmpretrain's CosineEMA would copy the online BN statistics every step.
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
model = dict(
    type='BYOLParamEMA',
    base_momentum=0.01,
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
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='NonLinearNeck',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False,
            init_cfg=mlp_init),
        loss=dict(type='CosineSimilarityLoss')),
)
