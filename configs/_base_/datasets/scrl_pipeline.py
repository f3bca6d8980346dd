# SCRL's two views (reference augment/getters.py, get_simclr_transforms_for_view_1/2):
# RandomResizedCrop(224, scale 0.2-1, PIL bicubic) + flip, recording each view's crop box
# and flip; colour jitter p=0.8, grayscale p=0.2; SCRL's resize blur (bicubic down/up by
# 1.1, 1.2 or 1.5) with p=1.0 (view 1) / 0.1 (view 2); solarize p=0 / 0.2; then 10 boxes
# per image in the views' overlap (reference models/box_generator.py).
# Images are decoded without EXIF rotation, as the reference's PIL loader (torchvision's
# ImageNet -> pil_loader) and kept as PIL images to the end of each view (the PIL path);
# the loading, jitter, grayscale, solarize and array steps are BYOL's (byol_color.py).
# Written once: tiny configs change `crop_size` / `box_min_size` only (see
# configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py).
_base_ = './byol_color.py'

crop_size = 224
box_min_size = 32
view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.2, 1.),
         interpolation='bicubic', backend='pillow'),
    dict(type='PILRandomFlip', prob=0.5),
    _base_.color_jitter,
    _base_.grayscale,
    dict(type='ResizeBlur', factors=(1.1, 1.2, 1.5), prob=1.),
    _base_.solarize_1,
    _base_.to_array,
]
view_pipeline2 = [
    dict(type='RandomResizedCropWithBox', scale=crop_size, crop_ratio_range=(0.2, 1.),
         interpolation='bicubic', backend='pillow'),
    dict(type='PILRandomFlip', prob=0.5),
    _base_.color_jitter,
    _base_.grayscale,
    dict(type='ResizeBlur', factors=(1.1, 1.2, 1.5), prob=0.1),
    _base_.solarize_2,
    _base_.to_array,
]
train_pipeline = [
    _base_.load_image,
    dict(type='MultiViewWithGeometry', num_views=[1, 1],
         transforms=[view_pipeline1, view_pipeline2]),
    dict(type='SCRLBoxSampler', num_boxes=10, min_size=box_min_size, iou_threshold=0.5,
         max_tries=50),
    dict(type='PackInputs', algorithm_keys=['view_boxes', 'box_valid']),
]
