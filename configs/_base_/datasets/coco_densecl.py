# DenseCL on COCO (Wang et al., CVPR 2021): train2017 as unlabeled scene images, two views
# of MoCo v2's augmentation, as WXinlong/DenseCL configs/selfsup/densecl/densecl_coco_800ep.py
# runs it (both views from the same list):
# * RandomResizedCrop to 224, scale (0.2, 1), torchvision's default ratio (3/4, 4/3) and
#   bilinear interpolation on PIL images;
# * colour jitter (0.4, 0.4, 0.4, 0.1) p = 0.8, grayscale p = 0.2;
# * Gaussian blur sigma U(0.1, 2) p = 0.5; horizontal flip p = 0.5;
# * ImageNet mean/std normalisation (the data preprocessor).
# Images are decoded without EXIF rotation (PIL's Image.open) and kept as PIL images to the
# end of each view (the PIL path: orl_mm/datasets/transforms/pil_image.py), as the other
# COCO bases.
_base_ = './coco_train2017.py'

view_size = 224
view_pipeline = [
    dict(type='PILRandomResizedCrop', scale=view_size, crop_ratio_range=(0.2, 1.),
         aspect_ratio_range=(3. / 4., 4. / 3.), interpolation='bilinear', backend='pillow'),
    dict(type='RandomApply',
         transforms=[dict(type='PILColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
                          hue=0.1)],
         prob=0.8),
    dict(type='PILRandomGrayscale', prob=0.2, keep_channels=True),
    dict(type='PILGaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='PILRandomFlip', prob=0.5),
    dict(type='PILToArray'),
]
train_pipeline = [
    dict(type='LoadImagePIL'),
    dict(type='PILMultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32, num_workers=4, drop_last=True, dataset=dict(pipeline=train_pipeline))
