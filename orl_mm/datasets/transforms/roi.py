"""RoI transforms of ORL's patch branches: box jitter and crop-and-resize.

Boxes are ``[x, y, w, h]`` in pixels of the image they belong to (the correspondence file's
convention). Both transforms read the box from ``results[roi_key]`` (``'roi'`` by default;
``MultiBranch`` puts each branch's box there).
"""
import math
from typing import Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS
from PIL import Image

from orl_mm.utils.boxes import box_iou_xywh
from .pil_image import image_hw
from .pil_ops import resized_crop


def jitter_box(box: Sequence[float],
               img_size: Tuple[int, int],
               rng=np.random,
               scale_range: Tuple[float, float] = (0.5, 2.),
               ratio_range: Tuple[float, float] = (0.5, 2.),
               shift_range: Tuple[float, float] = (-0.5, 0.5),
               min_iou: float = 0.5,
               max_attempts: int = 200) -> Tuple[list, int]:
    """Jitter a box as ORL's intra-RoI branch does (reference: ``aug_bbox``).

    Each attempt draws, in this order, an area factor ``s ~ U(scale_range)``, an aspect
    ratio ``r = exp(U(log ratio_range))`` and centre shifts ``dx, dy ~ U(shift_range)``.
    The new box has whole-pixel width ``round(sqrt(s w h r))`` and height
    ``round(sqrt(s w h / r))`` (so its aspect ratio is about ``r`` whatever the box's own
    ratio), centre ``(cx + dx w, cy + dy h)`` and corner
    ``(round(cx' - w'/2), round(cy' - h'/2))`` (Python's ``round``, ties to even, as the
    reference). It is accepted when it lies inside the image and its IoU with the original
    is above ``min_iou``.

    Args:
        box: ``[x, y, w, h]``.
        img_size: ``(width, height)`` of the image.
        rng: A ``numpy.random`` module, ``RandomState`` or ``Generator`` (``uniform``).
        scale_range: Range of the area factor.
        ratio_range: Range of the new box's aspect ratio (width / height), log-uniform.
        shift_range: Range of the centre shift, in units of the box width / height.
        min_iou: The accepted box's IoU with the original must exceed this.
        max_attempts: Attempts before giving up.

    Returns:
        The jittered ``[x, y, w, h]`` as ints (the original box, unchanged, after
        ``max_attempts`` failures) and the number of attempts made (``max_attempts + 1``
        marks the fallback).
    """
    x, y, w, h = (float(v) for v in box)
    width, height = img_size
    cx, cy = x + 0.5 * w, y + 0.5 * h
    log_lo, log_hi = math.log(ratio_range[0]), math.log(ratio_range[1])
    for attempt in range(1, max_attempts + 1):
        area = rng.uniform(*scale_range) * w * h
        ratio = math.exp(rng.uniform(log_lo, log_hi))
        nw = int(round(math.sqrt(area * ratio)))
        nh = int(round(math.sqrt(area / ratio)))
        ncx = cx + rng.uniform(*shift_range) * w
        ncy = cy + rng.uniform(*shift_range) * h
        nx, ny = int(round(ncx - 0.5 * nw)), int(round(ncy - 0.5 * nh))
        if nx < 0 or ny < 0 or nx + nw > width or ny + nh > height:
            continue
        new = [nx, ny, nw, nh]
        if box_iou_xywh(new, [x, y, w, h]) > min_iou:
            return new, attempt
    return list(box), max_attempts + 1


@TRANSFORMS.register_module()
class RoIJitter(BaseTransform):
    """Randomly jitter the box ``results[roi_key]`` inside ``results['img']``.

    See :func:`jitter_box` (ORL, Xie et al., NeurIPS 2021, intra-RoI branch: area
    x U(0.5, 2), aspect ratio (width / height) log-U(1/2, 2), centre shift U(-0.5, 0.5)
    x (w, h), whole pixels, inside the image and IoU > 0.5, up to 200 attempts, else the
    original box). ORL jitters only the second intra-RoI patch; the first is the box.

    **Required keys:** ``img``, ``roi_key``. **Modified keys:** ``roi_key``.
    **Added keys:** ``roi_jitter_attempts``.
    """

    def __init__(self,
                 scale_range: Tuple[float, float] = (0.5, 2.),
                 ratio_range: Tuple[float, float] = (0.5, 2.),
                 shift_range: Tuple[float, float] = (-0.5, 0.5),
                 min_iou: float = 0.5,
                 max_attempts: int = 200,
                 roi_key: str = 'roi') -> None:
        self.kwargs = dict(scale_range=tuple(scale_range), ratio_range=tuple(ratio_range),
                           shift_range=tuple(shift_range), min_iou=min_iou,
                           max_attempts=max_attempts)
        self.roi_key = roi_key

    def transform(self, results: dict) -> dict:
        height, width = image_hw(results['img'])
        box, attempts = jitter_box(results[self.roi_key], (width, height), **self.kwargs)
        results[self.roi_key] = box
        results['roi_jitter_attempts'] = attempts
        return results

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v}' for k, v in self.kwargs.items())
        return f'{self.__class__.__name__}({args}, roi_key={self.roi_key!r})'


def box_pixels(box: Sequence[float], height: int, width: int) -> Tuple[int, int, int, int]:
    """``[x, y, w, h]`` as whole pixels ``(x1, y1, x2, y2)``: rounded, at least 1x1, inside
    a ``height`` x ``width`` image (x2, y2 exclusive)."""
    x1 = min(max(int(round(box[0])), 0), width - 1)
    y1 = min(max(int(round(box[1])), 0), height - 1)
    x2 = min(max(int(round(box[0] + box[2])), x1 + 1), width)
    y2 = min(max(int(round(box[1] + box[3])), y1 + 1), height)
    return x1, y1, x2, y2


def crop_box(img: Union[np.ndarray, Image.Image],
             box: Sequence[float]) -> Union[np.ndarray, Image.Image]:
    """The pixels of ``[x, y, w, h]`` (:func:`box_pixels`), from an array or a PIL image."""
    x1, y1, x2, y2 = box_pixels(box, *image_hw(img))
    if isinstance(img, Image.Image):
        return img.crop((x1, y1, x2, y2))
    return img[y1:y2, x1:x2]


@TRANSFORMS.register_module()
class RoICrop(BaseTransform):
    """Crop the box ``results[roi_key]`` out of ``results['img']`` and resize it.

    ORL's patch branches: crop the RoI and resize it to ``size`` x ``size``, no random
    crop. The default resamples as the reference (torchvision's ``resized_crop`` on a PIL
    image, ``interpolation=2``): PIL bilinear, which low-pass filters when shrinking
    (cv2's ``INTER_LINEAR`` does not, and aliases patches shrunk several times).

    On a PIL image (the PIL path, :mod:`.pil_image`) the patch stays a PIL image, cropped
    and resized as ``TF.resized_crop`` does; on an array, ``mmcv.imresize``.

    **Required keys:** ``img``, ``roi_key``. **Modified keys:** ``img``, ``img_shape``.

    Args:
        size: Output side (96 in ORL), or ``(width, height)``.
        interpolation: mmcv interpolation name.
        backend: ``'pillow'`` (the reference's resampling) or ``'cv2'``.
        roi_key: Where the ``[x, y, w, h]`` box is.
    """

    def __init__(self,
                 size=96,
                 interpolation: str = 'bilinear',
                 backend: str = 'pillow',
                 roi_key: str = 'roi') -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.interpolation = interpolation
        self.backend = backend
        self.roi_key = roi_key

    def transform(self, results: dict) -> dict:
        img = results['img']
        if isinstance(img, Image.Image):  # the PIL path: the reference's TF.resized_crop
            if self.backend != 'pillow':
                raise ValueError(f"RoICrop on a PIL image resamples with PIL; got backend="
                                 f"{self.backend!r} (use 'pillow')")
            x1, y1, x2, y2 = box_pixels(results[self.roi_key], *image_hw(img))
            results['img'] = resized_crop(img, y1, x1, y2 - y1, x2 - x1, self.size,
                                          self.interpolation)
            results['img_shape'] = image_hw(results['img'])
            return results
        # contiguous first: PIL's fromarray copies a strided view element by element
        # (about 20x slower than numpy's copy); the pixels are the same
        patch = np.ascontiguousarray(crop_box(results['img'], results[self.roi_key]))
        patch = mmcv.imresize(patch, self.size, interpolation=self.interpolation,
                              backend=self.backend)
        results['img'] = patch
        results['img_shape'] = patch.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'interpolation={self.interpolation!r}, backend={self.backend!r}, '
                f'roi_key={self.roi_key!r})')
