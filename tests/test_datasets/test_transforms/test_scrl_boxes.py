"""SCRL box sampling: inside the overlap, same content in both views (flips too)."""
import mmcv
import numpy as np
import pytest

from orl_mm.datasets.transforms import MultiViewWithGeometry, SCRLBoxSampler
from orl_mm.testing import smooth_image


def _smooth_image(seed=0):
    return smooth_image(300, 400, seed, period=(15, 30))


def _views(seed, flip_probs, size=224):
    np.random.seed(seed)
    views = [[dict(type='RandomResizedCropWithBox', scale=size, crop_ratio_range=(0.2, 1.),
                   backend='cv2'),
              dict(type='RandomFlip', prob=p)] for p in flip_probs]
    results = MultiViewWithGeometry(transforms=views)(dict(img=_smooth_image(seed=seed)))
    return SCRLBoxSampler(num_boxes=10, min_size=32)(results)


def _patch(img, box, size=16):
    x1, y1, x2, y2 = box
    return mmcv.imresize(img[int(round(y1)):int(round(y2)), int(round(x1)):int(round(x2))],
                         (size, size)).astype(np.float32)


@pytest.mark.parametrize('flip_probs', [(0., 0.), (1., 0.), (0., 1.), (1., 1.)])
def test_boxes_show_the_same_content_in_both_views(flip_probs):
    checked = 0
    for seed in range(8):
        out = _views(seed, flip_probs)
        boxes, valid = out['view_boxes'], out['box_valid']
        assert boxes.shape == (2, 10, 4) and valid.shape == (10, )
        crops = out['crop_box']
        inter = [max(crops[0][0], crops[1][0]), max(crops[0][1], crops[1][1]),
                 min(crops[0][2], crops[1][2]), min(crops[0][3], crops[1][3])]
        kept = []
        for n in np.flatnonzero(valid):
            b1, b2 = boxes[0, n], boxes[1, n]
            for b in (b1, b2):  # inside the 224 frame, at least 32 px a side
                assert b[0] >= -1e-3 and b[1] >= -1e-3 and b[2] <= 224 + 1e-3 and b[3] <= 224 + 1e-3
                assert b[2] - b[0] >= 32 - 1e-3 and b[3] - b[1] >= 32 - 1e-3
            # back to original pixels through view 1: inside the two crops' intersection
            c, flip = crops[0], out['flip'][0]
            x1, x2 = (224 - b1[2], 224 - b1[0]) if flip else (b1[0], b1[2])
            sx, sy = (c[2] - c[0]) / 224, (c[3] - c[1]) / 224
            orig = [c[0] + x1 * sx, c[1] + b1[1] * sy, c[0] + x2 * sx, c[1] + b1[3] * sy]
            assert orig[0] >= inter[0] - 1e-2 and orig[1] >= inter[1] - 1e-2
            assert orig[2] <= inter[2] + 1e-2 and orig[3] <= inter[3] + 1e-2
            # same pixels: view 1's patch vs view 2's patch (un-flipped), vs a wrong patch
            p1 = _patch(out['img'][0], b1)
            p2 = _patch(out['img'][1], b2)
            if out['flip'][0]:
                p1 = p1[:, ::-1]
            if out['flip'][1]:
                p2 = p2[:, ::-1]
            # 0-255 scale: about 1.4 (resampling); a wrong flip gives > 20
            assert np.abs(p1 - p2).mean() < 6, (seed, n, np.abs(p1 - p2).mean())
            kept.append(orig)
            checked += 1
        # IoU < 0.5 among the boxes of an image, unless 50 draws failed (then the last
        # draw is kept): rare with overlaps this large
        pairs = [(kept[i], kept[j]) for i in range(len(kept)) for j in range(i)]
        over = sum(_iou(a, b) >= 0.5 + 1e-3 for a, b in pairs)
        assert over <= max(1, len(pairs) // 20), (seed, over, len(pairs))
    assert checked >= 20  # most images overlap enough to give boxes


def _iou(a, b):
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - iw * ih
    return iw * ih / union


def _same_crop(side, flip=(False, False), num_boxes=10, **kwargs):
    """Both views are the same side x side crop shown at side x side: zoom 1."""
    results = dict(img=[np.zeros((side, side, 3), np.uint8)] * 2,
                   crop_box=[np.array([0, 0, side, side], np.float32)] * 2, flip=list(flip))
    return SCRLBoxSampler(num_boxes=num_boxes, **kwargs)(results)


def _side_pmf(side, min_size=32):
    """The reference rule for one side of a first box (no IoU test): grid n uniform in
    1..floor(side / min_size), then an integer in [min_size, floor(side / n)]."""
    pmf = np.zeros(side + 1)
    cells = side // min_size
    for n in range(1, cells + 1):
        top = int(side / n)
        pmf[min_size:top + 1] += 1 / cells / (top - min_size + 1)
    return pmf


def test_box_sides_follow_the_reference_grid_rule():
    """First box of an image (no IoU test): each side is drawn from the grid rule."""
    np.random.seed(0)
    n = 3000
    boxes = np.stack([_same_crop(224, num_boxes=1)['view_boxes'][0, 0] for _ in range(n)])
    widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    assert np.all(widths == np.round(widths)) and np.all(heights == np.round(heights))
    pmf = _side_pmf(224)
    # grouped into the intervals between the possible cell sizes (32, 37, 44, 56, 74, 112,
    # 224): each group's frequency within 4 standard errors of the rule's probability
    edges = [32, 33, 38, 45, 57, 75, 113, 225]
    for sides in (widths, heights):
        counts = np.histogram(sides, bins=edges)[0] / n
        probs = np.array([pmf[a:b].sum() for a, b in zip(edges[:-1], edges[1:])])
        assert np.all(np.abs(counts - probs) <= 4 * np.sqrt(probs * (1 - probs) / n) + 1e-3), (
            counts, probs)
    # inside the overlap; sides over 100 px as often as the rule says
    assert boxes.min() >= 0 and boxes[:, [2, 3]].max() <= 224
    assert np.mean(widths > 100) == pytest.approx(pmf[101:].sum(), abs=0.03)


def test_large_and_elongated_boxes_appear():
    np.random.seed(1)
    boxes = np.concatenate([_same_crop(224)['view_boxes'][0] for _ in range(50)])
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    assert (np.maximum(w, h) > 100).mean() > 0.05  # grid of 1 or 2 cells on an axis
    assert (np.maximum(w / h, h / w) >= 3).mean() > 0.02  # sides drawn independently


def test_always_num_boxes_when_the_overlap_is_big_enough():
    """After 50 failed draws the last is kept: 10 boxes even in a 40 px overlap, where
    boxes of >= 32 px cannot all overlap by less than 0.5."""
    np.random.seed(2)
    for _ in range(5):
        out = _same_crop(40)
        assert out['box_valid'].all()
        boxes = out['view_boxes'][0]
        assert np.all(boxes[:, 2] - boxes[:, 0] >= 32) and np.all(boxes[:, 3] - boxes[:, 1] >= 32)
    # 33 px is enough; 32 px (= min_size) is not, as in the reference (min_size >= side)
    assert _same_crop(33)['box_valid'].all()
    assert not _same_crop(32)['box_valid'].any()


def test_boxes_are_mapped_with_the_flip_and_clipped():
    np.random.seed(3)
    plain = _same_crop(224)
    np.random.seed(3)
    flipped = _same_crop(224, flip=(False, True))
    np.testing.assert_array_equal(plain['view_boxes'][0], flipped['view_boxes'][0])
    b = plain['view_boxes'][1]
    np.testing.assert_allclose(flipped['view_boxes'][1], np.stack(
        [224 - b[:, 2], b[:, 1], 224 - b[:, 0], b[:, 3]], axis=1))


def test_no_boxes_without_overlap():
    results = dict(img=[np.zeros((224, 224, 3), np.uint8)] * 2,
                   crop_box=[np.array([0, 0, 100, 100.]), np.array([90, 90, 200, 200.])],
                   flip=[False, False])
    out = SCRLBoxSampler()(results)  # a 10x10 px overlap -> ~22 px in the views: too small
    assert not out['box_valid'].any() and not out['view_boxes'].any()
