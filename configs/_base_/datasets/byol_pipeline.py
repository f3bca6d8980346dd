# BYOL's asymmetric two-view augmentation as ORL's reference code runs it (Jiahao000/ORL,
# configs/selfsup/orl/coco/stage{1,3}/r50_bs512_ep800.py), written once for stage 1 (both
# views) and stage 3 (the global views and, after the RoI crop, the RoI patches):
# * view crop: RandomResizedCrop to view_size, scale (0.08, 1), ratio (3/4, 4/3), bilinear
#   with PIL (torchvision's interpolation=2 on PIL images: anti-aliased when shrinking),
#   then a horizontal flip with p = 0.5;
# * the PIL path (PIL images from decode to the end of each view), decoding without EXIF
#   rotation, colour 1 / colour 2: byol_color.py.
_base_ = './byol_color.py'

view_size = 224
view_crop = [
    dict(type='PILRandomResizedCrop', scale=view_size, crop_ratio_range=(0.08, 1.),
         aspect_ratio_range=(3. / 4., 4. / 3.), interpolation='bilinear', backend='pillow'),
    dict(type='PILRandomFlip', prob=0.5),
]
