"""Several image sources in one run (COCO+), read by the COCO+ stage-3 config."""
import json
import os
import os.path as osp
import shutil

import pytest
from mmengine.config import Config

from orl_mm.correspondence import load_correspondence, run_stage2
from orl_mm.correspondence.config import Stage2Config
from orl_mm.correspondence.images import build_image_list
from orl_mm.correspondence.proposals import ProposalSettings

SMALL_NAMES = ['000000000009.jpg', '000000000025.jpg', '000000000030.jpg', '000000000034.jpg',
               '000000000036.jpg']  # the photos of the small_coco fixture


@pytest.fixture(scope='module')
def coco_plus_root(small_coco, tmp_path_factory):
    """data/coco-like root: 3 labelled photos in train2017, 2 in unlabeled2017."""
    root = tmp_path_factory.mktemp('coco_plus')
    shutil.copytree(osp.join(small_coco, 'train2017'), root / 'train2017')
    os.makedirs(root / 'unlabeled2017')
    os.makedirs(root / 'annotations')
    with open(osp.join(small_coco, 'annotations', 'instances_train2017.json')) as f:
        data = json.load(f)
    train = [im for im in data['images'] if im['file_name'] in SMALL_NAMES[:3]]
    unlabeled = []
    for k, name in enumerate(SMALL_NAMES[3:]):
        shutil.move(str(root / 'train2017' / name), root / 'unlabeled2017' / f'u{k}.jpg')
        im = next(i for i in data['images'] if i['file_name'] == name)
        unlabeled.append(dict(im, file_name=f'u{k}.jpg', id=900 + k))
    ids = {im['id'] for im in train}
    with open(root / 'annotations' / 'instances_train2017.json', 'w') as f:
        json.dump(dict(images=train, categories=data['categories'],
                       annotations=[a for a in data['annotations'] if a['image_id'] in ids]), f)
    with open(root / 'annotations' / 'image_info_unlabeled2017.json', 'w') as f:
        json.dump(dict(images=unlabeled), f)
    return str(root)


def _sources(root):
    return [(osp.join(root, 'train2017'), osp.join(root, 'annotations',
                                                   'instances_train2017.json')),
            (osp.join(root, 'unlabeled2017'), osp.join(root, 'annotations',
                                                       'image_info_unlabeled2017.json'))]


def test_image_list_of_several_sources(coco_plus_root, tmp_path):
    records = build_image_list(_sources(coco_plus_root), coco_plus_root)
    assert [r.file_name for r in records] == [
        f'train2017/{n}' for n in SMALL_NAMES[:3]] + ['unlabeled2017/u0.jpg',
                                                      'unlabeled2017/u1.jpg']
    assert [r.index for r in records] == list(range(5))
    assert [r.image_id for r in records][3:] == [900, 901]
    # a folder without JSON joins the list too; the common parent is the default root
    os.makedirs(tmp_path / 'extra')
    shutil.copy(records[0].path, tmp_path / 'extra' / 'x.jpg')
    mixed = build_image_list([(osp.join(coco_plus_root, 'train2017'), None),
                              (str(tmp_path / 'extra'), None)])
    assert mixed[-1].file_name.endswith(osp.join('extra', 'x.jpg')) and len(mixed) == 4


def test_coco_plus_run_is_read_by_the_coco_plus_stage3_config(
        coco_plus_root, repo_root, tiny_encoder, tmp_path):
    cfg = Stage2Config(
        sources=_sources(coco_plus_root), root=coco_plus_root, work_dir=str(tmp_path / 'w'),
        proposal=ProposalSettings(min_size=24, top_n=30), retrieval_resize=36, retrieval_crop=32,
        roi_size=32, batch_size=16, num_neighbours=3, progress=False)
    report = run_stage2(cfg, encoder=tiny_encoder)
    # the quality report sees the instances of train2017 under their prefixed names
    assert report['quality']['num_pairs'] > 0
    corr = load_correspondence(osp.join(cfg.work_dir, 'correspondence.json'))
    assert corr.file_names[0].startswith('train2017/')
    assert corr.file_names[-1] == 'unlabeled2017/u1.jpg'
    name = 'annotations/orl_correspondence_train2017+unlabeled2017.json'
    shutil.copy(osp.join(cfg.work_dir, 'correspondence.json'), osp.join(coco_plus_root, name))

    from mmpretrain.registry import DATASETS

    import orl_mm  # noqa: F401
    config = Config.fromfile(osp.join(repo_root, 'configs', 'orl',
                                      'orl_resnet50_8xb64-coslr-800e_coco-plus.py'))
    ds_cfg = config.train_dataloader.dataset
    assert ds_cfg.corr_file == name  # the file name the config expects
    ds_cfg.data_root = coco_plus_root
    ds = DATASETS.build(ds_cfg)
    assert len(ds) == 5
    expected = osp.join(coco_plus_root, 'unlabeled2017', 'u1.jpg')
    assert ds.get_data_info(4)['img_path'] == expected
    item = ds[4]  # the full stage-3 pipeline on an unlabeled2017 image
    views = item['inputs']
    assert len(views) == 6 and [tuple(v.shape) for v in views] == [(3, 224, 224)] * 2 + [
        (3, 96, 96)] * 4
