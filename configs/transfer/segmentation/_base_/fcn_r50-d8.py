# FCN with a dilated ResNet-50 (output stride 8), SlotCon's
# transfer/segmentation/configs/_base_/models/fcn_r50-d8.py in mmseg 1.x form: a plain
# torchvision-layout ResNet (type='ResNet', style='pytorch', not mmseg's default ResNetV1c),
# SyncBN in the backbone and both heads, every stage fine-tuned with BN statistics updated
# (norm_eval=False), dilations (1, 1, 2, 4) / strides (1, 2, 1, 1), FCN head (2 convs of
# 512, concat_input) on res5 and an auxiliary FCN head (1 conv of 256, loss weight 0.4) on
# res4. The reference loads torchvision://resnet50 here and its mim_dist_train.sh swaps in
# init_cfg.type=Pretrained with a converted checkpoint (convert_pretrain_to_mm.py keeps
# module.encoder_k.*, the teacher); OrlPretrained(weights='auto') reads any orl_mm checkpoint
# and takes what the method's paper transfers (SlotCon: the teacher).
# The input normalisation (model.data_preprocessor) is the dataset's: see the dataset bases.
norm_cfg = dict(type='SyncBN', requires_grad=True)
# set with --cfg-options model.backbone.init_cfg.checkpoint=...
pretrained = 'work_dirs/slotcon/epoch_800.pth'
model = dict(
    type='EncoderDecoder',
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        init_cfg=dict(type='OrlPretrained', checkpoint=pretrained, weights='auto')),
    decode_head=dict(
        type='FCNHead',
        in_channels=2048,
        in_index=3,
        channels=512,
        num_convs=2,
        concat_input=True,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=1024,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
