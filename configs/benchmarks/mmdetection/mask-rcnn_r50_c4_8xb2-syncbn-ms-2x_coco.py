# Mask R-CNN R50-C4 2x on COCO, as ORL's benchmarks/detection/configs/R_50_C4_2x.yaml: the
# 1x C4 protocol (mask-rcnn_r50_c4_8xb2-syncbn-ms-1x_coco.py) with 24 epochs, lr x0.1 after
# epochs 16 and 22 (detectron2: 180k iterations, steps 120k/160k, batch 16).
_base_ = './mask-rcnn_r50_c4_8xb2-syncbn-ms-1x_coco.py'

max_epochs = 24
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[16, 22],
         gamma=0.1),
]
