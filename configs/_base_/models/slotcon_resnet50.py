# SlotCon (Wen et al., NeurIPS 2022): ResNet-50 res5 -> 2-D projector (1x1 convs
# 2048 -> 4096 -> 4096 -> 256, BN + GELU) -> semantic grouping with 256 prototypes (COCO);
# teacher = EMA of backbone + projector + prototypes (tau 0.99 -> 1, cosine);
# student-only slot predictor (256 -> 4096 -> 4096 -> 256).
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
    backbone=dict(type='ResNet', depth=50, out_indices=(3, ), zero_init_residual=False),
    neck=dict(
        type='GELUMLPNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=3,
        spatial=True),
    grouping=dict(type='SemanticGrouping', num_prototypes=num_prototypes, dim=256, temp=0.07),
    predictor=dict(
        type='GELUMLPNeck', in_channels=256, hid_channels=4096, out_channels=256, num_layers=3),
    grouping_loss=dict(
        type='GroupingDistillationLoss',
        num_prototypes=num_prototypes,
        student_temp=0.1,
        teacher_temp=0.07,
        center_momentum=0.9),
    contrastive_loss=dict(type='SlotContrastiveLoss', temperature=0.2),
)
# every BatchNorm (backbone, projector, predictor) becomes SyncBN when distributed
sync_bn = 'torch'
