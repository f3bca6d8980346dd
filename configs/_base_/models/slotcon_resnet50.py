# SlotCon (Wen et al., NeurIPS 2022): ResNet-50 res5 -> 2-D projector (1x1 convs
# 2048 -> 4096 -> 4096 -> 256, BN + GELU) -> semantic grouping with 256 prototypes (COCO);
# teacher = EMA of backbone + projector + prototypes (tau 0.99 -> 1, cosine);
# student-only slot predictor (256 -> 4096 -> 4096 -> 256). As the reference
# (models/resnet.py, models/slotcon.py): the last BN of every residual block starts at
# gamma = 0, the MLPs' weights truncated-normal (std 0.02) with zero biases (GELUMLPNeck's
# default init), every BN is SyncBN (norm_cfg; the tiny CPU config switches to BN the same
# way), and the teacher averages parameters only (its BN statistics are its own).
num_prototypes = 256
model = dict(
    type='SlotCon',
    base_momentum=0.01,
    group_loss_weight=0.5,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet', depth=50, out_indices=(3, ), norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=dict(
        type='GELUMLPNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=3,
        spatial=True,
        norm_cfg=dict(type='SyncBN')),
    grouping=dict(type='SemanticGrouping', num_prototypes=num_prototypes, dim=256, temp=0.07),
    predictor=dict(
        type='GELUMLPNeck',
        in_channels=256,
        hid_channels=4096,
        out_channels=256,
        num_layers=3,
        norm_cfg=dict(type='SyncBN')),
    grouping_loss=dict(
        type='GroupingDistillationLoss',
        num_prototypes=num_prototypes,
        student_temp=0.1,
        teacher_temp=0.07,
        center_momentum=0.9),
    contrastive_loss=dict(type='SlotContrastiveLoss', temperature=0.2),
)
