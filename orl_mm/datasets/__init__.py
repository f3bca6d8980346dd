from . import transforms  # noqa: F401
from .scene_images import SceneImageDataset, list_images, read_image_list

__all__ = ['SceneImageDataset', 'list_images', 'read_image_list']
