"""SCRL's spatially consistent boxes: the same image regions, located in both views."""
from typing import List, Sequence, Tuple

import numpy as np
from mmpretrain.registry import TRANSFORMS

from .geometric_views import box_intersection


def reference_iou(box: Sequence[float], others: np.ndarray) -> np.ndarray:
    """IoU of one [x1, y1, x2, y2] box with M such boxes, as SCRL's reference computes it.

    ``models/box_generator.py``, ``bbox_iou``: continuous coordinates (no +1), intersection
    ``max(x2 - x1, 0) * max(y2 - y1, 0)``, union ``area_a + area_b - inter``, 0 where the
    boxes do not meet; all in float64 (the reference uses Python floats), so a candidate at
    IoU exactly 0.5 in exact arithmetic gets the reference's rounded value (e.g.
    0.5000000000000001, rejected by ``< 0.5``).

    Args:
        box: The candidate box, (4,).
        others: The kept boxes, (M, 4).

    Returns:
        (M,) float64 IoUs.
    """
    a = np.asarray(box, dtype=np.float64)
    b = np.asarray(others, dtype=np.float64).reshape(-1, 4)
    inter = np.abs(np.maximum(np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0]), 0) *
                   np.maximum(np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1]), 0))
    area_a = abs((a[2] - a[0]) * (a[3] - a[1]))
    area_b = np.abs((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(inter == 0, 0., inter / (area_a + area_b - inter))


@TRANSFORMS.register_module()
class SCRLBoxSampler:
    """Sample boxes inside the overlap of two views and map them into each view.

    From SCRL (Roh et al., *Spatially Consistent Representation Learning*, CVPR 2021), the
    grid-based generator of the reference (``models/box_generator.py``,
    ``SCRLBoxGenerator.generate`` with ``grid_based_box_gen=True``). Reads ``img``
    (2 views), ``crop_box`` and ``flip`` (from ``MultiViewWithGeometry``).

    1. Intersect the two crops (original-image pixels) and measure it in the pixels of
       the view where it appears smallest (the smaller zoom, per axis), rounded:
       ``W x H``. If ``W <= min_size`` or ``H <= min_size`` the image gives no boxes.
    2. For each of the ``num_boxes`` boxes, up to ``max_tries`` draws; each draw takes a
       fresh grid of ``gx x gy`` cells, ``gx`` uniform in ``1..floor(W / min_size)`` and
       ``gy`` in ``1..floor(H / min_size)`` (independently), a random cell, integer sides
       uniform in ``[min_size, floor(cell side)]`` (independently per axis) and an
       integer offset inside the cell. The first box is kept as drawn (every box when
       ``iou_threshold == 1``); a later one is kept once its IoU in view 1 (the draw
       unclipped against the kept boxes clipped, :func:`reference_iou`, float64 as the
       reference) with every kept box of the image is ``< iou_threshold``; after
       ``max_tries`` failed draws the last draw is kept, so an image with a large enough
       overlap always gives ``num_boxes`` boxes.
    3. Map every box into each view's frame (pixels of the output image, with the
       reference's arithmetic: :func:`_to_view`), mirrored when the view was flipped, and
       clip it to the frame (x1, y1 >= 0; x2, y2 <= the frame's width, height).

    Added keys: ``view_boxes`` (2, num_boxes, 4) float32, [x1, y1, x2, y2] per view
    (zeros where invalid), and ``box_valid`` (num_boxes,) bool (all True or all False).

    Args:
        num_boxes: Boxes per image (10).
        min_size: Smallest box side in the smaller-zoom view's pixels (32).
        iou_threshold: Boxes of an image overlap less than this (0.5).
        max_tries: Draws per box (50).
    """

    def __init__(self, num_boxes: int = 10, min_size: int = 32, iou_threshold: float = 0.5,
                 max_tries: int = 50) -> None:
        if int(min_size) != min_size or min_size < 1:
            raise ValueError(f'min_size must be a positive integer, got {min_size}')
        self.num_boxes = num_boxes
        self.min_size = int(min_size)
        self.iou_threshold = iou_threshold
        self.max_tries = max_tries

    def _draw(self, width: int, height: int) -> Tuple[int, int, int, int]:
        """One candidate [x, y, w, h] (integers) in a (width x height) region."""
        sizes = []
        for side in (width, height):
            cells = np.random.randint(1, side // self.min_size + 1)
            sizes.append((cells, side / cells))
        (gx, cell_w), (gy, cell_h) = sizes
        col, row = np.random.randint(0, gx), np.random.randint(0, gy)
        w = np.random.randint(self.min_size, int(cell_w + 1))
        h = np.random.randint(self.min_size, int(cell_h + 1))
        x = np.random.randint(0, int(cell_w - w + 1)) + int(col * cell_w)
        y = np.random.randint(0, int(cell_h - h + 1)) + int(row * cell_h)
        return x, y, w, h

    def __call__(self, results: dict) -> dict:
        crops = [np.asarray(c, dtype=np.float64) for c in results['crop_box']]
        flips = [bool(f) for f in results['flip']]
        sizes = [img.shape[:2] for img in results['img']]  # (H, W) per view
        zoom = np.array([[w / (c[2] - c[0]), h / (c[3] - c[1])]
                         for c, (h, w) in zip(crops, sizes)])  # (2 views, [zx, zy])
        ref_zoom = zoom.min(axis=0)  # the smaller zoom, per axis
        inter = box_intersection(crops[0], crops[1]).astype(np.float64)
        width = round(float(inter[2] - inter[0]) * ref_zoom[0])
        height = round(float(inter[3] - inter[1]) * ref_zoom[1])

        view_boxes = np.zeros((2, self.num_boxes, 4), np.float32)
        valid = np.zeros(self.num_boxes, bool)
        if width > self.min_size and height > self.min_size:
            views = [(crop[:2], z, 1. / ref_zoom, w, flip)
                     for crop, z, (_, w), flip in zip(crops, zoom, sizes, flips)]
            kept: List[np.ndarray] = []  # view-1 boxes of this image, clipped, float64
            for n in range(self.num_boxes):
                for _ in range(self.max_tries):
                    draw = self._draw(width, height)
                    mapped = [_to_view(draw, inter[:2], *view) for view in views]
                    if n == 0 or self.iou_threshold == 1. or reference_iou(
                            mapped[0], np.stack(kept)).max() < self.iou_threshold:
                        break
                clipped = [np.concatenate([np.maximum(box[:2], 0), np.minimum(box[2:], (w, h))])
                           for box, (h, w) in zip(mapped, sizes)]
                kept.append(clipped[0])
                view_boxes[:, n] = clipped
            valid[:] = True
        results['view_boxes'] = view_boxes
        results['box_valid'] = valid
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_boxes={self.num_boxes}, '
                f'min_size={self.min_size}, iou_threshold={self.iou_threshold}, '
                f'max_tries={self.max_tries})')


def _to_view(draw: Tuple[int, int, int, int], origin: np.ndarray, crop_origin: np.ndarray,
             zoom: np.ndarray, ref_zoom_inv: np.ndarray, view_width: int,
             flip: bool) -> np.ndarray:
    """A drawn [x, y, w, h] (smaller-zoom pixels from the overlap's corner) in a view.

    The reference's arithmetic, operation by operation (``SCRLBoxGenerator.generate``:
    ``l = x * inv * s + (int_l - crop_l) * s``, ``r = l + w * inv * s``, then the flip
    ``l, r = W - r, W - l``), so every float64 value, and hence every IoU test, is the
    reference's.

    Args:
        draw: The drawn box, [x, y, w, h], integers.
        origin: The crops' intersection's top-left corner in original pixels, (2,).
        crop_origin: The view's crop's top-left corner in original pixels, (2,).
        zoom: The view's zoom (view pixels per original pixel), (2,) [x, y].
        ref_zoom_inv: 1 / the smaller zoom of the two views, (2,) [x, y].
        view_width: The view's width in pixels.
        flip: Whether the view was flipped.

    Returns:
        (4,) float64 [x1, y1, x2, y2] in the view's pixels (not clipped).
    """
    x, y, w, h = draw
    left = x * ref_zoom_inv[0] * zoom[0] + (origin[0] - crop_origin[0]) * zoom[0]
    right = left + w * ref_zoom_inv[0] * zoom[0]
    top = y * ref_zoom_inv[1] * zoom[1] + (origin[1] - crop_origin[1]) * zoom[1]
    bottom = top + h * ref_zoom_inv[1] * zoom[1]
    if flip:
        left, right = view_width - right, view_width - left
    return np.array([left, top, right, bottom], dtype=np.float64)
