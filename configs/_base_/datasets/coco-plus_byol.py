# COCO+ = COCO train2017 + unlabeled2017 (ORL's larger pre-training set), BYOL pipeline.
_base_ = './coco_byol.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type={{_base_.dataset_type}},
                data_root={{_base_.data_root}},
                ann_file='annotations/instances_train2017.json',
                data_prefix=dict(img_path='train2017/'),
                pipeline={{_base_.train_pipeline}}),
            dict(
                type={{_base_.dataset_type}},
                data_root={{_base_.data_root}},
                ann_file='annotations/image_info_unlabeled2017.json',
                data_prefix=dict(img_path='unlabeled2017/'),
                pipeline={{_base_.train_pipeline}}),
        ]))
