"""Transforms of orl_mm, registered in mmpretrain's TRANSFORMS."""
from .branches import LoadNeighbourImage, MultiBranch
from .device_colour import (DeviceColorJitter, DeviceGaussianBlur, DeviceRandomGrayscale,
                            DeviceSolarize)
from .geometric_views import MultiViewWithGeometry, RandomResizedCropWithBox, SlotConOverlapBoxes
from .pil_image import LoadImagePIL, PILToArray, image_hw
from .pil_ops import (PILColorJitter, PILGaussianBlur, PILMultiView, PILRandomFlip,
                      PILRandomGrayscale, PILRandomResizedCrop, PILSolarize, resized_crop)
from .resize_blur import ResizeBlur, resize_blur
from .roi import RoICrop, RoIJitter, box_iou_xywh, crop_box, jitter_box
from .scrl_boxes import SCRLBoxSampler

__all__ = [
    'LoadNeighbourImage', 'MultiBranch', 'RoICrop', 'RoIJitter', 'box_iou_xywh', 'crop_box',
    'jitter_box', 'MultiViewWithGeometry', 'RandomResizedCropWithBox', 'SlotConOverlapBoxes',
    'ResizeBlur', 'SCRLBoxSampler', 'resize_blur', 'LoadImagePIL', 'PILToArray', 'image_hw',
    'PILColorJitter', 'PILGaussianBlur', 'PILMultiView', 'PILRandomFlip', 'PILRandomGrayscale',
    'PILRandomResizedCrop', 'PILSolarize', 'resized_crop', 'DeviceColorJitter',
    'DeviceGaussianBlur', 'DeviceRandomGrayscale', 'DeviceSolarize'
]
