# The MoCo-style FCN that SlotCon's README runs on PASCAL VOC and Cityscapes
# (transfer/segmentation/configs/voc12aug/fcn_d6_r50-d16_513x513_30k_voc12aug_moco.py and
# cityscapes/fcn_d6_r50-d16_769x769_90k_cityscapes_moco.py, the same model change in both):
# output stride 16 (res5 dilated: dilations (1, 1, 1, 2), strides (1, 2, 2, 1)), one FCN head
# of 2 convs of 256 with dilation 6, no concat_input, no dropout, align_corners=True, and no
# auxiliary head.
_base_ = './fcn_r50-d8.py'

model = dict(
    backbone=dict(dilations=(1, 1, 1, 2), strides=(1, 2, 2, 1)),
    decode_head=dict(channels=256, concat_input=False, dropout_ratio=0, align_corners=True,
                     dilation=6),
    auxiliary_head=None)
