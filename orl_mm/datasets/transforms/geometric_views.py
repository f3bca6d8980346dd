"""Two-view transforms that keep the geometry of each view (SCRL, SlotCon).

mmpretrain's ``MultiView`` keeps only the images of its views. Methods that relate the
views spatially need each view's crop box (in original-image pixels) and flip:

- :class:`RandomResizedCropWithBox`: mmpretrain's ``RandomResizedCrop`` that records its
  crop as ``crop_box`` = [x1, y1, x2, y2] (original pixels, x2/y2 exclusive).
- :class:`MultiViewWithGeometry`: ``MultiView`` that also keeps per-view keys
  (``crop_box``, ``flip``) as lists, and can re-draw view 2 until it overlaps view 1.
- :class:`SlotConOverlapBoxes`: each view's overlap box, normalised to the view.
"""
import copy
from typing import Dict, List, Sequence

import mmcv
import numpy as np
from mmpretrain.datasets.transforms import MultiView, RandomResizedCrop
from mmpretrain.registry import TRANSFORMS


def box_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection of two [x1, y1, x2, y2] boxes (may be empty: x2 <= x1 or y2 <= y1)."""
    return np.array([max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])],
                    dtype=np.float32)


def box_area(box: np.ndarray) -> float:
    return float(max(box[2] - box[0], 0) * max(box[3] - box[1], 0))


@TRANSFORMS.register_module()
class RandomResizedCropWithBox(RandomResizedCrop):
    """mmpretrain's ``RandomResizedCrop`` that also records ``crop_box``.

    Added keys: ``crop_box`` (4,) float32, [x1, y1, x2, y2] of the crop in the input
    image's pixels (x2, y2 exclusive); the output image of size ``scale`` shows exactly
    that region.
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        offset_h, offset_w, target_h, target_w = self.rand_crop_params(img)
        img = mmcv.imcrop(
            img,
            bboxes=np.array([offset_w, offset_h, offset_w + target_w - 1,
                             offset_h + target_h - 1]))
        img = mmcv.imresize(
            img, tuple(self.scale[::-1]), interpolation=self.interpolation,
            backend=self.backend)
        results['img'] = img
        results['img_shape'] = img.shape
        results['crop_box'] = np.array(
            [offset_w, offset_h, offset_w + target_w, offset_h + target_h], dtype=np.float32)
        return results


@TRANSFORMS.register_module()
class MultiViewWithGeometry(MultiView):
    """``MultiView`` that keeps each view's geometry and can require overlapping views.

    Args:
        transforms: One pipeline per view (as ``MultiView``); each should contain a
            :class:`RandomResizedCropWithBox` and usually a ``RandomFlip``.
        num_views: As ``MultiView``.
        keep_keys: Per-view keys to keep, stored as lists in view order (a view without
            the key gives None; ``flip`` defaults to False).
        min_overlap: SlotCon: re-draw the second view until the intersection of the two
            crops covers at least this fraction of the second crop's area (0 disables).
        max_tries: Draws of the second view at most (the last draw is kept).
    """

    def __init__(self,
                 transforms: List[List[Dict]],
                 num_views: Sequence[int] = (1, 1),
                 keep_keys: Sequence[str] = ('crop_box', 'flip'),
                 min_overlap: float = 0.,
                 max_tries: int = 10) -> None:
        super().__init__(transforms=transforms, num_views=list(num_views))
        self.keep_keys = tuple(keep_keys)
        self.min_overlap = min_overlap
        self.max_tries = max_tries

    def _overlap_ok(self, first: dict, second: dict) -> bool:
        if self.min_overlap <= 0:
            return True
        a, b = first['crop_box'], second['crop_box']
        return box_area(box_intersection(a, b)) >= self.min_overlap * box_area(b)

    def transform(self, results: dict) -> dict:
        outputs: List[dict] = []
        for index, pipeline in enumerate(self.transforms):
            tries = self.max_tries if (index == 1 and self.min_overlap > 0) else 1
            for _ in range(tries):
                out = pipeline(copy.deepcopy(results))
                if index != 1 or self._overlap_ok(outputs[0], out):
                    break
            outputs.append(out)
        results['img'] = [out['img'] for out in outputs]
        for key in self.keep_keys:
            default = False if key == 'flip' else None
            results[key] = [out.get(key, default) for out in outputs]
        return results


def _normalised_in_view(box: np.ndarray, crop: np.ndarray, flipped: bool) -> np.ndarray:
    """A box in original pixels -> [x1, y1, x2, y2] in [0, 1] of the view's frame."""
    w, h = crop[2] - crop[0], crop[3] - crop[1]
    x1, y1 = (box[0] - crop[0]) / w, (box[1] - crop[1]) / h
    x2, y2 = (box[2] - crop[0]) / w, (box[3] - crop[1]) / h
    if flipped:
        x1, x2 = 1. - x2, 1. - x1
    return np.array([x1, y1, x2, y2], dtype=np.float32)


@TRANSFORMS.register_module()
class SlotConOverlapBoxes:
    """The two views' overlap, as a normalised box in each view (SlotCon's ``coords``).

    Reads ``crop_box`` and ``flip`` (lists of 2, from :class:`MultiViewWithGeometry`);
    adds ``view_coords`` (2, 4) float32 — the intersection of the two crops in view v's
    frame, [x1, y1, x2, y2] in [0, 1], mirrored (x -> 1 - x) when view v was flipped — and
    ``view_flips`` (2,) bool. Views that do not overlap give a zero-size box at the
    centre of the nearer edges (the loss then compares single points).
    """

    def __call__(self, results: dict) -> dict:
        crops = [np.asarray(c, dtype=np.float32) for c in results['crop_box']]
        flips = [bool(f) for f in results['flip']]
        inter = box_intersection(crops[0], crops[1])
        if inter[2] < inter[0]:
            inter[0] = inter[2] = (inter[0] + inter[2]) / 2
        if inter[3] < inter[1]:
            inter[1] = inter[3] = (inter[1] + inter[3]) / 2
        results['view_coords'] = np.stack(
            [_normalised_in_view(inter, crop, flip) for crop, flip in zip(crops, flips)])
        results['view_flips'] = np.array(flips, dtype=bool)
        return results

    def __repr__(self) -> str:
        return self.__class__.__name__ + '()'
