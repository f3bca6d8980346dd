"""Readers of labelled image sets: VOC layout, multi-label CSV, class folders; splits."""
import os

import numpy as np
import pytest
from PIL import Image

from orl_mm.evaluation.labeled_images import (DatasetFormatError, read_any, read_class_folders,
                                              read_multilabel_csv, read_voc, split_train_test)
from orl_mm.evaluation.runner import load_splits

XML = """<annotation><filename>{id}.jpg</filename>{objects}</annotation>"""
OBJ = '<object><name>{name}</name><difficult>{d}</difficult></object>'


def _voc(root, images):
    for sub in ('JPEGImages', 'Annotations', 'ImageSets/Main'):
        os.makedirs(root / sub, exist_ok=True)
    for image_id, objects in images.items():
        Image.new('RGB', (8, 8)).save(root / 'JPEGImages' / f'{image_id}.jpg')
        objs = ''.join(OBJ.format(name=n, d=int(d)) for n, d in objects)
        (root / 'Annotations' / f'{image_id}.xml').write_text(XML.format(id=image_id,
                                                                         objects=objs))


def test_voc_reader(tmp_path):
    _voc(tmp_path, {'000001': [('dog', False), ('person', True)],
                    '000002': [('person', False), ('person', True)],
                    '000003': [('cat', True)],
                    '000004': [('dog', False), ('cat', False)]})
    (tmp_path / 'ImageSets/Main/trainval.txt').write_text('000001\n000002\n000004\n')
    (tmp_path / 'ImageSets/Main/test.txt').write_text('000003\n')
    train, test = load_splits(str(tmp_path))
    assert train.classes == ['cat', 'dog', 'person']
    np.testing.assert_array_equal(train.labels, [[-1, 1, 0], [-1, -1, 1], [1, 1, -1]])
    assert test.classes == train.classes  # the test split uses the train classes
    np.testing.assert_array_equal(test.labels, [[0, -1, -1]])
    assert train.paths[0].endswith('JPEGImages/000001.jpg')

    (tmp_path / 'ImageSets/Main/broken.txt').write_text('000001\n000009\n')
    with pytest.raises(DatasetFormatError, match="'000009'.*Annotations/000009.xml"):
        read_voc(str(tmp_path), 'broken')
    (tmp_path / 'Annotations/000002.xml').write_text('<annotation><object>')
    with pytest.raises(DatasetFormatError, match='000002.xml: cannot parse'):
        read_voc(str(tmp_path), 'trainval')


def test_csv_and_class_folders(tmp_path):
    for name in ('a.jpg', 'b.jpg', 'c.jpg'):
        Image.new('RGB', (8, 8)).save(tmp_path / name)
    csv = tmp_path / 'labels.csv'
    csv.write_text('file,cat,dog\na.jpg,1,0\nb.jpg,0,1\nc.jpg,1,1\n')
    data = read_any(str(csv))
    assert data.classes == ['cat', 'dog'] and not data.single_label
    np.testing.assert_array_equal(data.labels, [[1, -1], [-1, 1], [1, 1]])
    csv.write_text('file,cat,dog\na.jpg,1,0\nb.jpg,0\n')
    with pytest.raises(DatasetFormatError, match='labels.csv:3: 2 fields, expected 3'):
        read_multilabel_csv(str(csv))
    csv.write_text('file,cat,dog\nz.jpg,1,0\n')
    with pytest.raises(DatasetFormatError, match='labels.csv:2: image not found'):
        read_multilabel_csv(str(csv))

    for cls, n in (('b_sea', 4), ('a_forest', 3)):
        os.makedirs(tmp_path / 'folders' / cls)
        for i in range(n):
            Image.new('RGB', (8, 8)).save(tmp_path / 'folders' / cls / f'{i}.jpg')
    data = read_class_folders(str(tmp_path / 'folders'))
    assert data.classes == ['a_forest', 'b_sea'] and data.single_label
    np.testing.assert_array_equal(data.targets, [0, 0, 0, 1, 1, 1, 1])
    train, test = split_train_test(data, 0.5, seed=0)
    assert sorted(test.targets.tolist()) == [0, 0, 1, 1] and len(train) == 3
    assert set(train.paths).isdisjoint(test.paths)
    again, _ = split_train_test(data, 0.5, seed=0)
    assert again.paths == train.paths


def test_shared_data_sets(coco128):
    data = read_multilabel_csv(os.path.join(coco128, 'annotations', 'multilabel_train2017.csv'))
    assert len(data) == 128 and len(data.classes) == 80 and data.classes[0] == 'person'
    assert set(np.unique(data.labels)) == {-1, 1}
    scenes = os.path.join(os.path.dirname(coco128), 'scenes6')
    if os.path.isdir(scenes):
        s = read_any(scenes)
        assert len(s.classes) == 6 and len(s) == 360 and s.single_label
