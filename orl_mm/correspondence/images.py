"""The image list of stage 2 and robust image decoding.

Stage 2 reads a COCO-layout folder: an image folder plus, optionally, a COCO instances or
image-info JSON that fixes the images and their order (otherwise every image file in the
folder, sorted by name). Images are decoded the way the ORL reference does it
(``cv2.imread``, BGR, 8 bit), after a full decode with Pillow that catches truncated or
corrupt files, which OpenCV would silently fill with grey.
"""
import os.path as osp
import warnings
from dataclasses import dataclass
from typing import List, Optional

import cv2
import numpy as np
from PIL import Image

from orl_mm.datasets.scene_images import list_images, read_image_list


class ImageReadError(RuntimeError):
    """An image that cannot be decoded (corrupt, truncated, unsupported)."""


@dataclass
class ImageRecord:
    """One image of the stage-2 list.

    Attributes:
        index: 0-based position in the list (the position used by ``knn_image_id``).
        file_name: Path relative to the image folder.
        image_id: The COCO id (the position when there is no JSON).
        path: Absolute path of the file.
    """
    index: int
    file_name: str
    image_id: object
    path: str


def build_image_list(img_dir: str, ann_file: Optional[str] = None) -> List[ImageRecord]:
    """List the images of a COCO-layout folder.

    Args:
        img_dir: The image folder.
        ann_file: Optional COCO-layout JSON with an ``images`` list (its order is kept).

    Returns:
        One :class:`ImageRecord` per image.

    Raises:
        FileNotFoundError: If the folder is missing or empty, or images named in the JSON
            do not exist (all of them are named in the message).
    """
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
        entries = [dict(file_name=name, id=i) for i, name in enumerate(list_images(img_dir))]
    if not entries:
        raise FileNotFoundError(f'no image found in {img_dir}' +
                                (f' (listed by {ann_file})' if ann_file else ''))
    return [
        ImageRecord(i, e['file_name'], e['id'], osp.abspath(osp.join(img_dir, e['file_name'])))
        for i, e in enumerate(entries)
    ]


def _to_uint8_bgr(img: np.ndarray) -> np.ndarray:
    """Convert what ``cv2.IMREAD_UNCHANGED`` returns to 3-channel 8-bit BGR."""
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

    The EXIF orientation is ignored, as stage 3 (``color_ignore_orientation``), the image
    headers and COCO's annotations do, so every box refers to the same pixels. Grayscale,
    RGBA (alpha dropped), CMYK and 16-bit images are converted to 8-bit BGR.

    Raises:
        ImageReadError: If the file is missing, corrupt or truncated (named in the message).
    """
    try:
        with Image.open(path) as pil:
            pil.load()  # full decode: raises on truncated or corrupt data
            pil_mode = pil.mode
    except Image.DecompressionBombError:
        pil_mode = None  # very large but valid: leave it to OpenCV
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageReadError(f'{path}: cannot decode image ({err})') from err
    with warnings.catch_warnings():
        img = cv2.imread(path, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if img is None or pil_mode in ('I;16', 'I;16B', 'I;16L', 'I', 'F'):
        # OpenCV cannot read it, or it is high bit depth: decode unchanged and convert
        raw = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if raw is None:
            with Image.open(path) as pil:
                raw = np.asarray(pil.convert('RGB'))[..., ::-1]
        img = _to_uint8_bgr(raw)
    if img.size == 0:
        raise ImageReadError(f'{path}: empty image')
    return img
