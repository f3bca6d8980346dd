"""The demo set's semantic / instance masks: the object drawn at each pixel, VOC's PNGs."""
import json
import os
import os.path as osp

import numpy as np
import pytest

from orl_mm.demo import CLASSES
from orl_mm.demo.builder import _paste_objects
from orl_mm.demo.masks import paint_masks, read_label_png, voc_palette, write_label_png


def test_mask_is_the_object_drawn_at_each_pixel():
    """Paste flat photos, one grey level per class, on a black canvas with the builder's own
    paste step: the canvas then shows which object was drawn last at every pixel, and the
    masks painted from the returned object list must say the same, pixel for pixel."""
    objects = {name: np.full((60 + 10 * k, 80, 3), 40 * (k + 1), np.uint8)
               for k, name in enumerate(CLASSES)}
    overlapping = 0
    for seed in range(12):
        canvas = np.zeros((96, 128, 3), np.uint8)
        placed = _paste_objects(np.random.default_rng(seed), canvas, objects)
        labels = [(CLASSES.index(name) + 1, box) for name, box in placed]
        semantic, instance = paint_masks(labels, 96, 128)
        drawn = canvas[..., 0].astype(int) // 40  # 0 = background, k = CLASSES[k - 1]
        np.testing.assert_array_equal(semantic, drawn)
        for order, (label, _) in enumerate(labels, 1):
            assert (semantic[instance == order] == label).all()
        np.testing.assert_array_equal(instance == 0, semantic == 0)
        visible = [int((instance == i).sum()) for i in range(1, len(labels) + 1)]
        boxes = [w * h for _, (_, _, w, h) in labels]
        overlapping += sum(v < b for v, b in zip(visible, boxes))
    assert overlapping > 0  # some objects were partly covered: order mattered


def test_paint_rejects_labels_outside_the_8_bit_range():
    with pytest.raises(ValueError, match='outside 1-254'):
        paint_masks([(255, [0, 0, 2, 2])], 4, 4)
    with pytest.raises(ValueError, match='outside 1-254'):
        paint_masks([(0, [0, 0, 2, 2])], 4, 4)


def test_voc_palette_and_png_round_trip(tmp_path):
    palette = voc_palette()
    # VOC's colours: background black, aeroplane (128, 0, 0), bicycle (0, 128, 0), ...
    assert palette[:3 * 4] == [0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0]
    assert palette[3 * 255:] == [224, 224, 192]  # the "ignore" border colour
    labels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    path = str(tmp_path / 'm.png')
    write_label_png(path, labels)
    np.testing.assert_array_equal(read_label_png(path), labels)
    from PIL import Image
    Image.new('RGB', (4, 4)).save(tmp_path / 'rgb.png')
    with pytest.raises(ValueError, match='not a palette'):
        read_label_png(str(tmp_path / 'rgb.png'))


def test_demo_set_masks_match_its_instances(demo_root):
    """Every written mask equals the builder's instances (paste order = annotation order),
    as mmseg's LoadAnnotations reads it."""
    from mmseg.datasets.transforms import LoadAnnotations
    with open(osp.join(demo_root, 'annotations', 'instances_train2017.json')) as f:
        coco = json.load(f)
    per_image = {}
    for ann in coco['annotations']:
        per_image.setdefault(ann['image_id'], []).append((ann['category_id'], ann['bbox']))
    assert len(os.listdir(osp.join(demo_root, 'SegmentationClass'))) == len(coco['images'])
    for image in coco['images']:
        stem = osp.splitext(image['file_name'])[0]
        semantic_png = osp.join(demo_root, 'SegmentationClass', f'{stem}.png')
        semantic = read_label_png(semantic_png)
        instance = read_label_png(osp.join(demo_root, 'SegmentationObject', f'{stem}.png'))
        assert semantic.shape == (image['height'], image['width'])
        expected = np.zeros_like(semantic)
        for category, (x, y, w, h) in per_image[image['id']]:
            expected[y:y + h, x:x + w] = category
        np.testing.assert_array_equal(semantic, expected)
        for order, (category, _) in enumerate(per_image[image['id']], 1):
            assert (instance == order).any() and (semantic[instance == order] == category).all()
        loaded = LoadAnnotations()(dict(seg_map_path=semantic_png, reduce_zero_label=False,
                                        seg_fields=[]))
        np.testing.assert_array_equal(loaded['gt_seg_map'], semantic)
