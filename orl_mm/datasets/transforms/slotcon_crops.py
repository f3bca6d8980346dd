"""SlotCon's pair of crops: the second conditioned to overlap the first.

SlotCon's reference (CVMI-Lab/SlotCon, ``data/transforms.py``, ``CustomTwoCrop``) draws
both crops with Python's ``random`` module before any flip or colour step:

- crop 1, ``get_params``: up to 10 draws of an area fraction ``U(scale)`` and a log-uniform
  aspect ratio; the first whose rounded sides fit the image gets a uniform integer
  offset; if none fits, the central crop (the image clipped to the ratio range);
- crop 2, ``get_params_conditioned``: up to 10 such draws; a draw that fits gets its
  offset and is kept if its intersection with crop 1 (pixels) is at least 1 % of its
  *target area* (``U(scale) x image area``, before rounding the sides); a draw that does
  not fit counts as one of the 10; if none is kept, an unconditioned ``get_params`` draw.

Crops are (i, j, h, w) = (top, left, height, width), integers, as mmpretrain's
``RandomResizedCrop.rand_crop_params`` returns them.
"""
import math
import random
from typing import Optional, Sequence, Tuple

CropParams = Tuple[int, int, int, int]  # (top, left, height, width)


def _draw_size(height: int, width: int, scale: Sequence[float], ratio: Sequence[float],
               rng: random.Random) -> Tuple[float, int, int]:
    """One draw of a target area (pixels) and the rounded crop sides (h, w)."""
    target_area = rng.uniform(*scale) * (height * width)
    aspect_ratio = math.exp(rng.uniform(math.log(ratio[0]), math.log(ratio[1])))
    w = int(round(math.sqrt(target_area * aspect_ratio)))
    h = int(round(math.sqrt(target_area / aspect_ratio)))
    return target_area, h, w


def _central_crop(height: int, width: int, ratio: Sequence[float]) -> CropParams:
    in_ratio = float(width) / float(height)
    if in_ratio < min(ratio):
        w, h = width, int(round(width / min(ratio)))
    elif in_ratio > max(ratio):
        w, h = int(round(height * max(ratio))), height
    else:
        w, h = width, height
    return (height - h) // 2, (width - w) // 2, h, w


def intersection_area(a: CropParams, b: CropParams) -> int:
    """Overlap of two (i, j, h, w) crops in pixels (0 when they do not meet)."""
    x_overlap = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    y_overlap = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    return x_overlap * y_overlap


def slotcon_crop_params(height: int, width: int, scale: Sequence[float],
                        ratio: Sequence[float], max_tries: int = 10,
                        constraint: Optional[CropParams] = None, min_overlap: float = 0.01,
                        rng: Optional[random.Random] = None) -> CropParams:
    """A random-resized-crop box, optionally conditioned to overlap another crop.

    Args:
        height: Image height (pixels).
        width: Image width (pixels).
        scale: Range of the crop's area as a fraction of the image area.
        ratio: Range of the crop's aspect ratio (width / height).
        max_tries: Draws before the fallback (the reference: 10).
        constraint: None: ``get_params`` (fallback: the central crop). A crop (i, j, h, w):
            ``get_params_conditioned`` (fallback: an unconditioned draw).
        min_overlap: A conditioned draw is kept when its intersection with
            ``constraint`` is ``>= min_overlap x`` its target area (the reference: 0.01).
        rng: The random generator; None: Python's global ``random`` (as the reference).

    Returns:
        (top, left, height, width) of the crop, integers.
    """
    rng = random if rng is None else rng
    for _ in range(max_tries):
        target_area, h, w = _draw_size(height, width, scale, ratio, rng)
        if 0 < w <= width and 0 < h <= height:
            crop = (rng.randint(0, height - h), rng.randint(0, width - w), h, w)
            if constraint is None or intersection_area(crop, constraint) >= \
                    min_overlap * target_area:
                return crop
    if constraint is None:
        return _central_crop(height, width, ratio)
    return slotcon_crop_params(height, width, scale, ratio, max_tries, rng=rng)
