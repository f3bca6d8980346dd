"""The image list of stage 2 (one or several sources) and robust image decoding.

A source is an image folder plus, optionally, a COCO-layout JSON (instances or image
info) that fixes its images and their order; without a JSON every image file under the
folder is taken, sorted by name (:func:`orl_mm.datasets.scene_images.list_images`). Several
sources (e.g. COCO+ = ``train2017`` + ``unlabeled2017``) make one list, in source order, with file
names relative to a common root. Images are decoded as the ORL reference does (BGR,
8 bit, with OpenCV through ``mmcv.imfrombytes``), after a full decode with Pillow that
catches truncated or corrupt files, which OpenCV would silently fill with grey.
"""
import io
import os.path as osp
from collections import Counter
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.fileio import get as get_bytes
from PIL import Image

from orl_mm.datasets.scene_images import list_images, read_image_list
from orl_mm.utils.image_check import ImageReadError, check_image_bytes

__all__ = ['ImageReadError', 'ImageRecord', 'build_image_list', 'default_root', 'list_folder',
           'read_image_bgr']


@dataclass
class ImageRecord:
    """One image of the stage-2 list.

    Attributes:
        index: 0-based position in the list: the one index of this image in every
            per-image file of the work directory.
        file_name: Path relative to the root (as written in the correspondence file).
        image_id: The COCO id (the position when the source has no JSON).
        path: Absolute path of the file.
    """
    index: int
    file_name: str
    image_id: object
    path: str


def list_folder(img_dir: str) -> List[str]:
    """Sorted image file names under ``img_dir`` (sub-folders included)."""
    return list_images(img_dir)


def default_root(sources: Sequence[Tuple[str, Optional[str]]]) -> str:
    """The image folder of one source, the common parent folder of several."""
    dirs = [osp.abspath(d) for d, _ in sources]
    return dirs[0] if len(dirs) == 1 else osp.commonpath(dirs)


def build_image_list(sources: Sequence[Tuple[str, Optional[str]]],
                     root: Optional[str] = None) -> List[ImageRecord]:
    """List the images of one or several (folder, JSON or None) sources.

    Args:
        sources: The sources, in order.
        root: File names are relative to it (default :func:`default_root`).

    Returns:
        One :class:`ImageRecord` per image.

    Raises:
        FileNotFoundError: If a folder is missing or empty, or images named in a JSON do
            not exist (named in the message).
        ValueError: If an image is outside ``root`` or listed twice.
    """
    root = osp.abspath(root or default_root(sources))
    records: List[ImageRecord] = []
    for img_dir, ann_file in sources:
        if not osp.isdir(img_dir):
            raise FileNotFoundError(f'image folder not found: {img_dir}')
        if ann_file:
            entries = read_image_list(ann_file)
            missing = [e['file_name'] for e in entries
                       if not osp.isfile(osp.join(img_dir, e['file_name']))]
            if missing:
                shown = ', '.join(missing[:10]) + (' ...' if len(missing) > 10 else '')
                raise FileNotFoundError(
                    f'{ann_file}: {len(missing)} image(s) listed there are missing from '
                    f'{img_dir}: {shown}')
        else:
            entries = [dict(file_name=name, id=len(records) + i)
                       for i, name in enumerate(list_folder(img_dir))]
        if not entries:
            raise FileNotFoundError(f'no image found in {img_dir}' +
                                    (f' (listed by {ann_file})' if ann_file else ''))
        for e in entries:
            path = osp.abspath(osp.join(img_dir, e['file_name']))
            name = osp.relpath(path, root)
            if name.startswith('..'):
                raise ValueError(f'{path} is not under the root {root}')
            records.append(ImageRecord(len(records), name, e['id'], path))
    names = [r.file_name for r in records]
    if len(set(names)) != len(names):
        dup = sorted(n for n, c in Counter(names).items() if c > 1)
        raise ValueError(f'images listed twice: {", ".join(dup[:10])}')
    return records


def _to_uint8_bgr(img: np.ndarray) -> np.ndarray:
    """Convert what an unchanged decode returns to 3-channel 8-bit BGR."""
    if img.dtype != np.uint8:
        if img.dtype == np.uint16:
            img = (img >> 8).astype(np.uint8)
        else:  # float or 32-bit: scale the range to 0..255
            img = img.astype(np.float64)
            lo, hi = float(img.min()), float(img.max())
            img = ((img - lo) * (255.0 / max(hi - lo, 1e-12))).round().astype(np.uint8)
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    elif img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    elif img.shape[2] == 1:
        img = cv2.cvtColor(img[..., 0], cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(img)


def read_image_bgr(path: str) -> np.ndarray:
    """Decode an image as an (H, W, 3) uint8 BGR array, as stored (EXIF ignored).

    The EXIF orientation is ignored (``color_ignore_orientation``), as stage 3, the image
    headers and COCO's annotations do, so every box refers to the same pixels. Grayscale,
    RGBA (alpha dropped), CMYK and 16-bit images are converted to 8-bit BGR.

    Raises:
        ImageReadError: If the file is missing, corrupt or truncated (named in the message).
    """
    try:
        content = get_bytes(path)
    except OSError as err:
        raise ImageReadError(f'{path}: cannot read file ({err})') from err
    pil_mode = check_image_bytes(path, content)  # None: very large but valid, for OpenCV
    img = mmcv.imfrombytes(content, flag='color_ignore_orientation', backend='cv2')
    if img is None or pil_mode in ('I;16', 'I;16B', 'I;16L', 'I', 'F'):
        # OpenCV cannot read it, or it is high bit depth: decode unchanged and convert
        raw = mmcv.imfrombytes(content, flag='unchanged', backend='cv2')
        if raw is None:
            with Image.open(io.BytesIO(content)) as pil:
                raw = np.asarray(pil.convert('RGB'))[..., ::-1]
        img = _to_uint8_bgr(raw)
    if img.size == 0:
        raise ImageReadError(f'{path}: empty image')
    return img
