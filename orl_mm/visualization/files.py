"""Image files named on a command line: files, or the first ones of folders (sorted)."""
import os.path as osp
from typing import List, Sequence

from mmengine.utils import scandir

from orl_mm.evaluation.labeled_images import IMAGE_EXTENSIONS


def image_files(items: Sequence[str], num: int) -> List[str]:
    """Image files and the first ``num`` images (by name) of each folder in ``items``.

    Raises:
        FileNotFoundError: For a path that does not exist, or when no image is found.
    """
    paths = []
    for item in items:
        if osp.isdir(item):
            files = sorted(scandir(item, suffix=IMAGE_EXTENSIONS, case_sensitive=False))
            paths += [osp.join(item, f) for f in files[:num]]
        elif osp.isfile(item):
            paths.append(item)
        else:
            raise FileNotFoundError(f'no image or folder at {item}')
    if not paths:
        raise FileNotFoundError(f'no images in {list(items)}')
    return paths
