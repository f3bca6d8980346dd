# CPU-sized linear probe: the ImageNet protocol on a ResNet-18 (tiny stage-1 checkpoint) and
# the 6-class scene folders (../shared/data/scenes6/train/<class>/), 112 px, 10 epochs.
# scenes6 has no held-out split: val reads the same images (a smoke test of the pipeline;
# use tools/evaluation/knn.py or svm.py for held-out scores).
#   python tools/train.py \
#       configs/transfer/classification/resnet18_1xb32-linear-steplr-10e_scenes6.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = './resnet50_8xb32-linear-steplr-100e_in1k.py'

data_root = '../shared/data/scenes6/'
model = dict(
    backbone=dict(depth=18),
    head=dict(num_classes=6, in_channels=512, topk=(1, )))
data_preprocessor = dict(num_classes=6)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=112, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=128, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=112),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root, data_prefix='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root, data_prefix='train',
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

# lr 30 assumes well-scaled features; a briefly trained checkpoint's pooled res5 features
# reach norms of several hundred, so the CPU variant uses a small lr
optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(max_epochs=10, val_interval=10)
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[6, 8], gamma=0.1)]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, max_keep_ckpts=1))
