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
        assert all(isinstance(v, int) for v in new)  # whole pixels
        x, y, nw, nh = new
        assert x >= 0 and y >= 0 and x + nw <= width and y + nh <= height  # inside
        assert box_iou_xywh(new, box) > 0.5
        # area factor in [0.5, 2] and absolute aspect ratio in [0.5, 2], up to the rounding
        # of width and height to whole pixels (each within 0.5 of its exact value)
        assert (nw - .5) * (nh - .5) <= 2 * w * h and (nw + .5) * (nh + .5) >= .5 * w * h
        assert (nw - .5) / (nh + .5) <= 2 and (nw + .5) / (nh - .5) >= .5
        # centre shift at most half the box size (+ half a pixel of corner rounding)
        assert abs(x + nw / 2 - (box[0] + w / 2)) <= 0.5 * w + 0.5
        assert abs(y + nh / 2 - (box[1] + h / 2)) <= 0.5 * h + 0.5
    # most succeed; boxes far from square often fall back (the new ratio is at most 2:1)
    assert n_jittered > 200


def test_jittered_aspect_ratio_is_absolute():
    """A 3:1 box keeps width / height in [0.5, 2] (the old relative rule gave up to 6)."""
    rng = np.random.RandomState(2)
    box, size = [500., 700., 300., 100.], (2000, 2000)
    ratios = []
    for _ in range(1000):
        new, attempts = jitter_box(box, size, rng=rng)
        if attempts <= 200:
            ratios.append(new[2] / new[3])
    assert len(ratios) > 900
    ratios = np.array(ratios)
    # rounding of w and h to whole pixels moves the ratio by at most ~1% at these sizes
    assert ratios.max() <= 2 * 1.02 and ratios.min() >= 0.5 / 1.02
    # IoU > 0.5 with a 3:1 box favours wide boxes: the accepted ratios crowd towards 2
    assert np.median(ratios) > 1.4 and ratios.max() > 1.9


class _Replay:
    """A stub RNG returning given draws in order (recording the ranges it was asked for)."""

    def __init__(self, draws):
        self.draws = list(draws)
        self.ranges = []

    def uniform(self, low, high):
        self.ranges.append((low, high))
        return self.draws.pop(0)


def test_jitter_exact_values_draw_order_and_rounding():
    box = [10, 20, 30, 40]  # centre (25, 40), area 1200
    # area x1.5 = 1800, ratio exp(0) = 1 -> w = h = round(42.43) = 42; centre shifted by
    # (+0.1 * 30, -0.2 * 40) = (28, 32); corner (round(7.0), round(11.0)); IoU 990/1974
    rng = _Replay([1.5, 0., 0.1, -0.2])
    assert jitter_box(box, (100, 100), rng=rng) == ([7, 11, 42, 42], 1)
    assert rng.ranges == [(0.5, 2.), (math.log(0.5), math.log(2.)), (-0.5, 0.5), (-0.5, 0.5)]
    # ties round to even, as Python's round: w = h = 41, corner (4.5, 19.5) -> (4, 20)
    rng = _Replay([1681 / 1200, 0., 0., 0.])
    assert jitter_box(box, (100, 100), rng=rng) == ([4, 20, 41, 41], 1)
    # the new box's ratio is exp(draw) whatever the box's own: w/h = 1.5 for a 3:4 box
    # (the relative rule would give 1.125); area x1 -> w = round(sqrt(1800)) = 42,
    # h = round(sqrt(800)) = 28, corner (25 - 21, 40 - 14); IoU 840/1536
    rng = _Replay([1., math.log(1.5), 0., 0.])
    assert jitter_box(box, (100, 100), rng=rng) == ([4, 26, 42, 28], 1)
    # outside the image (x = round(10 - 17.5) < 0) -> the next attempt: w = h = 35,
    # corner (round(7.5), round(22.5)) = (8, 22)
    rng = _Replay([1., 0., -0.5, 0.] + [1., 0., 0., 0.])
    assert jitter_box(box, (100, 100), rng=rng) == ([8, 22, 35, 35], 2)
    # IoU not above 0.5 (ratio 2 for a 3:4 box: 720/1656) -> the next attempt
    rng = _Replay([1., math.log(2.), 0., 0.] + [1.5, 0., 0.1, -0.2])
    assert jitter_box(box, (100, 100), rng=rng) == ([7, 11, 42, 42], 2)


def test_jitter_draws_are_spread_over_the_ranges():
    rng = np.random.RandomState(1)
    box, size = [200., 150., 100., 80.], (500, 400)
    areas, aspects = [], []
    for _ in range(500):
        new, _ = jitter_box(box, size, rng=rng)
        areas.append(new[2] * new[3] / 8000.)
        aspects.append(math.log(new[2] / new[3]))
    # accepted boxes cover both sides of the original area and of a square
    assert min(areas) < 0.75 and max(areas) > 1.4
    assert min(aspects) < -0.3 and max(aspects) > 0.3


class _AlwaysHigh:
    """A stub RNG whose every draw is the top of its range: area x2, ratio 2, shift +0.5.

    Such a box has about twice the area (69 x 35 for a 30 x 40 box), so its IoU with the
    original is below 0.5: never accepted."""

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


def test_roi_crop_resamples_like_pil_bilinear():
    """The reference crops a PIL image and resizes it with PIL bilinear (interpolation=2)."""
    from PIL import Image
    rng = np.random.RandomState(3)
    img = rng.randint(0, 256, size=(120, 150, 3)).astype(np.uint8)
    box = [17, 9, 101, 88]
    for size in ((37, 29), (96, 96), (160, 140)):  # shrink and enlarge
        out = RoICrop(size=size)(dict(img=img, roi=box))['img']
        crop = Image.fromarray(img).crop((17, 9, 17 + 101, 9 + 88))
        expected = np.asarray(crop.resize(size, Image.BILINEAR))
        np.testing.assert_array_equal(out, expected)


def test_roi_crop_low_pass_filters_when_shrinking():
    """Stripes of period 5 px shrunk 6x: PIL bilinear gives their mean grey (the pattern is
    above the new Nyquist frequency), cv2's INTER_LINEAR samples two pixels and aliases."""
    xx = np.arange(576)[None, :].repeat(576, 0)
    stripes = np.repeat(((xx % 5 < 2) * 255).astype(np.uint8)[..., None], 3, axis=2)
    box = [0, 0, 576, 576]
    pil = RoICrop(size=96)(dict(img=stripes, roi=box))['img'].astype(float)
    cv2 = RoICrop(size=96, backend='cv2')(dict(img=stripes, roi=box))['img'].astype(float)
    assert pil.mean() == pytest.approx(0.4 * 255, abs=2)
    assert pil.std() < 5  # nearly flat grey
    assert cv2.std() > 60  # aliased stripes of nearly full contrast
