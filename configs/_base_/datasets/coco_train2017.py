# The COCO train2017 loader of every pre-training method, written once: unlabeled scene
# images (annotations are not read), batch 64 per GPU, 8 workers, shuffled. Each method's
# dataset file inherits it beside its pipeline and sets `pipeline` and what differs (ORL's
# correspondence dataset, SlotCon's and DenseCL's drop_last, DenseCL's batch).
dataset_type = 'SceneImageDataset'
data_root = 'data/coco/'
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img_path='train2017/')))
