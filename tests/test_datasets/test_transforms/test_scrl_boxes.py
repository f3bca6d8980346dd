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
        for i in range(len(kept)):  # IoU < 0.5 among the boxes of an image
            for j in range(i):
                a, b = kept[i], kept[j]
                iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
                ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
                union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - iw * ih
                assert iw * ih / union < 0.5 + 1e-3
    assert checked >= 20  # most images overlap enough to give boxes


def test_no_boxes_without_overlap():
    results = dict(img=[np.zeros((224, 224, 3), np.uint8)] * 2,
                   crop_box=[np.array([0, 0, 100, 100.]), np.array([90, 90, 200, 200.])],
                   flip=[False, False])
    out = SCRLBoxSampler()(results)  # a 10x10 px overlap -> ~22 px in the views: too small
    assert not out['box_valid'].any() and not out['view_boxes'].any()
