"""Image reading, resizing and ImageNet normalisation shared by stage 2 and the evaluation.

Two normalisations, one per pixel scale, with their constants named by that scale:

* :func:`normalize_to_tensor` works on 0-255 pixels with :data:`IMAGENET_MEAN_255` /
  :data:`IMAGENET_STD_255` (stage 2's embeddings, the attention figures);
* :func:`to_tensor_normalize` is torchvision's ``ToTensor`` (pixels / 255) followed by
  ``Normalize`` with :data:`IMAGENET_MEAN_01` / :data:`IMAGENET_STD_01`, as ORL's feature
  extraction for the VOC07 SVMs (``benchmarks/extract_info/voc07.py``) does.

Resizing follows torchvision's rules on PIL images (bilinear): :func:`resize_short_side` is
``Resize(int)`` (the long side ``int(size * long / short)``), :func:`center_crop` is
``CenterCrop`` (offsets ``int(round((H - crop) / 2))``, zero padding when the image is
smaller), and :func:`resize_center_crop` is the two in a row, normalised on the 0-255 scale.
"""
from typing import Tuple

import numpy as np
import torch
from PIL import Image

from .image_check import check_image_bytes

__all__ = ['IMAGENET_MEAN_255', 'IMAGENET_STD_255', 'IMAGENET_MEAN_01', 'IMAGENET_STD_01',
           'read_rgb', 'resize_short_side', 'resize_to', 'center_crop', 'normalize_to_tensor',
           'to_tensor_normalize', 'resize_center_crop']

IMAGENET_MEAN_01 = (0.485, 0.456, 0.406)
IMAGENET_STD_01 = (0.229, 0.224, 0.225)
IMAGENET_MEAN_255 = (123.675, 116.28, 103.53)
IMAGENET_STD_255 = (58.395, 57.12, 57.375)


def read_rgb(path: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB, decoded by Pillow through mmcv, EXIF orientation ignored (as
    ``PIL.Image.open(path).convert('RGB')`` reads it, and as the training pipelines do).

    Raises:
        OSError: If the file cannot be read.
        ImageReadError: If it is empty, not an image, truncated or corrupt.
    """
    import mmcv

    try:
        with open(path, 'rb') as f:
            content = f.read()
    except OSError as err:
        raise OSError(f'cannot read image {path}: {err}') from err
    check_image_bytes(path, content)  # ImageReadError: empty, not an image, truncated
    return mmcv.imfrombytes(content, flag='color_ignore_orientation', channel_order='rgb',
                            backend='pillow')


def resize_to(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """(H, W, 3) uint8 -> (height, width, 3) uint8, bilinear (Pillow), aspect ratio not kept."""
    return np.asarray(Image.fromarray(rgb).resize((width, height), Image.BILINEAR))


def resize_short_side(rgb: np.ndarray, size: int) -> np.ndarray:
    """torchvision ``Resize(size)``: the shorter side to ``size``, the longer one to
    ``int(size * long / short)``, bilinear (Pillow). (H, W, 3) -> (H', W', 3)."""
    h, w = rgb.shape[:2]
    if w <= h:
        new_w, new_h = size, int(size * h / w)
    else:
        new_w, new_h = int(size * w / h), size
    return resize_to(rgb, new_w, new_h)


def _crop_offsets(height: int, width: int, crop: int) -> Tuple[int, int]:
    return int(round((height - crop) / 2.0)), int(round((width - crop) / 2.0))


def center_crop(rgb: np.ndarray, crop: int) -> np.ndarray:
    """torchvision ``CenterCrop(crop)``: (H, W, 3) -> (crop, crop, 3); a side shorter than
    ``crop`` is first padded with zeros on both ends (the odd pixel at the end)."""
    h, w = rgb.shape[:2]
    if h < crop or w < crop:
        big_h, big_w = max(h, crop), max(w, crop)
        canvas = np.zeros((big_h, big_w, 3), dtype=rgb.dtype)
        top, left = (big_h - h) // 2, (big_w - w) // 2
        canvas[top:top + h, left:left + w] = rgb
        rgb, h, w = canvas, big_h, big_w
    top, left = _crop_offsets(h, w, crop)
    return rgb[top:top + crop, left:left + crop]


def normalize_to_tensor(rgb: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 RGB -> (3, H, W) float32, ``(pixel - IMAGENET_MEAN_255) /
    IMAGENET_STD_255``."""
    x = torch.from_numpy(np.array(rgb, dtype=np.float32)).permute(2, 0, 1)
    mean = torch.tensor(IMAGENET_MEAN_255).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD_255).view(3, 1, 1)
    return (x - mean) / std


def to_tensor_normalize(rgb: np.ndarray) -> torch.Tensor:
    """torchvision ``ToTensor`` then ``Normalize(IMAGENET_MEAN_01, IMAGENET_STD_01)``:
    (H, W, 3) uint8 RGB -> (3, H, W) float32, ``(pixel / 255 - mean) / std``."""
    x = torch.from_numpy(np.array(rgb, dtype=np.uint8)).permute(2, 0, 1).float().div(255)
    mean = torch.tensor(IMAGENET_MEAN_01).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD_01).view(3, 1, 1)
    return (x - mean) / std


def resize_center_crop(rgb: np.ndarray, resize: int, crop: int) -> torch.Tensor:
    """``Resize(resize)`` -> ``CenterCrop(crop)`` -> 0-255 normalisation: (3, crop, crop)."""
    return normalize_to_tensor(center_crop(resize_short_side(rgb, resize), crop))
