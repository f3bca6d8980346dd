"""CorrespondenceDataset: reads the reference layout, samples, rejects malformed files."""
import copy
import json
import os
import os.path as osp
from collections import Counter

import numpy as np
import pytest

from orl_mm.datasets import CorrespondenceDataset
from orl_mm.structures import CorrespondenceError
from orl_mm.testing import build_fixture_correspondence

ANN = 'annotations/instances_train2017.json'


@pytest.fixture(scope='module')
def corr_file(demo_root, tmp_path_factory):
    path = str(tmp_path_factory.mktemp('corr') / 'corr.json')
    build_fixture_correspondence(osp.join(demo_root, 'train2017'),
                                 path,
                                 ann_file=osp.join(demo_root, ANN),
                                 knn=3,
                                 min_size=16)
    return path


def _dataset(demo_root, corr, **kwargs):
    return CorrespondenceDataset(corr, data_root=demo_root, **kwargs)


def _write(data, tmp_path, name='bad.json'):
    path = str(tmp_path / name)
    with open(path, 'w') as f:
        json.dump(data, f)
    return path


def test_reads_reference_layout_with_and_without_ann_file(demo_root, corr_file):
    with open(corr_file) as f:
        raw = json.load(f)
    for kwargs in (dict(ann_file=ANN), {}):
        ds = _dataset(demo_root, corr_file, **kwargs)
        assert len(ds) == 16
        info = ds.get_data_info(3)
        assert info['img_path'] == osp.join(demo_root, 'train2017', raw['images']['file_name'][3])
        assert info['neighbours'] == raw['pseudo_annotations']['knn_image_id'][3]
        assert info['boxes'] == raw['pseudo_annotations']['bbox'][3]


def test_sampling_is_uniform_and_takes_the_pair_of_the_chosen_neighbour(demo_root, corr_file):
    ds = _dataset(demo_root, corr_file, ann_file=ANN)
    with open(corr_file) as f:
        raw = json.load(f)
    anno, names = raw['pseudo_annotations'], raw['images']['file_name']
    rng = np.random.RandomState(0)
    i = 5
    info = ds.get_data_info(i)
    nbrs, pairs, intra = Counter(), Counter(), Counter()
    n = 3000
    for _ in range(n):
        s = CorrespondenceDataset.sample_correspondence(info, rng)
        k = anno['knn_image_id'][i].index(s['neighbour_index'])
        pair = anno['knn_bbox_pair'][i][k][s['pair_index']]
        assert s['inter_query_box'] == pair[:4] and s['inter_key_box'] == pair[4:]
        # neighbour_index is a position in the file (ORL's COCOORLJson: fns[knn_image_id[idx][k]])
        neighbour_path = osp.join(demo_root, 'train2017', names[s['neighbour_index']])
        assert s['neighbour_img_path'] == neighbour_path
        assert s['intra_box'] == anno['bbox'][i][s['intra_index']]
        assert s['img_path'] == info['img_path']  # patch 1 from the query image
        nbrs[s['neighbour_index']] += 1
        pairs[(s['neighbour_index'], s['pair_index'])] += 1
        intra[s['intra_index']] += 1
    assert set(nbrs) == set(anno['knn_image_id'][i])
    for count in nbrs.values():  # 1000 expected each; 4 sigma is about 100
        assert abs(count - n / 3) < 120
    assert len(intra) == len(anno['bbox'][i])
    assert len(pairs) == sum(len(p) for p in anno['knn_bbox_pair'][i])


def test_pipeline_gives_six_images(demo_root, corr_file):
    np.random.seed(0)
    crop = [dict(type='RoICrop', size=8)]
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadNeighbourImage'),
        dict(type='MultiBranch',
             branches=[
                 dict(pipeline=[dict(type='RandomResizedCrop', scale=16)]),
                 dict(pipeline=[dict(type='RandomResizedCrop', scale=16)]),
                 dict(roi_key='intra_box', pipeline=[dict(type='RoIJitter')] + crop),
                 dict(roi_key='intra_box', pipeline=[dict(type='RoIJitter')] + crop),
                 dict(roi_key='inter_query_box', pipeline=crop),
                 dict(img_key='neighbour_img', roi_key='inter_key_box', pipeline=crop)
             ]),
        dict(type='PackInputs', meta_keys=('img_path', 'neighbour_img_path', 'branch_rois')),
    ]
    ds = _dataset(demo_root, corr_file, ann_file=ANN, pipeline=pipeline)
    item = ds[2]
    assert [tuple(x.shape) for x in item['inputs']] == [(3, 16, 16)] * 2 + [(3, 8, 8)] * 4
    meta = item['data_samples'].metainfo
    assert meta['img_path'] != meta['neighbour_img_path']


def test_empty_pairs_error_or_documented_skip(demo_root, corr_file, tmp_path):
    with open(corr_file) as f:
        data = json.load(f)
    data['pseudo_annotations']['knn_bbox_pair'][4][1] = []  # one empty neighbour
    data['pseudo_annotations']['knn_bbox_pair'][7] = [[], [], []]  # no pair at all
    path = _write(data, tmp_path)
    with pytest.raises(CorrespondenceError, match=r'image 4 \(demo_\d+\.jpg\).*neighbour 1'):
        _dataset(demo_root, path, ann_file=ANN)
    ds = _dataset(demo_root, path, ann_file=ANN, allow_empty_pairs=True)
    assert len(ds) == 15
    assert [ds.get_data_info(i)['corr_index']
            for i in range(15)] == [i for i in range(16) if i != 7]
    info = ds.get_data_info(4)
    empty_nbr = data['pseudo_annotations']['knn_image_id'][4][1]
    assert empty_nbr not in info['neighbours'] and len(info['neighbours']) == 2
    rng = np.random.RandomState(0)
    assert all(
        CorrespondenceDataset.sample_correspondence(info, rng)['neighbour_index'] != empty_nbr
        for _ in range(200))
    # image 7 left out: past it, dataset indices and file positions differ by one, and a
    # neighbour is found by its position in the file
    names = data['images']['file_name']
    for i in range(15):
        info = ds.get_data_info(i)
        for j, path in zip(info['neighbours'], info['neighbour_paths']):
            assert path == osp.join(demo_root, 'train2017', names[j])
    shifted = ds.get_data_info(8)
    assert shifted['corr_index'] == 9
    assert shifted['img_path'] == osp.join(demo_root, 'train2017', names[9])


def _mutations():

    def neighbour_out_of_range(d):
        d['pseudo_annotations']['knn_image_id'][2][0] = 16

    def box_outside(d):
        d['pseudo_annotations']['bbox'][3][0] = [300., 200., 50., 100.]  # 320x256 images

    def key_box_outside(d):
        d['pseudo_annotations']['knn_bbox_pair'][1][2][0][4:] = [0., 0., 400., 10.]

    def bad_pair(d):
        d['pseudo_annotations']['knn_bbox_pair'][6][0][0] = [1., 2., 3.]

    def fewer_boxes_lists(d):
        d['pseudo_annotations']['bbox'].pop()

    def no_intra_box(d):
        d['pseudo_annotations']['bbox'][9] = []

    def missing_key(d):
        del d['pseudo_annotations']['knn_bbox_pair']

    def id_mismatch(d):
        d['images']['id'][5] = 123456

    def name_mismatch(d):
        names = d['images']['file_name']
        names[0], names[1] = names[1], names[0]

    def unknown_name(d):
        d['images']['file_name'][2] = 'other.jpg'

    return [
        (neighbour_out_of_range, r'image 2 .*neighbour 0 index 16 is not in \[0, 16\)'),
        (box_outside, r'image 3 .*bbox\[0\].*outside image 3'),
        (key_box_outside, r'image 1 .*pair 0 of neighbour 2 \(key box\).*outside'),
        (bad_pair, r'image 6 .*pair 0 of neighbour 0 is not 8 numbers'),
        (fewer_boxes_lists, r'"pseudo_annotations.bbox" has 15 entries for 16 images'),
        (no_intra_box, r'image 9 .*no intra-image box'),
        (missing_key, r'"pseudo_annotations.knn_bbox_pair" must be a list'),
        (id_mismatch, r'1 of its 16 images have other ids in .*, e.g. image 5 '
                      r'\(demo_\d+\.jpg, id 123456; there \d+\)'),
        (name_mismatch, r'2 of its 16 images have other ids .*, e.g. image 0 \(demo_\d+\.jpg'),
        (unknown_name, r'1 of its 16 images are not in .*instances_train2017.json, e.g. '
                       r'image 2 \(other.jpg\)'),
    ]


@pytest.mark.parametrize('mutate,message', _mutations(), ids=lambda v: getattr(v, '__name__', ''))
def test_rejects_malformed_files(demo_root, corr_file, tmp_path, mutate, message):
    with open(corr_file) as f:
        data = json.load(f)
    mutate(data)
    path = _write(data, tmp_path)
    with pytest.raises(CorrespondenceError, match=message):
        _dataset(demo_root, path, ann_file=ANN)


def test_rejects_missing_files_and_bad_json(demo_root, corr_file, tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        _dataset(demo_root, str(tmp_path / 'nope.json'))
    bad = tmp_path / 'bad.json'
    bad.write_text('{"info": ')
    with pytest.raises(CorrespondenceError, match='not valid JSON'):
        _dataset(demo_root, str(bad))
    with open(corr_file) as f:
        data = json.load(f)
    data['images']['file_name'][4] = 'missing.jpg'
    with pytest.raises(FileNotFoundError, match='missing.jpg'):
        _dataset(demo_root, _write(copy.deepcopy(data), tmp_path))  # sizes from headers


def test_file_with_fewer_images_than_ann_file_matches_by_name(demo_root, corr_file, tmp_path):
    """Stage 2 with --skip-bad-images leaves images out: stage 3 trains on the others."""
    with open(corr_file) as f:
        data = json.load(f)
    names = list(data['images']['file_name'])
    for key in ('file_name', 'id'):
        del data['images'][key][0]
    anno = data['pseudo_annotations']
    for key in ('image_id', 'bbox', 'knn_image_id', 'knn_bbox_pair'):
        del anno[key][0]
    for nbrs in anno['knn_image_id']:
        nbrs[:] = [max(j - 1, 0) for j in nbrs]  # positions in the shorter file
    ds = _dataset(demo_root, _write(data, tmp_path), ann_file=ANN)
    assert len(ds) == 15
    info = ds.get_data_info(0)
    assert info['img_path'] == osp.join(demo_root, 'train2017', names[1])
    assert info['img_id'] == data['images']['id'][0]


def test_a_moved_image_folder_is_caught_with_counts_and_names(demo_root, corr_file):
    """All missing images are counted in one message (not the first one found)."""
    with pytest.raises(FileNotFoundError,
                       match=r'16 of its 16 images are missing from .*moved.*, e.g. '
                             r'demo_\d+\.jpg, demo_\d+\.jpg.*another data set version'):
        _dataset(demo_root, corr_file, data_prefix=dict(img_path='moved/'))
    with pytest.raises(FileNotFoundError, match='16 of its 16 images are missing'):
        _dataset(demo_root, corr_file, data_prefix=dict(img_path='moved/'), check_boxes=False)


def test_a_file_of_another_dataset_version_is_caught_by_the_image_list(demo_root, corr_file,
                                                                       tmp_path):
    """The COCO JSON names other files (another version): the count and a few names."""
    with open(osp.join(demo_root, ANN)) as f:
        coco = json.load(f)
    for image in coco['images'][:10]:
        image['file_name'] = 'COCO_train2014_' + image['file_name']
    other = _write(coco, tmp_path, 'other_version.json')
    with pytest.raises(CorrespondenceError, match=r'10 of its 16 images are not in '
                                                  r'.*other_version\.json, e.g. image 0 '
                                                  r'\(demo_'):
        _dataset(demo_root, corr_file, ann_file=other)
    for image in coco['images']:
        image['file_name'] = image['file_name'].replace('COCO_train2014_', '')
        image['id'] += 1000
    with pytest.raises(CorrespondenceError,
                       match=r'16 of its 16 images have other ids in .*, e.g. image 0 '
                             r'\(demo_\d+\.jpg, id \d+; there \d+\)'):
        _dataset(demo_root, corr_file, ann_file=_write(coco, tmp_path, 'other_ids.json'))


@pytest.fixture()
def coco_plus(demo_root, tmp_path):
    """A COCO+-like root: train2017/ and unlabeled2017/ (8 images each), one file over
    both, names relative to the root as configs/orl/*_coco-plus.py reads them."""
    import shutil
    root = tmp_path / 'coco'
    names = sorted(n for n in os.listdir(osp.join(demo_root, 'train2017')))
    for folder, part in (('train2017', names[:8]), ('unlabeled2017', names[8:])):
        (root / folder).mkdir(parents=True)
        for name in part:
            shutil.copy(osp.join(demo_root, 'train2017', name), root / folder / name)
    corr = str(tmp_path / 'corr_plus.json')
    build_fixture_correspondence(str(root), corr, knn=3, min_size=16)
    return root, corr


def test_coco_plus_sources_are_checked_per_folder(coco_plus):
    root, corr = coco_plus
    ds = CorrespondenceDataset(corr, data_root=str(root), data_prefix=dict(img_path=''))
    assert len(ds) == 16
    assert {osp.relpath(ds.get_data_info(i)['img_path'], str(root)).split(os.sep)[0]
            for i in range(16)} == {'train2017', 'unlabeled2017'}
    os.rename(root / 'unlabeled2017', root / 'unlabeled')  # a moved folder
    with pytest.raises(FileNotFoundError,
                       match=r'8 of its 16 images are missing from .*\(train2017/: 0 of 8, '
                             r'unlabeled2017/: 8 of 8\), e.g. unlabeled2017/demo_'):
        CorrespondenceDataset(corr, data_root=str(root), data_prefix=dict(img_path=''))


def _containers(value, seen=None) -> int:
    """How many lists, tuples, dicts and sets ``value`` reaches through such containers."""
    seen = set() if seen is None else seen
    if not isinstance(value, (list, tuple, dict, set)) or id(value) in seen:
        return 0
    seen.add(id(value))
    children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
    return 1 + sum(_containers(child, seen) for child in children)


def test_items_are_stored_serialized_not_as_python_objects_per_box(demo_root, corr_file):
    """Workers inherit the dataset: its boxes and pairs live in one numpy byte buffer
    (mmengine's ``serialize_data``), not as a Python list per box that each worker's
    reference counting would copy page by page."""
    with open(corr_file) as f:
        ann = json.load(f)['pseudo_annotations']
    per_box = len(sum(ann['bbox'], [])) + len(sum(sum(ann['knn_bbox_pair'], []), []))
    ds = _dataset(demo_root, corr_file, ann_file=ANN)
    assert ds.data_list == []
    assert isinstance(ds.data_bytes, np.ndarray) and ds.data_bytes.dtype == np.uint8
    assert len(ds.data_address) == len(ds) == 16
    assert _containers(vars(ds)) < 50 < per_box
    # the same walk sees the boxes when the items are kept as Python objects
    plain = _dataset(demo_root, corr_file, ann_file=ANN, serialize_data=False)
    assert _containers(vars(plain)) > per_box
    for i in (0, 15):
        assert ds.get_data_info(i)['pairs'] == plain.get_data_info(i)['pairs']
