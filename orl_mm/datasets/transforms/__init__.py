"""Transforms of orl_mm, registered in mmpretrain's TRANSFORMS."""
from .branches import LoadNeighbourImage, MultiBranch
from .roi import RoICrop, RoIJitter, box_iou_xywh, crop_box, jitter_box

__all__ = ['LoadNeighbourImage', 'MultiBranch', 'RoICrop', 'RoIJitter', 'box_iou_xywh',
           'crop_box', 'jitter_box']
