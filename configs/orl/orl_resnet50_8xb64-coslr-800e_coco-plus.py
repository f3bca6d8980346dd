# ORL stage 3 on COCO+ (train2017 + unlabeled2017), otherwise as the COCO config.
_base_ = [
    '../_base_/models/orl_resnet50.py',
    '../_base_/datasets/coco-plus_orl.py',
    '../_base_/schedules/sgd_coslr-800e.py',
    '../_base_/default_runtime.py',
]
