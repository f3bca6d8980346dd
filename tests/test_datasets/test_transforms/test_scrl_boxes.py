"""SCRL box sampling: inside the overlap, same content in both views (flips too)."""
import mmcv
import numpy as np
import pytest

from orl_mm.datasets.transforms import MultiViewWithGeometry, SCRLBoxSampler
from orl_mm.datasets.transforms.scrl_boxes import reference_iou
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


def _reference_scales(crops, size):
    """The reference's zooms (size / crop side) and the overlap's corner and scaled size,
    for crops as its (y, x, h, w); None where the crops do not meet."""
    (y1, x1, h1, w1), (y2, x2, h2, w2) = crops
    int_l, int_r = max(x1, x2), min(x1 + w1, x2 + w2)
    int_t, int_b = max(y1, y2), min(y1 + h1, y2 + h2)
    if int_l >= int_r or int_t >= int_b:
        return None
    sw, sh = (size / w1, size / w2), (size / h1, size / h2)
    int_w, int_h = round((int_r - int_l) * min(sw)), round((int_b - int_t) * min(sh))
    return sw, sh, int_l, int_t, int_w, int_h


def _reference_view_box(draw, crops, flips, view, size=224):
    """A drawn (x, y, w, h) in view ``view``, the reference's arithmetic (unclipped)."""
    box_x, box_y, box_w, box_h = draw
    sw, sh, int_l, int_t, _, _ = _reference_scales(crops, size)
    swinv, shinv = 1 / min(sw), 1 / min(sh)
    y, x = crops[view][:2]
    left = box_x * swinv * sw[view] + (int_l - x) * sw[view]
    right = left + box_w * swinv * sw[view]
    top = box_y * shinv * sh[view] + (int_t - y) * sh[view]
    bottom = top + box_h * shinv * sh[view]
    if flips[view]:
        left, right = size - right, size - left
    return [left, top, right, bottom]


def _reference_generate(crops, flips, size=224, min_size=32, num_boxes=10, iou_threshold=0.5):
    """SCRL's ``SCRLBoxGenerator.generate`` (models/box_generator.py, grid-based, no box
    jittering) for one image, written out for the test: crops as the reference's
    (y, x, h, w), Python floats, the same ``np.random.randint`` calls in the same order
    (float upper bounds included), IoU by ``bbox_iou`` (here ``_iou``) with the last ``i``
    kept boxes, accepted when ``< iou_threshold``. Returns the view-1 and view-2 boxes,
    clipped as ``clip_box`` does."""
    scales = _reference_scales(crops, size)
    if scales is None or min_size >= scales[4] or min_size >= scales[5]:
        return [], []
    int_w, int_h = scales[4:]
    div_w_range, div_h_range = int(int_w / min_size) + 1, int(int_h / min_size) + 1
    boxes1, boxes2 = [], []
    for i in range(num_boxes):
        for _ in range(50):
            div_w, div_h = np.random.randint(1, div_w_range), np.random.randint(1, div_h_range)
            grid_w, grid_h = int_w / div_w, int_h / div_h
            grid_x, grid_y = np.random.randint(0, div_w), np.random.randint(0, div_h)
            box_w = np.random.randint(min_size, grid_w + 1)
            box_h = np.random.randint(min_size, grid_h + 1)
            box_x = np.random.randint(0, grid_w - box_w + 1) + int(grid_x * grid_w)
            box_y = np.random.randint(0, grid_h - box_h + 1) + int(grid_y * grid_h)
            views = [_reference_view_box((box_x, box_y, box_w, box_h), crops, flips, v, size)
                     for v in range(2)]
            if i == 0:
                break
            max_iou = 0.
            for kept in boxes1[-i:]:
                max_iou = max(max_iou, _iou(views[0], kept))
            if max_iou < iou_threshold:
                break
        for boxes, (l, t, r, b) in zip((boxes1, boxes2), views):
            boxes.append([max(0, l), max(0, t), min(size, r), min(size, b)])
    return boxes1, boxes2


def _random_crop_pair(rng):
    """Two (y, x, h, w) integer crops of a 300 x 400 image and two flips."""
    crops, flips = [], []
    for _ in range(2):
        h, w = int(rng.randint(60, 301)), int(rng.randint(60, 401))
        crops.append((int(rng.randint(0, 301 - h)), int(rng.randint(0, 401 - w)), h, w))
        flips.append(bool(rng.rand() < 0.5))
    return crops, flips


def _sampler_input(crops, flips):
    return dict(img=[np.zeros((224, 224, 3), np.uint8)] * 2, flip=list(flips),
                crop_box=[np.array([x, y, x + w, y + h], np.float32) for y, x, h, w in crops])


def test_boxes_equal_the_reference_generator_on_random_crop_pairs():
    """Same np.random stream -> the reference's boxes, to the float32 bit, on 300 crop
    pairs (kept boxes stored in float32 made some differ: a candidate at IoU exactly 0.5
    came out as 0.49999997 and was kept)."""
    rng = np.random.RandomState(0)
    compared = 0
    for seed in range(300):
        crops, flips = _random_crop_pair(rng)
        np.random.seed(seed)
        ref1, ref2 = _reference_generate(crops, flips)
        np.random.seed(seed)
        out = SCRLBoxSampler(num_boxes=10, min_size=32)(_sampler_input(crops, flips))
        assert out['box_valid'].all() == bool(ref1), seed
        if ref1:
            np.testing.assert_array_equal(out['view_boxes'][0], np.float32(ref1), str(seed))
            np.testing.assert_array_equal(out['view_boxes'][1], np.float32(ref2), str(seed))
            compared += 1
    assert compared > 200


@pytest.mark.parametrize('crops,corner,iou', [
    # the reference's float64 IoU is exactly 0.5: rejected (`max_iou < iou_threshold`)
    (((47, 44, 217, 267), (9, 67, 186, 171)), (6, 12), 0.5),
    # 1/2 in exact arithmetic, 0.5000000000000001 in the reference's float64 (0.49999997
    # with the kept box stored in float32): rejected
    (((20, 9, 229, 265), (64, 47, 249, 232)), (17, 19), 0.5000000000000001),
])
def test_a_candidate_at_iou_exactly_one_half_is_rejected(crops, corner, iou):
    """Draw 2 is draw 1 with half its height (IoU 1/2 exactly in the drawn integers): it
    is rejected, and draw 3 (disjoint from draw 1) becomes box 2."""
    x, y = corner
    draws = [(x, y, 64, 64), (x, y, 64, 32), (x + 100, y, 64, 32)]
    flips = (False, False)
    first, second, third = [_reference_view_box(d, crops, flips, 0) for d in draws]
    assert _iou(second, first) == iou  # the reference's bbox_iou on its float64 boxes
    assert reference_iou(second, np.array([first])).max() == iou

    sampler = SCRLBoxSampler(num_boxes=2, min_size=32)
    stream = iter(draws)
    sampler._draw = lambda width, height: next(stream)
    out = sampler(_sampler_input(crops, flips))
    np.testing.assert_array_equal(out['view_boxes'][0], np.float32([first, third]))
    assert next(stream, None) is None  # all three draws used
