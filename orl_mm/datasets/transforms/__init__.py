from .geometric_views import (MultiViewWithGeometry, RandomResizedCropWithBox,
                              SlotConOverlapBoxes)
from .scrl_boxes import SCRLBoxSampler

__all__ = [
    'MultiViewWithGeometry', 'RandomResizedCropWithBox', 'SlotConOverlapBoxes', 'SCRLBoxSampler'
]
