# ORL stage 3 on COCO+ (train2017 + unlabeled2017). Stage 2 runs over both folders, so the
# correspondence file names images relative to the data root ("train2017/..." and
# "unlabeled2017/..."); the image sizes for the box checks come from the image headers.
_base_ = './coco_orl.py'

train_dataloader = dict(
    dataset=dict(
        corr_file='annotations/orl_correspondence_train2017+unlabeled2017.json',
        ann_file='',
        data_prefix=dict(img_path='')))
