# The Table-4 protocol in ONE process (one GPU or the CPU): SyncBN needs a process group, so
# plain BN (batch statistics of the local batch) replaces it in the backbone, FPN and heads.
# Everything else is the 8-GPU config's. Same effect on any SyncBN config from the command line:
#   --cfg-options model.backbone.norm_cfg.type=BN model.neck.norm_cfg.type=BN \
#       model.roi_head.bbox_head.norm_cfg.type=BN model.roi_head.mask_head.norm_cfg.type=BN
_base_ = './mask-rcnn_r50_fpn_8xb2-syncbn-1x_coco.py'

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(norm_cfg=norm_cfg),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(bbox_head=dict(norm_cfg=norm_cfg), mask_head=dict(norm_cfg=norm_cfg)))
# the 1x schedule's lr (0.02) is for 16 images per iteration
auto_scale_lr = dict(enable=True, base_batch_size=16)
