# SCRL (Roh et al., CVPR 2021): RoIAlign (1x1, 1/32) of matching boxes on the res5 map,
# projector 2048 -> 4096 -> 256 (BN, ReLU, last layer without bias), predictor
# 256 -> 4096 -> 256, loss 2 - 2 cos, symmetric, averaged over boxes; box loss only.
# Every batch norm is SyncBN (norm_cfg; the tiny CPU configs switch to BN the same way).
# The target network is initialised independently of the online one and averages
# parameters only, as the reference does (trainer/base.py, trainer/trainer.py): the
# independent start costs nothing and its effect fades within the first epochs
# (tau >= 0.97), so there is no reason to deviate from the published code.
model = dict(
    type='SCRL',
    base_momentum=0.03,  # tau_base 0.97 (200 epochs)
    image_loss_weight=0.,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet', depth=50, out_indices=(3, ), norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='FlatNonLinearNeck',  # NonLinearNeck that also takes a rank's empty RoI batch
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=False,  # the first layer's bias is cancelled by its BN anyway
        with_last_bn=False,
        with_avg_pool=False,
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='FlatNonLinearNeck',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            num_layers=2,
            with_bias=False,
            with_last_bn=False,
            with_avg_pool=False,
            norm_cfg=dict(type='SyncBN')),
        loss=dict(type='BYOLLoss')),
)
