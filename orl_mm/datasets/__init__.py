from . import transforms  # noqa: F401  (registration)
from .correspondence import CorrespondenceDataset
from .scene_images import SceneImageDataset, list_images, read_image_list

__all__ = ['CorrespondenceDataset', 'SceneImageDataset', 'list_images', 'read_image_list']
