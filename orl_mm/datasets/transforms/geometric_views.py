"""Two-view transforms that keep the geometry of each view (SCRL, SlotCon).

mmpretrain's ``MultiView`` keeps only the images of its views. Methods that relate the
views spatially need each view's crop box (in original-image pixels) and flip:

- :class:`RandomResizedCropWithBox`: mmpretrain's ``RandomResizedCrop`` that records its
  crop as ``crop_box`` = [x1, y1, x2, y2] (original pixels, x2/y2 exclusive).
- :class:`MultiViewWithGeometry`: ``MultiView`` that also keeps per-view keys
  (``crop_box``, ``flip``) as lists, and can draw the two crops by SlotCon's rule
  (view 2 conditioned to overlap view 1, :mod:`.slotcon_crops`).
- :class:`SlotConOverlapBoxes`: each view's overlap box, normalised to the view.
"""
import types
from typing import Dict, List, Sequence

import mmcv
import numpy as np
from mmpretrain.datasets.transforms import MultiView, RandomResizedCrop
from mmpretrain.registry import TRANSFORMS
from PIL import Image

from .pil_image import image_hw
from .pil_ops import copy_sharing_images, resized_crop
from .slotcon_crops import slotcon_crop_params


def box_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection of two [x1, y1, x2, y2] boxes (may be empty: x2 <= x1 or y2 <= y1)."""
    return np.array([max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])],
                    dtype=np.float32)


@TRANSFORMS.register_module()
class RandomResizedCropWithBox(RandomResizedCrop):
    """mmpretrain's ``RandomResizedCrop`` that also records ``crop_box``.

    Added keys: ``crop_box`` (4,) float32, [x1, y1, x2, y2] of the crop in the input
    image's pixels (x2, y2 exclusive); the output image of size ``scale`` shows exactly
    that region. On a PIL image (the PIL path) the view stays a PIL image, cropped and
    resized as ``TF.resized_crop``. A ``crop_params`` key (top, left, height, width), set by
    :class:`MultiViewWithGeometry` under a crop rule, is used (and removed) instead of a
    draw.
    """

    def transform(self, results: dict) -> dict:
        img = results['img']
        preset = results.pop('crop_params', None)
        offset_h, offset_w, target_h, target_w = (
            self.rand_crop_params(types.SimpleNamespace(shape=image_hw(img)))
            if preset is None else preset)
        if isinstance(img, Image.Image):  # the PIL path: TF.resized_crop
            img = resized_crop(img, offset_h, offset_w, target_h, target_w,
                               tuple(self.scale[::-1]), self.interpolation)
        else:
            img = self._crop_array(img, offset_h, offset_w, target_h, target_w)
        results['img'] = img
        results['img_shape'] = image_hw(img)
        results['crop_box'] = np.array(
            [offset_w, offset_h, offset_w + target_w, offset_h + target_h], dtype=np.float32)
        return results

    def _crop_array(self, img: np.ndarray, offset_h: int, offset_w: int, target_h: int,
                    target_w: int) -> np.ndarray:
        img = mmcv.imcrop(
            img,
            bboxes=np.array([offset_w, offset_h, offset_w + target_w - 1,
                             offset_h + target_h - 1]))
        return mmcv.imresize(
            img, tuple(self.scale[::-1]), interpolation=self.interpolation,
            backend=self.backend)


@TRANSFORMS.register_module()
class MultiViewWithGeometry(MultiView):
    """``MultiView`` that keeps each view's geometry and can draw the crops by a rule.

    Args:
        transforms: One pipeline per view (as ``MultiView``); each should contain a
            :class:`RandomResizedCropWithBox` and usually a ``RandomFlip``.
        num_views: As ``MultiView``.
        keep_keys: Per-view keys to keep, stored as lists in view order (a view without
            the key gives None; ``flip`` defaults to False).
        crop_rule: ``'independent'``: each view's crop draws its own box (numpy, as
            mmpretrain's ``RandomResizedCrop``; SCRL). ``'slotcon'``: both boxes are drawn
            first, with Python's ``random`` as SlotCon's reference, view 2 conditioned to
            overlap view 1 (:func:`~.slotcon_crops.slotcon_crop_params`), using each
            view's crop's ``crop_ratio_range`` and ``aspect_ratio_range``; two views only.
        min_overlap: ``'slotcon'``: view 2's intersection with view 1 must reach this
            fraction of its target area (the reference: 0.01).
        max_tries: ``'slotcon'``: draws per crop before the fallback (the reference: 10).
    """

    CROP_RULES = ('independent', 'slotcon')

    def __init__(self,
                 transforms: List[List[Dict]],
                 num_views: Sequence[int] = (1, 1),
                 keep_keys: Sequence[str] = ('crop_box', 'flip'),
                 crop_rule: str = 'independent',
                 min_overlap: float = 0.01,
                 max_tries: int = 10) -> None:
        super().__init__(transforms=transforms, num_views=list(num_views))
        if crop_rule not in self.CROP_RULES:
            raise ValueError(f'crop_rule must be one of {self.CROP_RULES}, got {crop_rule!r}')
        self.keep_keys = tuple(keep_keys)
        self.crop_rule = crop_rule
        self.min_overlap = min_overlap
        self.max_tries = max_tries
        self._crops = []
        if crop_rule == 'slotcon':
            if len(self.transforms) != 2:
                raise ValueError(f"crop_rule 'slotcon' needs 2 views, got {len(self.transforms)}")
            for index, pipeline in enumerate(self.transforms):
                crops = [t for t in pipeline.transforms if isinstance(t, RandomResizedCropWithBox)]
                if not crops:
                    raise ValueError(f"crop_rule 'slotcon': view {index + 1}'s pipeline has "
                                     'no RandomResizedCropWithBox step')
                self._crops.append(crops[0])

    def _slotcon_crops(self, results: dict) -> List[tuple]:
        """SlotCon's two crops (top, left, height, width): view 1, then view 2 given it."""
        height, width = image_hw(results['img'])
        params: List[tuple] = []
        for crop in self._crops:
            params.append(slotcon_crop_params(
                height, width, crop.crop_ratio_range, crop.aspect_ratio_range,
                self.max_tries, constraint=params[0] if params else None,
                min_overlap=self.min_overlap))
        return params

    def transform(self, results: dict) -> dict:
        presets = self._slotcon_crops(results) if self.crop_rule == 'slotcon' else None
        outputs: List[dict] = []
        for index, pipeline in enumerate(self.transforms):
            inputs = copy_sharing_images(results)
            if presets is not None:
                inputs['crop_params'] = presets[index]
            outputs.append(pipeline(inputs))
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
