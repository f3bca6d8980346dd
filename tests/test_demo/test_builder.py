"""The embedded demo data builder: deterministic, cached, valid COCO layout."""
import hashlib
import json
import os
import os.path as osp

import cv2
import numpy as np

from orl_mm.demo import CLASSES, build_demo_dataset
from orl_mm.demo.builder import _background


def _digest(root):
    h = hashlib.sha256()
    for name in sorted(os.listdir(osp.join(root, 'train2017'))):
        with open(osp.join(root, 'train2017', name), 'rb') as f:
            h.update(f.read())
    with open(osp.join(root, 'annotations', 'instances_train2017.json'), 'rb') as f:
        h.update(f.read())
    return h.hexdigest()


def test_deterministic_and_seeded(tmp_path):
    a = build_demo_dataset(str(tmp_path / 'a'), num_images=4, seed=3)
    b = build_demo_dataset(str(tmp_path / 'b'), num_images=4, seed=3)
    c = build_demo_dataset(str(tmp_path / 'c'), num_images=4, seed=4)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_cached_and_rebuilt_on_change(tmp_path):
    out = str(tmp_path / 'demo')
    build_demo_dataset(out, num_images=3)
    first = osp.join(out, 'train2017', 'demo_000001.jpg')
    stamp = os.stat(first).st_mtime_ns
    build_demo_dataset(out, num_images=3)
    assert os.stat(first).st_mtime_ns == stamp  # reused, not rewritten
    build_demo_dataset(out, num_images=5)
    assert len(os.listdir(osp.join(out, 'train2017'))) == 5


def test_layout_boxes_and_labels(demo_root):
    with open(osp.join(demo_root, 'annotations', 'instances_train2017.json')) as f:
        coco = json.load(f)
    assert [c['name'] for c in coco['categories']] == list(CLASSES)
    assert len(coco['images']) == 16
    by_image = {}
    for ann in coco['annotations']:
        image = coco['images'][ann['image_id'] - 1]
        x, y, w, h = ann['bbox']
        assert 0 <= x and 0 <= y and x + w <= image['width'] and y + h <= image['height']
        assert w >= 16 and h >= 16
        by_image.setdefault(image['file_name'], set()).add(CLASSES[ann['category_id'] - 1])
    for image in coco['images']:
        img = cv2.imread(osp.join(demo_root, 'train2017', image['file_name']))
        assert img.shape == (image['height'], image['width'], 3)
        assert 2 <= len(by_image[image['file_name']]) <= 3  # several objects per scene
    with open(osp.join(demo_root, 'annotations', 'multilabel_train2017.csv')) as f:
        header, *rows = [line.strip().split(',') for line in f]
    assert header == ['file'] + list(CLASSES)
    for row in rows:
        assert row[0].startswith('train2017/')  # relative to the data root, as coco128's
        assert {c for c, v in zip(CLASSES, row[1:]) if v == '1'} == by_image[row[0][10:]]


def test_background_blends_two_photos_with_colour_shift_and_ramp():
    photos = [np.zeros((100, 120, 3), np.uint8), np.full((100, 120, 3), 100, np.uint8),
              np.full((100, 120, 3), 200, np.uint8)]
    seen = set()
    for seed in range(20):
        bg = _background(np.random.default_rng(seed), photos, 64, 48).astype(np.float64)
        assert bg.shape == (48, 64, 3)
        # flat photos: what is left is gain/offset (constant) plus a linear ramp per channel
        yy, xx = np.mgrid[0:48, 0:64]
        design = np.stack([np.ones(48 * 64), xx.ravel(), yy.ravel()], 1)
        inside = ((bg > 0) & (bg < 255)).all(-1).ravel()  # not clipped
        ramps = []
        for c in range(3):
            coef, *_ = np.linalg.lstsq(design[inside], bg[..., c].ravel()[inside], rcond=None)
            resid = bg[..., c].ravel()[inside] - design[inside] @ coef
            assert np.abs(resid).max() <= 1.0  # uint8 rounding only
            ramps.append(np.abs(coef[1:] * (64, 48)).max())
        assert max(ramps) > 5  # a colour gradient across the image, not a flat tint
        seen.add(tuple(np.round(bg.mean((0, 1)))))
    assert len(seen) == 20  # every image its own colours
