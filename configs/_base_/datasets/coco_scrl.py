_base_ = ['./scrl_pipeline.py', './coco_train2017.py']

# The reference keeps the last, smaller batch of every epoch (data/getters.py
# get_loaders_for_trainer: FastDataloader(drop_last=False), whose InfiniteBatchSampler
# yields the remainder; DistributedSampler pads the ranks to equal length).
train_dataloader = dict(drop_last=False, dataset=dict(pipeline={{_base_.train_pipeline}}))
