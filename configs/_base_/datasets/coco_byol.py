# COCO train2017 as unlabeled scene images, with mmpretrain's BYOL-asymmetric two-view
# pipeline at 224 (view 1: blur p=1, no solarize; view 2: blur p=0.1, solarize p=0.2).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs32_byol.py'

dataset_type = 'SceneImageDataset'
data_root = 'data/coco/'

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(_delete_=True, type='default_collate'),
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img_path='train2017/'),
        pipeline={{_base_.train_pipeline}}))
