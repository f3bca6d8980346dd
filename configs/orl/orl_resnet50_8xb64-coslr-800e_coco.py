# ORL stage 3 (Xie et al., NeurIPS 2021, Sec. 4.1) on COCO train2017: ResNet-50 with SyncBN,
# batch 512 = 8 GPUs x 64, SGD lr 0.4 (0.2 x 512/256), momentum 0.9, weight decay 1e-4,
# 800 epochs with a 4-epoch linear warm-up then cosine; loss weights 1/1/1. Initialise from
# nothing (as the paper) and read the stage-2 correspondence file. Mixed precision (fp16
# autocast, dynamic loss scale) as the reference:
#   bash tools/dist_train.sh configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py 8
_base_ = [
    '../_base_/models/orl_resnet50.py',
    '../_base_/datasets/coco_orl.py',
    '../_base_/schedules/sgd_coslr-800e.py',
    '../_base_/default_runtime.py',
]
