# COCO train2017 for SlotCon (reference data/transforms.py, CustomDataAugmentation): two
# 224 crops (scale 0.08-1, PIL bicubic), drawn as CustomTwoCrop does (crop_rule='slotcon':
# Python's random; the second is drawn up to 10 times until it overlaps the first by >= 1%
# of its target area, else drawn unconditioned); each view keeps its crop box and flip,
# from which the overlap box in each view is computed; BYOL's asymmetric colour steps
# (byol_color.py: Gaussian blur p=1.0 / 0.1, solarize p=0 / 0.2). Images are decoded
# without EXIF rotation, as the reference's PIL Image.open (data/datasets.py), and kept as
# PIL images to the end of each view (the PIL path, byol_color.py).
# Written once: the tiny config changes `crop_size` only.
_base_ = ['./byol_color.py', './coco_train2017.py']

crop_size = 224

view_crop_with_box = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.08, 1.),
         interpolation='bicubic', backend='pillow'),
    dict(type='PILRandomFlip', prob=0.5),
]
train_pipeline = [
    _base_.load_image,
    dict(
        type='MultiViewWithGeometry',
        num_views=[1, 1],
        transforms=[view_crop_with_box + _base_.color_1, view_crop_with_box + _base_.color_2],
        crop_rule='slotcon',
        min_overlap=0.01,
        max_tries=10),
    dict(type='SlotConOverlapBoxes'),
    dict(type='PackInputs', algorithm_keys=['view_coords', 'view_flips']),
]

train_dataloader = dict(drop_last=True, dataset=dict(pipeline=train_pipeline))
