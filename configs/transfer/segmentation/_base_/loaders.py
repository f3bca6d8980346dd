# What every segmentation data set base shares (mmseg 1.x's dataset configs write it per data
# set): the preprocessor's padding (pixel 0 after normalising, label 255) and channel order,
# 4 persistent workers per loader, an infinite shuffled training sampler, one image per
# validation step, and mIoU. Each data set base (voc12aug, cityscapes, ade20k) inherits this
# and gives its mean/std, crop size, batch size and dataset, and its
# `test_dataloader = val_dataloader` adds its validation dataset to the test loader here.
data_preprocessor = dict(type='SegDataPreProcessor', bgr_to_rgb=True, pad_val=0, seg_pad_val=255)
train_dataloader = dict(
    num_workers=4, persistent_workers=True, sampler=dict(type='InfiniteSampler', shuffle=True))
val_dataloader = dict(
    batch_size=1, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
