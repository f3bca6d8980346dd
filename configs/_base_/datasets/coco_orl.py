# ORL stage 3 data: COCO train2017 + the stage-2 correspondence file (reference layout;
# Jiahao000/ORL openselfsup/datasets/orl.py, ORLDataset.__getitem__). Six images per sample,
# with BYOL's view crop (byol_pipeline.py) and colour lists (byol_color.py):
# * 2 global views: view crop 224 + colour 1 / colour 2;
# * 2 intra-RoI patches of one proposal box: patch 1 is the box itself, patch 2 a jittered
#   copy of it (area x U(0.5, 2), absolute aspect ratio log-U(1/2, 2), centre shift
#   U(-0.5, 0.5) x (w, h), inside the image, IoU > 0.5, 200 tries, else the box);
# * 2 inter-RoI patches of a mined pair: the query box here, the key box in a k-NN image.
# Patches: crop the box, resize to 96 x 96 bilinear with PIL (anti-aliased), flip p = 0.5,
# then colour 1 (first patch of each pair) or colour 2 (second). All on the PIL path
# (byol_color.py): the reference's TF.resized_crop of the PIL image, one array per patch.
_base_ = ['./byol_pipeline.py', './coco_train2017.py']

dataset_type = 'CorrespondenceDataset'
patch_size = 96

patch_crop = [
    dict(type='RoICrop', size=patch_size, interpolation='bilinear', backend='pillow'),
    dict(type='PILRandomFlip', prob=0.5),
]
jitter = dict(type='RoIJitter', scale_range=(0.5, 2.), ratio_range=(0.5, 2.),
              shift_range=(-0.5, 0.5), min_iou=0.5, max_attempts=200)

train_pipeline = [
    _base_.load_image,
    dict(type='LoadImagePIL', path_key='neighbour_img_path', out_key='neighbour_img'),
    dict(
        type='MultiBranch',
        branches=[
            dict(pipeline=_base_.view_crop + _base_.color_1),
            dict(pipeline=_base_.view_crop + _base_.color_2),
            dict(roi_key='intra_box', pipeline=patch_crop + _base_.color_1),
            dict(roi_key='intra_box', pipeline=[jitter] + patch_crop + _base_.color_2),
            dict(roi_key='inter_query_box', pipeline=patch_crop + _base_.color_1),
            dict(img_key='neighbour_img', roi_key='inter_key_box',
                 pipeline=patch_crop + _base_.color_2),
        ]),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        corr_file='annotations/orl_correspondence_train2017.json',
        pipeline=train_pipeline))
