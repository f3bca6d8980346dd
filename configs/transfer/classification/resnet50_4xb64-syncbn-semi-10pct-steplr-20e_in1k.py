# Semi-supervised ImageNet with 10% of the labels, ORL's protocol (its
# configs/transfer/semi_classification/imagenet_10percent/r50_lr0_01_head100.py): as the 1%
# config (resnet50_4xb64-syncbn-semi-1pct-steplr-20e_in1k.py) with weight decay 1e-4 and the
# 10% file list (meta/train_labeled_10percent.txt; point to yours with
#   --cfg-options train_dataloader.dataset.ann_file=meta/my_10percent.txt).
_base_ = './resnet50_4xb64-syncbn-semi-1pct-steplr-20e_in1k.py'

train_dataloader = dict(dataset=dict(ann_file='meta/train_labeled_10percent.txt'))
optim_wrapper = dict(optimizer=dict(weight_decay=1e-4))
