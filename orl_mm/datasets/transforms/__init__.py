from .geometric_views import (MultiViewWithGeometry, RandomResizedCropWithBox,
                              SlotConOverlapBoxes)

__all__ = ['MultiViewWithGeometry', 'RandomResizedCropWithBox', 'SlotConOverlapBoxes']
