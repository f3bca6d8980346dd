# The image decoding and BYOL's asymmetric colour steps, written once for ORL/BYOL
# (byol_pipeline.py), SCRL (scrl_pipeline.py) and SlotCon (coco_slotcon.py), whose
# references all decode with PIL and colour their two views this way (Jiahao000/ORL
# configs/selfsup/orl/coco/stage{1,3}/r50_bs512_ep800.py; kakaobrain/scrl augment/getters.py
# get_simclr_transforms_in_byol; CVMI-Lab/SlotCon data/transforms.py CustomDataAugmentation):
# * the PIL path (orl_mm/datasets/transforms/pil_image.py): decoded as the references,
#   PIL Image.open(...).convert('RGB'), without EXIF rotation (the pixels in the stored
#   orientation, like COCO's boxes and the image-header sizes); the image stays a PIL image
#   through every step, as torchvision's transforms keep it, and each view ends with one
#   conversion to an array (BGR, the order the data preprocessors' to_rgb=True expects);
# * colour 1: colour jitter (0.4, 0.4, 0.2, 0.1) p = 0.8 (torchvision's order: the four ops
#   in a random order), grayscale p = 0.2 (PIL's convert('L')), Gaussian blur sigma
#   U(0.1, 2) p = 1.0 (PIL's ImageFilter.GaussianBlur), no solarization;
# * colour 2: the same with blur p = 0.1 and solarization p = 0.2 (threshold 128).
# SCRL blurs by resizing instead: it takes the jitter, grayscale and solarize steps.
load_image = dict(type='LoadImagePIL')
color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='PILColorJitter', brightness=0.4, contrast=0.4, saturation=0.2,
                     hue=0.1)],
    prob=0.8)
grayscale = dict(type='PILRandomGrayscale', prob=0.2, keep_channels=True)
solarize_1 = dict(type='PILSolarize', thr=128, prob=0.)
solarize_2 = dict(type='PILSolarize', thr=128, prob=0.2)
to_array = dict(type='PILToArray')
color_1 = [
    color_jitter,
    grayscale,
    dict(type='PILGaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    solarize_1,
    to_array,
]
color_2 = [
    color_jitter,
    grayscale,
    dict(type='PILGaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    solarize_2,
    to_array,
]
