"""Two-view transforms that keep geometry: crop boxes, flips, SlotCon overlap boxes."""
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
    views = [[dict(type='RandomResizedCropWithBox', scale=64, crop_ratio_range=(0.2, 1.),
                   backend='cv2'),
              dict(type='RandomFlip', prob=p)] for p in flip_probs]
    pipeline = MultiViewWithGeometry(transforms=views, min_overlap=min_overlap, max_tries=50)
    out = SlotConOverlapBoxes()(pipeline(dict(img=_smooth_image(seed=seed))))
    return out


def test_views_keep_boxes_flips_and_overlap():
    out = _two_views(0, (0., 1.))
    assert [v.shape for v in out['img']] == [(64, 64, 3), (64, 64, 3)]
    assert out['flip'] == [False, True] and out['view_flips'].tolist() == [False, True]
    a, b = out['crop_box']
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    assert inter >= 0.3 * (b[2] - b[0]) * (b[3] - b[1])
    assert out['view_coords'].shape == (2, 4)
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
