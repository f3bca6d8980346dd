# The image decoding and BYOL's asymmetric colour steps, written once for ORL/BYOL
# (byol_pipeline.py), SCRL (scrl_pipeline.py) and SlotCon (coco_slotcon.py), whose
# references all decode with PIL and colour their two views this way (Jiahao000/ORL
# configs/selfsup/orl/coco/stage{1,3}/r50_bs512_ep800.py; kakaobrain/scrl augment/getters.py
# get_simclr_transforms_in_byol; CVMI-Lab/SlotCon data/transforms.py CustomDataAugmentation):
# * decoding without EXIF rotation (PIL's Image.open does not rotate), so the pixels are in
#   the stored orientation, like COCO's boxes and the image-header sizes;
# * colour 1: colour jitter (0.4, 0.4, 0.2, 0.1) p = 0.8, grayscale p = 0.2, Gaussian blur
#   sigma U(0.1, 2) p = 1.0, no solarization;
# * colour 2: the same with blur p = 0.1 and solarization p = 0.2.
# SCRL blurs by resizing instead: it takes the jitter, grayscale and solarize steps.
load_image = dict(type='LoadImageFromFile', color_type='color_ignore_orientation')
color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)],
    prob=0.8)
grayscale = dict(
    type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
solarize_1 = dict(type='Solarize', thr=128, prob=0.)
solarize_2 = dict(type='Solarize', thr=128, prob=0.2)
color_1 = [
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.),
    solarize_1,
]
color_2 = [
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    solarize_2,
]
