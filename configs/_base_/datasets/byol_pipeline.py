# BYOL's asymmetric two-view augmentation as ORL's reference code runs it (Jiahao000/ORL,
# configs/selfsup/orl/coco/stage{1,3}/r50_bs512_ep800.py), written once for stage 1 (both
# views) and stage 3 (the global views and, after the RoI crop, the RoI patches):
# * view crop: RandomResizedCrop to view_size, scale (0.08, 1), ratio (3/4, 4/3), bilinear
#   with PIL (torchvision's interpolation=2 on PIL images: anti-aliased when shrinking),
#   then a horizontal flip with p = 0.5;
# * colour 1: colour jitter (0.4, 0.4, 0.2, 0.1) p = 0.8, grayscale p = 0.2, Gaussian blur
#   sigma U(0.1, 2) p = 1.0, no solarization;
# * colour 2: the same with blur p = 0.1 and solarization p = 0.2.
# Images are decoded without EXIF rotation (PIL's Image.open does not rotate), so the
# pixels are in the stored orientation, like COCO's boxes and the image-header sizes.
view_size = 224
load_image = dict(type='LoadImageFromFile', color_type='color_ignore_orientation')
view_crop = [
    dict(type='RandomResizedCrop', scale=view_size, crop_ratio_range=(0.08, 1.),
         aspect_ratio_range=(3. / 4., 4. / 3.), interpolation='bilinear', backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
]
color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)],
    prob=0.8)
grayscale = dict(
    type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
color_1 = [
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    dict(type='Solarize', thr=128, prob=0.),
]
color_2 = [
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
]
