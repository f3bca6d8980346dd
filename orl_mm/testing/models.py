"""Tiny SCRL and SlotCon model configs (ResNet-18, small MLPs, plain BN) for tests."""

TINY_SCRL = dict(
    type='SCRL',
    base_momentum=0.03,
    data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0, 0, 0], std=[1, 1, 1]),
    backbone=dict(type='ResNet', depth=18, out_indices=(3, )),
    neck=dict(type='FlatNonLinearNeck', in_channels=512, hid_channels=32, out_channels=16,
              with_bias=False, with_last_bn=False, with_avg_pool=False,
              norm_cfg=dict(type='BN1d')),
    head=dict(type='LatentPredictHead',
              predictor=dict(type='FlatNonLinearNeck', in_channels=16, hid_channels=32,
                             out_channels=16, with_bias=False, with_last_bn=False,
                             with_avg_pool=False, norm_cfg=dict(type='BN1d')),
              loss=dict(type='BYOLLoss')))

TINY_SLOTCON = dict(
    type='SlotCon',
    base_momentum=0.01,
    data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0, 0, 0], std=[1, 1, 1]),
    backbone=dict(type='ResNet', depth=18, out_indices=(3, )),
    neck=dict(type='GELUMLPNeck', in_channels=512, hid_channels=32, out_channels=16,
              spatial=True),
    grouping=dict(type='SemanticGrouping', num_prototypes=8, dim=16),
    predictor=dict(type='GELUMLPNeck', in_channels=16, hid_channels=32, out_channels=16),
    grouping_loss=dict(type='GroupingDistillationLoss', num_prototypes=8),
    contrastive_loss=dict(type='SlotContrastiveLoss', temperature=0.2))
