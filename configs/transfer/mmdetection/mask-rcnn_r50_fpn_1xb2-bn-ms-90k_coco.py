# The Table-4 protocol in ONE process (one GPU or the CPU): SyncBN needs a process group, so
# plain BN (statistics of the local batch of 2) replaces it in the backbone, FPN and heads,
# and the lr is scaled to 2 images (0.0025). Everything else is
# mask-rcnn_r50_fpn_8xb2-syncbn-ms-90k_coco.py's, including its 90k iterations: one process
# sees 1/8 of the images in them. Same effect on any SyncBN config from the command line:
#   --cfg-options model.backbone.norm_cfg.type=BN model.neck.norm_cfg.type=BN \
#       model.roi_head.bbox_head.norm_cfg.type=BN model.roi_head.mask_head.norm_cfg.type=BN
_base_ = './mask-rcnn_r50_fpn_8xb2-syncbn-ms-90k_coco.py'

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(norm_cfg=norm_cfg),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(bbox_head=dict(norm_cfg=norm_cfg), mask_head=dict(norm_cfg=norm_cfg)))
# the solver's lr (0.02) is for 16 images per iteration
auto_scale_lr = dict(enable=True, base_batch_size=16)
