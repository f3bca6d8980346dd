_base_ = './scrl_pipeline.py'

# The reference keeps the last, smaller batch of every epoch (data/getters.py
# get_loaders_for_trainer: FastDataloader(drop_last=False), whose InfiniteBatchSampler
# yields the remainder; DistributedSampler pads the ranks to equal length).
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='SceneImageDataset',
        data_root='data/coco/',
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img_path='train2017/'),
        pipeline={{_base_.train_pipeline}}))
