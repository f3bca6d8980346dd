# DenseCL (Wang et al., CVPR 2021) as mmpretrain builds it (mmpretrain.models.DenseCL), with
# the reference's settings (WXinlong/DenseCL configs/selfsup/densecl/densecl_coco_800ep.py):
# ResNet-50 with plain BN (res5 output), DenseCLNeck 2048 -> 2048 -> 128 (global and dense
# projections, num_grid None: the dense one keeps the res5 grid), two queues of 65536 keys
# of 128 dims, InfoNCE temperature 0.2, loss = (1 - 0.5) global + 0.5 dense, key encoder
# momentum 0.999 (mmpretrain's convention: momentum = 1 - 0.999 = 0.001, fixed).
# zero_init_residual False: the reference's ResNet does not zero the last BN of blocks.
model = dict(
    type='DenseCL',
    queue_len=65536,
    feat_dim=128,
    momentum=0.001,
    loss_lambda=0.5,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(type='ResNet', depth=50, norm_cfg=dict(type='BN'), zero_init_residual=False),
    neck=dict(type='DenseCLNeck', in_channels=2048, hid_channels=2048, out_channels=128,
              num_grid=None),
    head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.2),
)
find_unused_parameters = True
