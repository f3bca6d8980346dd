"""The embedded demo data builder: deterministic, cached, valid COCO layout."""
import hashlib
import json
import os
import os.path as osp

import cv2

from orl_mm.demo import CLASSES, build_demo_dataset


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
