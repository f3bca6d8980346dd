# Semi-supervised ImageNet with 1% of the labels, ORL's protocol (its
# configs/transfer/semi_classification/imagenet_1percent/r50_lr0_01_head100.py): the whole
# ResNet-50 (SyncBN) and a linear head fine-tuned by SGD lr 0.01 (head lr x100), momentum 0.9,
# weight decay 5e-4, batch 256 = 4 GPUs x 64, 20 epochs with lr x0.2 after epochs 12 and 16;
# RandomResizedCrop 224 + flip; test: short side 256, centre crop 224; top-1/top-5 on val.
#
# The labelled subset is a file list under data/imagenet/ (mmpretrain's ImageNet ann_file:
# one "<wnid>/<file>.JPEG <label>" line per image, paths relative to train/), e.g. the
# subset lists ORL and SimCLR use (meta/train_labeled_1percent.txt). Point to yours with
#   --cfg-options train_dataloader.dataset.ann_file=meta/my_1percent.txt
#
#   mim train mmpretrain \
#       configs/transfer/classification/resnet50_4xb64-syncbn-semi-1pct-steplr-20e_in1k.py \
#       --launcher pytorch -G 4 --cfg-options model.backbone.init_cfg.checkpoint=CKPT
#
# CKPT: any orl_mm checkpoint or exported backbone. OrlPretrained (weights='auto') takes the
# backbone the method's paper transfers (SlotCon: the teacher; the others: the online
# network) and logs which; model.backbone.init_cfg.weights=online|target overrides it.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    'mmpretrain::_base_/datasets/imagenet_bs64_pil_resize.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        # zero_init_residual=False: mmpretrain's ResNet zeroes every norm3 after any init_cfg
        # that is not of type 'Pretrained' (orl_mm/evaluation/pretrained_init.py)
        zero_init_residual=False,
        init_cfg=dict(type='OrlPretrained', checkpoint='', weights='auto')))

train_dataloader = dict(
    batch_size=64,
    dataset=dict(split='train', ann_file='meta/train_labeled_1percent.txt'))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=100)}))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[12, 16], gamma=0.2)]
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=20)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)

default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=20, max_keep_ckpts=1))
custom_hooks = [dict(type='PretrainedBackboneCheckHook')]
