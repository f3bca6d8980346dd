"""SCRL's spatially consistent boxes: the same image regions, located in both views."""
from typing import List, Tuple

import numpy as np
from mmpretrain.registry import TRANSFORMS

from orl_mm.utils.boxes import box_iou_xywh

from .geometric_views import box_intersection


def _max_iou(box: np.ndarray, others: List[np.ndarray]) -> float:
    """Largest IoU of one [x1, y1, x2, y2] box with a list of such boxes (0 for none)."""
    if not others:
        return 0.
    xyxy = np.concatenate([box[None], np.stack(others)]).astype(np.float64)
    xywh = np.concatenate([xyxy[:, :2], xyxy[:, 2:] - xyxy[:, :2]], axis=1)
    return float(box_iou_xywh(xywh[0], xywh[1:]).max())


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
       integer offset inside the cell. The first box is kept as drawn; a later one is
       kept once its IoU (in view 1) with every kept box of the image is
       ``< iou_threshold``; after ``max_tries`` failed draws the last draw is kept, so an
       image with a large enough overlap always gives ``num_boxes`` boxes.
    3. Map every box into each view's frame (pixels of the output image), mirrored when
       the view was flipped, and clip it to the frame.

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
            kept: List[np.ndarray] = []  # view-1 boxes of this image
            for n in range(self.num_boxes):
                for _ in range(self.max_tries):
                    x, y, w, h = self._draw(width, height)
                    # smaller-zoom pixels -> original pixels -> each view's pixels
                    orig = inter[[0, 1, 0, 1]] + np.array([x, y, x + w, y + h]) / ref_zoom[
                        [0, 1, 0, 1]]
                    mapped = []
                    for crop, flip, (vh, vw), z in zip(crops, flips, sizes, zoom):
                        box = (orig - crop[[0, 1, 0, 1]]) * z[[0, 1, 0, 1]]
                        if flip:
                            box[[0, 2]] = vw - box[[2, 0]]
                        mapped.append(box)
                    if n == 0 or _max_iou(mapped[0], kept) < self.iou_threshold:
                        break
                for v, (box, (vh, vw)) in enumerate(zip(mapped, sizes)):
                    view_boxes[v, n] = np.clip(box, 0, [vw, vh, vw, vh])
                kept.append(view_boxes[0, n].astype(np.float64))
            valid[:] = True
        results['view_boxes'] = view_boxes
        results['box_valid'] = valid
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_boxes={self.num_boxes}, '
                f'min_size={self.min_size}, iou_threshold={self.iou_threshold}, '
                f'max_tries={self.max_tries})')
