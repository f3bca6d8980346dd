# Mask R-CNN R50-FPN 2x on COCO, as ORL's benchmarks/detection/configs/R_50_FPN_2x.yaml:
# the multi-scale Table-4 protocol (SyncBN backbone/FPN/4conv1fc box head/mask head, all
# stages fine-tuned, shorter side in [640, 800]) with the 2x schedule (24 epochs, lr x0.1
# after epochs 16 and 22: mmdet's 2x; detectron2's 180k iterations at batch 16).
#
#   mim train mmdet configs/benchmarks/mmdetection/mask-rcnn_r50_fpn_8xb2-syncbn-ms-2x_coco.py \
#       --launcher pytorch -G 8 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = './mask-rcnn_r50_fpn_8xb2-syncbn-ms-1x_coco.py'

max_epochs = 24
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[16, 22],
         gamma=0.1),
]
