"""SCRL's spatially consistent boxes: the same image regions, located in both views."""
from typing import List

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

    From SCRL (Roh et al., *Spatially Consistent Representation Learning*, CVPR 2021).
    Reads ``img`` (2 views), ``crop_box`` and ``flip`` (from ``MultiViewWithGeometry``).

    1. Intersect the two crops (original-image pixels). Measure it in the pixels of the
       view where it appears smallest (the smaller zoom, per axis); if it is empty or a
       side is <= ``min_size`` there, the image gives no boxes.
    2. Split the intersection into a grid of up to ``grid_size`` x ``grid_size`` cells of at
       least ``min_size`` (smaller-zoom pixels). Each box: a random cell, then a random box
       of sides in [``min_size``, cell side] inside it, accepted if its IoU with every box
       kept so far is < ``iou_threshold``; up to ``max_tries`` draws per box (a box that
       never passes is left out).
    3. Map every box into each view's frame (pixels of the output image), mirrored when
       the view was flipped.

    Added keys: ``view_boxes`` (2, num_boxes, 4) float32, [x1, y1, x2, y2] per view
    (zeros where invalid), and ``box_valid`` (num_boxes,) bool.

    Args:
        num_boxes: Boxes per image (10).
        min_size: Smallest box side in the smaller-zoom view's pixels (32).
        iou_threshold: Largest IoU between two boxes of an image (0.5).
        max_tries: Draws per box (50).
        grid_size: Largest number of grid cells per side (3).
    """

    def __init__(self, num_boxes: int = 10, min_size: float = 32., iou_threshold: float = 0.5,
                 max_tries: int = 50, grid_size: int = 3) -> None:
        self.num_boxes = num_boxes
        self.min_size = float(min_size)
        self.iou_threshold = iou_threshold
        self.max_tries = max_tries
        self.grid_size = grid_size

    def _sample(self, width: float, height: float) -> List[np.ndarray]:
        """Boxes in a (width x height) region, in its own pixel units."""
        gx = int(max(1, min(self.grid_size, width // self.min_size)))
        gy = int(max(1, min(self.grid_size, height // self.min_size)))
        cell_w, cell_h = width / gx, height / gy
        boxes: List[np.ndarray] = []
        for _ in range(self.num_boxes):
            for _ in range(self.max_tries):
                cx, cy = np.random.randint(gx), np.random.randint(gy)
                w = np.random.uniform(self.min_size, max(cell_w, self.min_size))
                h = np.random.uniform(self.min_size, max(cell_h, self.min_size))
                x1 = cx * cell_w + np.random.uniform(0, max(cell_w - w, 0))
                y1 = cy * cell_h + np.random.uniform(0, max(cell_h - h, 0))
                box = np.array([x1, y1, min(x1 + w, width), min(y1 + h, height)], np.float32)
                if _max_iou(box, boxes) < self.iou_threshold:
                    boxes.append(box)
                    break
        return boxes

    def __call__(self, results: dict) -> dict:
        crops = [np.asarray(c, dtype=np.float64) for c in results['crop_box']]
        flips = [bool(f) for f in results['flip']]
        sizes = [img.shape[:2] for img in results['img']]  # (H, W) per view
        zoom = np.array([[w / (c[2] - c[0]), h / (c[3] - c[1])]
                         for c, (h, w) in zip(crops, sizes)])  # (2 views, [zx, zy])
        ref_zoom = zoom.min(axis=0)  # the smaller zoom, per axis
        inter = box_intersection(crops[0], crops[1]).astype(np.float64)
        iw, ih = (inter[2] - inter[0]) * ref_zoom[0], (inter[3] - inter[1]) * ref_zoom[1]

        view_boxes = np.zeros((2, self.num_boxes, 4), np.float32)
        valid = np.zeros(self.num_boxes, bool)
        if iw > self.min_size and ih > self.min_size:
            for n, box in enumerate(self._sample(iw, ih)):
                # smaller-zoom pixels -> original pixels -> each view's pixels
                orig = inter[[0, 1, 0, 1]] + box / ref_zoom[[0, 1, 0, 1]]
                for v, (crop, flip, (_, w)) in enumerate(zip(crops, flips, sizes)):
                    mapped = (orig - crop[[0, 1, 0, 1]]) * zoom[v][[0, 1, 0, 1]]
                    if flip:
                        mapped[[0, 2]] = w - mapped[[2, 0]]
                    view_boxes[v, n] = mapped
                valid[n] = True
        results['view_boxes'] = view_boxes
        results['box_valid'] = valid
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_boxes={self.num_boxes}, '
                f'min_size={self.min_size}, iou_threshold={self.iou_threshold}, '
                f'max_tries={self.max_tries}, grid_size={self.grid_size})')
