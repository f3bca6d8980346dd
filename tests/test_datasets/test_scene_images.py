"""SceneImageDataset: folder scan, COCO image lists, and clear errors."""
import json
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from orl_mm.datasets import SceneImageDataset


def _infos(ds):
    return [ds.get_data_info(i) for i in range(len(ds))]


def _write_images(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        Image.fromarray(np.full((20, 30, 3), i * 10, np.uint8)).save(folder / name)


def test_scans_folder_sorted(tmp_path):
    _write_images(tmp_path / 'train2017', ['b.jpg', 'a.png', 'c.jpg'])
    (tmp_path / 'train2017' / 'notes.txt').write_text('not an image')
    ds = SceneImageDataset(data_root=str(tmp_path))
    assert [osp.basename(d['img_path']) for d in _infos(ds)] == ['a.png', 'b.jpg', 'c.jpg']
    assert [d['img_id'] for d in _infos(ds)] == [0, 1, 2]


def test_ann_file_restricts_and_orders(tmp_path):
    _write_images(tmp_path / 'train2017', ['a.jpg', 'b.jpg', 'c.jpg'])
    (tmp_path / 'ann.json').write_text(json.dumps(
        dict(images=[dict(file_name='c.jpg', id=30), dict(file_name='a.jpg', id=10)])))
    ds = SceneImageDataset(data_root=str(tmp_path), ann_file='ann.json')
    assert [(osp.basename(d['img_path']), d['img_id']) for d in _infos(ds)] == \
        [('c.jpg', 30), ('a.jpg', 10)]


def test_missing_image_named_in_ann_file(tmp_path):
    _write_images(tmp_path / 'train2017', ['a.jpg'])
    (tmp_path / 'ann.json').write_text(json.dumps(
        dict(images=[dict(file_name='a.jpg', id=1), dict(file_name='gone.jpg', id=2)])))
    with pytest.raises(FileNotFoundError, match='gone.jpg'):
        SceneImageDataset(data_root=str(tmp_path), ann_file='ann.json')


def test_malformed_ann_file(tmp_path):
    _write_images(tmp_path / 'train2017', ['a.jpg'])
    (tmp_path / 'ann.json').write_text(json.dumps(dict(annotations=[])))
    with pytest.raises(ValueError, match='"images" list'):
        SceneImageDataset(data_root=str(tmp_path), ann_file='ann.json')
    (tmp_path / 'ann.json').write_text(json.dumps(dict(images=[dict(id=1)])))
    with pytest.raises(ValueError, match=r'images\[0\] has no "file_name"'):
        SceneImageDataset(data_root=str(tmp_path), ann_file='ann.json')


def test_empty_or_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        SceneImageDataset(data_root=str(tmp_path))
    (tmp_path / 'train2017').mkdir()
    with pytest.raises(FileNotFoundError, match='no image'):
        SceneImageDataset(data_root=str(tmp_path))


def test_coco128_through_byol_pipeline(coco128):
    ds = SceneImageDataset(
        data_root=coco128,
        ann_file='annotations/instances_train2017.json',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='MultiView', num_views=2,
                 transforms=[[dict(type='RandomResizedCrop', scale=32)]]),
            dict(type='PackInputs'),
        ])
    assert len(ds) == 128
    sample = ds[0]
    assert [tuple(v.shape) for v in sample['inputs']] == [(3, 32, 32), (3, 32, 32)]
