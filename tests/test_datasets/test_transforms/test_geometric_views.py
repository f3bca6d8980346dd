"""Two-view transforms that keep geometry: crop boxes, flips, SlotCon overlap boxes."""
import math
import random

import numpy as np
import pytest
import torch

from orl_mm.datasets.transforms import (MultiViewWithGeometry, RandomResizedCropWithBox,
                                        SlotConOverlapBoxes)
from orl_mm.models.algorithms import align_to_overlap
from orl_mm.testing import smooth_image


def _smooth_image(seed=0):
    return smooth_image(240, 320, seed, period=(20, 40))


def test_crop_box_shows_the_cropped_region():
    img = _smooth_image()
    out = RandomResizedCropWithBox(scale=64, backend='cv2')(dict(img=img.copy()))
    x1, y1, x2, y2 = out['crop_box'].astype(int)
    import mmcv
    expected = mmcv.imresize(img[y1:y2, x1:x2], (64, 64))
    np.testing.assert_array_equal(out['img'], expected)


def _two_views(seed, flip_probs, min_overlap=0.3):
    np.random.seed(seed)
    random.seed(seed)
    views = [[dict(type='RandomResizedCropWithBox', scale=64, crop_ratio_range=(0.2, 1.),
                   backend='cv2'),
              dict(type='RandomFlip', prob=p)] for p in flip_probs]
    pipeline = MultiViewWithGeometry(transforms=views, crop_rule='slotcon',
                                     min_overlap=min_overlap, max_tries=50)
    out = SlotConOverlapBoxes()(pipeline(dict(img=_smooth_image(seed=seed))))
    return out


def test_views_keep_boxes_flips_and_overlap():
    out = _two_views(0, (0., 1.))
    assert [v.shape for v in out['img']] == [(64, 64, 3), (64, 64, 3)]
    assert out['flip'] == [False, True] and out['view_flips'].tolist() == [False, True]
    a, b = out['crop_box']
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    assert inter >= 0.3 * 0.2 * 240 * 320  # 30 % of a target area of >= 20 % of the image
    assert out['view_coords'].shape == (2, 4)
    assert 'crop_params' not in out
    assert np.all(out['view_coords'] >= -1e-6) and np.all(out['view_coords'] <= 1 + 1e-6)


@pytest.mark.parametrize('flip_probs', [(0., 0.), (1., 0.), (0., 1.), (1., 1.)])
def test_aligned_views_agree_on_the_overlap(flip_probs):
    """The two views, aligned to their overlap and un-flipped, show the same content."""
    for seed in range(3):
        out = _two_views(seed, flip_probs)
        maps = [torch.from_numpy(v.copy()).permute(2, 0, 1)[None].float() for v in out['img']]
        coords = torch.from_numpy(out['view_coords'])
        flips = torch.from_numpy(out['view_flips'])
        a1 = align_to_overlap(maps[0], coords[0:1], flips[0:1])
        a2 = align_to_overlap(maps[1], coords[1:2], flips[1:2])
        # resampling differs between views (other zoom), content agrees closely (0-255)
        assert (a1 - a2).abs().mean() < 2, (seed, (a1 - a2).abs().mean())  # about 0.3
        # and a mismatched alignment (no un-flip) does not agree
        wrong = align_to_overlap(maps[1], coords[1:2], ~flips[1:2])
        assert (a1 - wrong).abs().mean() > 2 * (a1 - a2).abs().mean()


def _reference_get_params(height, width, scale, ratio):
    """SlotCon's ``CustomTwoCrop.get_params`` (data/transforms.py), written out for the
    test: Python's ``random``, 10 draws, then the central crop. (i, j, h, w)."""
    for _ in range(10):
        target_area = random.uniform(*scale) * (height * width)
        aspect = math.exp(random.uniform(math.log(ratio[0]), math.log(ratio[1])))
        w, h = int(round(math.sqrt(target_area * aspect))), int(round(math.sqrt(
            target_area / aspect)))
        if 0 < w <= width and 0 < h <= height:
            return random.randint(0, height - h), random.randint(0, width - w), h, w
    in_ratio = width / height
    if in_ratio < min(ratio):
        w, h = width, int(round(width / min(ratio)))
    elif in_ratio > max(ratio):
        w, h = int(round(height * max(ratio))), height
    else:
        w, h = width, height
    return (height - h) // 2, (width - w) // 2, h, w


def _reference_get_params_conditioned(height, width, scale, ratio, first):
    """``CustomTwoCrop.get_params_conditioned``: 10 draws; a fitting draw is kept when
    its pixel intersection with ``first`` is >= 1 % of its target area
    (``U(scale) x image area``); else ``get_params``. Returns the crop and whether the
    fallback was taken."""
    for _ in range(10):
        target_area = random.uniform(*scale) * (height * width)
        aspect = math.exp(random.uniform(math.log(ratio[0]), math.log(ratio[1])))
        w, h = int(round(math.sqrt(target_area * aspect))), int(round(math.sqrt(
            target_area / aspect)))
        if 0 < w <= width and 0 < h <= height:
            i, j = random.randint(0, height - h), random.randint(0, width - w)
            fi, fj, fh, fw = first
            overlap = (max(0, min(j + w, fj + fw) - max(j, fj)) *
                       max(0, min(i + h, fi + fh) - max(i, fi)))
            if overlap >= 0.01 * target_area:
                return (i, j, h, w), False
    return _reference_get_params(height, width, scale, ratio), True


@pytest.mark.parametrize('shape,scale,fallback', [
    ((240, 320), (0.08, 1.), False),  # the paper's range: view 2 overlaps enough
    ((60, 300), (0.08, 1.), True),  # many draws do not fit (both fallbacks)
    ((400, 400), (0.002, 0.01), True),  # small crops: overlaps are rare
])
def test_slotcon_crop_rule_draws_the_reference_stream(shape, scale, fallback):
    """Same Python random stream -> the reference's two crops, and the stream is left in
    the same state (same number of draws); the fallback paths are reached."""
    height, width = shape
    views = [[dict(type='RandomResizedCropWithBox', scale=16, crop_ratio_range=scale,
                   backend='cv2'), dict(type='RandomFlip', prob=0.5)]] * 2
    rule = MultiViewWithGeometry(transforms=views, crop_rule='slotcon')
    img = np.zeros((height, width, 3), np.uint8)
    fallbacks = 0
    for seed in range(200):
        random.seed(seed)
        out = rule(dict(img=img))
        after = random.random()
        random.seed(seed)
        first = _reference_get_params(height, width, scale, (3 / 4, 4 / 3))
        second, fell_back = _reference_get_params_conditioned(height, width, scale,
                                                              (3 / 4, 4 / 3), first)
        assert random.random() == after, seed
        expected = [[j, i, j + w, i + h] for i, j, h, w in (first, second)]
        np.testing.assert_array_equal(np.stack(out['crop_box']), expected, str(seed))
        fallbacks += fell_back
    assert (fallbacks > 50) if fallback else (fallbacks == 0)  # the fallback is exercised


def test_crop_rule_is_checked():
    views = [[dict(type='RandomResizedCropWithBox', scale=16)]] * 2
    with pytest.raises(ValueError, match="crop_rule must be one of"):
        MultiViewWithGeometry(transforms=views, crop_rule='overlap')
    with pytest.raises(ValueError, match='needs 2 views'):
        MultiViewWithGeometry(transforms=views * 2, num_views=[1] * 4, crop_rule='slotcon')
    with pytest.raises(ValueError, match="view 2's pipeline has no RandomResizedCropWithBox"):
        MultiViewWithGeometry(transforms=[views[0], [dict(type='RandomFlip', prob=0.5)]],
                              crop_rule='slotcon')
