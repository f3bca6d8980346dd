"""The test-fixture correspondence file: valid reference layout, deterministic rules."""
import json
import os.path as osp

from PIL import Image

from orl_mm.correspondence import load_correspondence
from orl_mm.testing import build_fixture_correspondence, sliding_window_boxes
from orl_mm.testing.correspondence_fixture import main


def test_sliding_windows_exact():
    assert sliding_window_boxes(320, 256) == [[0., 0., 160., 128.], [160., 0., 160., 128.],
                                              [0., 128., 160., 128.], [160., 128., 160., 128.]]


def test_from_instances_json(demo_root, tmp_path):
    ann = osp.join(demo_root, 'annotations', 'instances_train2017.json')
    out = str(tmp_path / 'corr.json')
    corr = build_fixture_correspondence(osp.join(demo_root, 'train2017'), out, ann, knn=2,
                                        max_pairs=3, min_size=16)
    with open(ann) as f:
        coco = json.load(f)
    sizes = [(im['width'], im['height']) for im in coco['images']]
    loaded = load_correspondence(out, image_sizes=sizes)  # valid, boxes inside images
    assert loaded.file_names == [im['file_name'] for im in coco['images']]
    assert loaded.neighbours[15] == [0, 1]  # the next K images, cyclic
    for i in range(16):
        for k, j in enumerate(loaded.neighbours[i]):
            pairs = loaded.neighbour_pairs[i][k]
            assert 1 <= len(pairs) <= 3
            assert all(p[:4] in loaded.boxes[i] and p[4:] in loaded.boxes[j] for p in pairs)
    first = open(out).read()
    build_fixture_correspondence(osp.join(demo_root, 'train2017'), out, ann, knn=2,
                                 max_pairs=3, min_size=16)
    assert open(out).read() == first  # deterministic
    assert len(corr) == 16


def test_without_json_uses_sliding_windows(tmp_path, capsys):
    img_dir = tmp_path / 'imgs'
    img_dir.mkdir()
    for i, size in enumerate([(40, 30), (64, 64), (50, 20)]):
        Image.new('RGB', size).save(img_dir / f'{i}.jpg')
    out = str(tmp_path / 'corr.json')
    main([str(img_dir), out, '--knn', '5'])
    assert 'test fixture' in capsys.readouterr().out
    corr = load_correspondence(out, image_sizes=[(40, 30), (64, 64), (50, 20)])
    assert corr.boxes[2] == sliding_window_boxes(50, 20)
    assert corr.neighbours == [[1, 2], [2, 0], [0, 1]]  # K capped at N - 1
