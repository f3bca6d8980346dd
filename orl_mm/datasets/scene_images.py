"""Unlabeled scene images in the COCO layout, for image-level pre-training (ORL stage 1)."""
import json
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.dataset import BaseDataset
from mmengine.utils import scandir
from mmpretrain.registry import DATASETS

# the image files every folder listing of the project takes (suffix case-insensitive)
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.ppm', '.pgm', '.tif', '.tiff', '.webp')


def read_image_list(ann_file: str) -> List[dict]:
    """Read the ``images`` list of a COCO-layout JSON (instances or image-info file).

    Args:
        ann_file: Path of a JSON with an ``images`` list of dicts holding ``file_name``
            (and usually ``id``), e.g. ``instances_train2017.json`` or
            ``image_info_unlabeled2017.json``.

    Returns:
        One dict per image, in the file's order: the entry's fields (``file_name``, and
        ``width``/``height`` where given), with ``id`` defaulting to the position.

    Raises:
        ValueError: If the file has no ``images`` list or an entry lacks ``file_name``.
    """
    with open(ann_file) as f:
        content = json.load(f)
    images = content.get('images') if isinstance(content, dict) else None
    if not isinstance(images, list):
        raise ValueError(f'{ann_file}: expected a COCO-layout JSON with an "images" list')
    out = []
    for index, image in enumerate(images):
        if not isinstance(image, dict) or 'file_name' not in image:
            raise ValueError(f'{ann_file}: images[{index}] has no "file_name"')
        out.append(dict(image, id=image.get('id', index)))
    return out


def list_images(img_dir: str, extensions: Sequence[str] = IMAGE_EXTENSIONS) -> List[str]:
    """Sorted image file names (relative to ``img_dir``, sub-folders included).

    Listed with ``mmengine.utils.scandir`` (suffix case-insensitive; hidden files such as
    ``._x.jpg`` left out).
    """
    return sorted(scandir(img_dir, suffix=tuple(extensions), recursive=True,
                          case_sensitive=False))


@DATASETS.register_module()
class SceneImageDataset(BaseDataset):
    """Unlabeled scene photos in the COCO layout (``data_root/train2017/*.jpg``).

    Each item is ``dict(img_path=..., img_id=...)``; the pipeline loads the image. With an
    ``ann_file`` (a COCO instances or image-info JSON) the dataset holds exactly the
    images listed there, in that order; without one it holds every image file under the
    image folder, sorted by name. COCO+ (train2017 + unlabeled2017) is a
    ``ConcatDataset`` of two of these (see ``configs/_base_/datasets``).

    Args:
        data_root: Root of the data set, prefixed to ``ann_file`` and ``data_prefix``.
        ann_file: Optional COCO-layout JSON restricting and ordering the images.
        data_prefix: ``dict(img_path=...)``, the image folder under ``data_root``.
        extensions: File extensions counted as images when scanning the folder.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset` (``pipeline``,
            ``indices``, ``test_mode``, ``lazy_init``...).

    Raises:
        FileNotFoundError: If the image folder is missing, holds no image, or an image
            named in ``ann_file`` does not exist (the message names the files).
    """

    def __init__(self,
                 data_root: str = '',
                 ann_file: str = '',
                 data_prefix: Optional[dict] = None,
                 extensions: Sequence[str] = IMAGE_EXTENSIONS,
                 **kwargs) -> None:
        self.extensions = tuple(ext.lower() for ext in extensions)
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix or dict(img_path='train2017/'),
            **kwargs)

    def load_data_list(self) -> List[dict]:
        img_dir = self.data_prefix['img_path']
        if not osp.isdir(img_dir):
            raise FileNotFoundError(f'image folder {img_dir} does not exist')
        if self.ann_file:
            images = read_image_list(self.ann_file)
            missing = [im['file_name'] for im in images
                       if not osp.isfile(osp.join(img_dir, im['file_name']))]
            if missing:
                raise FileNotFoundError(
                    f'{len(missing)} image(s) named in {self.ann_file} are missing from '
                    f'{img_dir}: {", ".join(missing[:5])}{" ..." if len(missing) > 5 else ""}')
        else:
            images = [dict(file_name=name, id=index)
                      for index, name in enumerate(list_images(img_dir, self.extensions))]
        if not images:
            raise FileNotFoundError(f'no image ({", ".join(self.extensions)}) in {img_dir}')
        return [dict(img_path=osp.join(img_dir, im['file_name']), img_id=im['id'])
                for im in images]
