"""SCRL's resize blur: PIL bicubic down/up scaling, its probability and factors."""
import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS
from PIL import Image

from orl_mm.datasets.transforms import ResizeBlur, resize_blur


def _step_edge(h=32, w=64, low=60, high=190):
    img = np.full((h, w, 3), low, np.uint8)
    img[:, w // 2:] = high
    return img


def _pil_down_up(img, factor):
    h, w = img.shape[:2]
    pil = Image.fromarray(img).resize((int(w // factor), int(h // factor)), Image.BICUBIC)
    return np.asarray(pil.resize((w, h), Image.BICUBIC))


@pytest.mark.parametrize('factor', [1.1, 1.2, 1.5])
def test_equals_a_pil_bicubic_down_up_resize(factor):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (45, 67, 3), dtype=np.uint8)
    out = resize_blur(img, factor)
    assert out.shape == img.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out, _pil_down_up(img, factor))
    assert not np.array_equal(out, img)
    # the small size is floor(side / factor): 67 // 1.5 = 44, not round(44.7) = 45
    h, w = img.shape[:2]
    other = Image.fromarray(img).resize((round(w / factor), round(h / factor)), Image.BICUBIC)
    other = np.asarray(other.resize((w, h), Image.BICUBIC))
    if round(w / factor) != int(w // factor) or round(h / factor) != int(h // factor):
        assert not np.array_equal(out, other)


def test_step_edge_rings_unlike_a_gaussian_blur():
    """Bicubic resampling over- and undershoots at a step (as the reference's PIL
    ResizeBlur does); a Gaussian blur stays within the step's range and is monotone."""
    img = _step_edge()
    row = resize_blur(img, 1.5)[16, :, 0].astype(int)
    assert row.min() < 60 and row.max() > 190  # ringing on both sides of the edge
    assert np.abs(np.diff(row)).max() > 40  # and the edge stays sharp (a few px wide)
    gauss = TRANSFORMS.build(dict(type='GaussianBlur', magnitude_range=(1.0, 1.0),
                                  magnitude_std='inf', prob=1.))
    grow = gauss(dict(img=img.copy()))['img'][16, :, 0].astype(int)
    assert grow.min() >= 60 and grow.max() <= 190
    assert np.all(np.diff(grow) >= 0)


def test_registered_probability_and_factors():
    t = TRANSFORMS.build(dict(type='ResizeBlur', factors=(1.1, 1.2, 1.5), prob=0.1))
    assert isinstance(t, ResizeBlur)
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    expected = {f: _pil_down_up(img, f) for f in (1.1, 1.2, 1.5)}
    np.random.seed(0)
    n = 2000
    seen = {'none': 0, 1.1: 0, 1.2: 0, 1.5: 0}
    for _ in range(n):
        out = t(dict(img=img))['img']
        key = next((f for f, e in expected.items() if np.array_equal(out, e)), 'none')
        if key == 'none':
            np.testing.assert_array_equal(out, img)
        seen[key] += 1
    blurred = n - seen['none']
    assert abs(blurred / n - 0.1) < 4 * np.sqrt(0.1 * 0.9 / n)
    for f in (1.1, 1.2, 1.5):  # each factor a third of the blurred images
        assert abs(seen[f] / blurred - 1 / 3) < 4 * np.sqrt(2 / 9 / blurred)
    always = ResizeBlur(prob=1.)
    assert not np.array_equal(always(dict(img=img))['img'], img)


def test_bad_input():
    with pytest.raises(TypeError, match='uint8'):
        resize_blur(np.zeros((8, 8, 3), np.float32), 1.5)
    with pytest.raises(ValueError, match='prob'):
        ResizeBlur(prob=2.)
