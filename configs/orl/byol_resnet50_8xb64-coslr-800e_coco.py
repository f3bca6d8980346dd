# ORL stage 1 (Xie et al., NeurIPS 2021, Sec. 4.1): image-level BYOL on COCO train2017.
# ResNet-50 with SyncBN, batch 512 = 8 GPUs x 64, SGD lr 0.4, 800 epochs, mixed precision
# (the reference's use_fp16). Pipeline: configs/_base_/datasets/byol_pipeline.py.
_base_ = [
    '../_base_/models/byol_resnet50.py',
    '../_base_/datasets/coco_byol.py',
    '../_base_/schedules/sgd_coslr-800e.py',
    '../_base_/default_runtime.py',
]
