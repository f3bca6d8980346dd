# Mask R-CNN R50-C4 2x on COCO, as ORL's benchmarks/detection/configs/R_50_C4_2x.yaml: the
# 1x C4 protocol (mask-rcnn_r50_c4_8xb2-syncbn-ms-90k_coco.py) with detectron2's 2x
# schedule: 180k iterations of 16 images, lr x0.1 at 120k and 160k.
_base_ = './mask-rcnn_r50_c4_8xb2-syncbn-ms-90k_coco.py'

max_iter = 180000
train_cfg = dict(max_iters=max_iter, val_interval=max_iter)
param_scheduler = [
    # detectron2's factor 0.001 (1 - i / 1000) + i / 1000: mmengine's LinearLR reaches its
    # end factor at iteration end - 1, so end=1001 (mmdet's ms-90k configs: 1000, one early)
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1001),
    dict(type='MultiStepLR', begin=0, end=max_iter, by_epoch=False,
         milestones=[120000, 160000], gamma=0.1),
]
