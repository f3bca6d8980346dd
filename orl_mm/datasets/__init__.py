from .scene_images import SceneImageDataset, list_images, read_image_list

__all__ = ['SceneImageDataset', 'list_images', 'read_image_list']
from . import transforms  # noqa: E402,F401  (registration)
from .correspondence import CorrespondenceDataset  # noqa: E402

__all__ += ['CorrespondenceDataset']
