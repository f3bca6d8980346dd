"""RoIJitter / RoICrop: the jitter's properties and its fallback, exact crops."""
import math

import numpy as np
import pytest

from orl_mm.datasets.transforms import RoICrop, RoIJitter, box_iou_xywh, crop_box, jitter_box


def test_iou_exact():
    assert box_iou_xywh([0, 0, 2, 2], [1, 1, 2, 2]) == pytest.approx(1 / 7)
    assert box_iou_xywh([0, 0, 2, 2], [0, 0, 2, 2]) == 1.
    assert box_iou_xywh([0, 0, 1, 1], [2, 2, 1, 1]) == 0.


def test_jitter_properties_on_many_boxes():
    rng = np.random.RandomState(0)
    n_jittered = 0
    for _ in range(400):
        width, height = rng.randint(64, 640, size=2)
        w, h = rng.uniform(8, width), rng.uniform(8, height)
        box = [rng.uniform(0, width - w), rng.uniform(0, height - h), w, h]
        new, attempts = jitter_box(box, (width, height), rng=rng)
        assert 1 <= attempts <= 201
        if attempts == 201:
            assert new == box
            continue
        n_jittered += 1
        x, y, nw, nh = new
        assert x >= 0 and y >= 0 and x + nw <= width and y + nh <= height  # inside
        assert box_iou_xywh(new, box) > 0.5
        assert 0.5 - 1e-9 <= nw * nh / (w * h) <= 2 + 1e-9  # area factor
        assert 0.5 - 1e-9 <= (nw / nh) / (w / h) <= 2 + 1e-9  # aspect-ratio factor
        assert abs(x + nw / 2 - (box[0] + w / 2)) <= 0.5 * w + 1e-9  # centre shift
        assert abs(y + nh / 2 - (box[1] + h / 2)) <= 0.5 * h + 1e-9
    assert n_jittered > 300  # the jitter usually succeeds


def test_jitter_draws_are_spread_over_the_ranges():
    rng = np.random.RandomState(1)
    box, size = [200., 150., 100., 80.], (500, 400)
    areas, aspects = [], []
    for _ in range(500):
        new, _ = jitter_box(box, size, rng=rng)
        areas.append(new[2] * new[3] / 8000.)
        aspects.append(math.log((new[2] / new[3]) / 1.25))
    # accepted boxes cover both sides of the original area and aspect ratio
    assert min(areas) < 0.75 and max(areas) > 1.4
    assert min(aspects) < -0.3 and max(aspects) > 0.3


class _AlwaysHigh:
    """A stub RNG whose every draw is the top of its range: area x2, aspect x2, shift +0.5.

    Such a box has twice the area, so its IoU with the original is at most 0.5: never
    accepted."""

    def __init__(self):
        self.calls = 0

    def uniform(self, low, high):
        self.calls += 1
        return high


def test_jitter_falls_back_to_the_original_after_200_failures():
    rng = _AlwaysHigh()
    box = [10., 20., 30., 40.]
    new, attempts = jitter_box(box, (1000, 1000), rng=rng)
    assert new == box and attempts == 201
    assert rng.calls == 4 * 200
    rng = _AlwaysHigh()
    _, attempts = jitter_box(box, (1000, 1000), rng=rng, max_attempts=7)
    assert attempts == 8 and rng.calls == 28


def test_roi_jitter_transform_uses_the_image_size():
    np.random.seed(0)
    img = np.zeros((50, 80, 3), np.uint8)
    out = RoIJitter()(dict(img=img, roi=[0., 0., 80., 50.]))  # the whole image
    x, y, w, h = out['roi']
    assert x >= 0 and y >= 0 and x + w <= 80 and y + h <= 50
    assert 1 <= out['roi_jitter_attempts'] <= 201
    out = RoIJitter(roi_key='b')(dict(img=img, b=[10., 10., 20., 20.]))
    assert box_iou_xywh(out['b'], [10, 10, 20, 20]) > 0.5


def test_roi_crop_exact_pixels_and_size():
    img = np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)
    np.testing.assert_array_equal(crop_box(img, [3.4, 2.6, 5.0, 4.2]), img[3:7, 3:8])
    np.testing.assert_array_equal(crop_box(img, [-5, -5, 2, 2]), img[0:1, 0:1])  # clipped
    # a crop already of the output size is unchanged by the bilinear resize
    out = RoICrop(size=(5, 4))(dict(img=img, roi=[3., 3., 5., 4.]))
    np.testing.assert_array_equal(out['img'], img[3:7, 3:8])
    out = RoICrop(size=96)(dict(img=img, roi=[3., 3., 5., 4.]))
    assert out['img'].shape == (96, 96, 3) and out['img_shape'] == (96, 96)
    const = np.full((40, 40, 3), 77, np.uint8)
    assert (RoICrop(size=7)(dict(img=const, roi=[1, 2, 30, 9]))['img'] == 77).all()
