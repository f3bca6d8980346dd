"""A tiny stage-1 encoder (ResNet-18 of the tiny demo config), random init, built once."""
import json
import os
import os.path as osp

import cv2
import pytest
import torch


@pytest.fixture(scope='session')
def tiny_config(repo_root):
    return osp.join(repo_root, 'configs', 'orl', 'byol_resnet18_1xb8-tiny-2e_demo.py')


@pytest.fixture(scope='session')
def tiny_checkpoint(tiny_config, tmp_path_factory):
    """A checkpoint in the mmpretrain BYOL layout, from a seeded random model."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(tiny_config).model)
    path = str(tmp_path_factory.mktemp('ckpt') / 'tiny.pth')
    torch.save(dict(meta=dict(), state_dict=model.state_dict()), path)
    return path


@pytest.fixture(scope='session')
def tiny_encoder(tiny_config, tiny_checkpoint):
    from orl_mm.correspondence.embed import build_stage1_encoder
    return build_stage1_encoder(tiny_config, tiny_checkpoint)


SMALL_NAMES = ['000000000009.jpg', '000000000025.jpg', '000000000030.jpg', '000000000034.jpg',
               '000000000036.jpg']


@pytest.fixture(scope='session')
def small_coco(coco128, tmp_path_factory):
    """Five real photos scaled to 160 px wide, with their instances JSON subset."""
    root = tmp_path_factory.mktemp('small_coco')
    os.makedirs(root / 'train2017')
    with open(osp.join(coco128, 'annotations', 'instances_train2017.json')) as f:
        data = json.load(f)
    images = {im['file_name']: im for im in data['images']}
    keep, anns = [], []
    for name in SMALL_NAMES:
        img = cv2.imread(osp.join(coco128, 'train2017', name))
        s = 160 / img.shape[1]
        cv2.imwrite(str(root / 'train2017' / name),
                    cv2.resize(img, (160, round(img.shape[0] * s)), interpolation=cv2.INTER_AREA))
        im = dict(images[name], width=160, height=round(img.shape[0] * s))
        keep.append(im)
        for a in data['annotations']:
            if a['image_id'] == im['id']:
                anns.append(dict(a, bbox=[v * s for v in a['bbox']]))
    os.makedirs(root / 'annotations')
    with open(root / 'annotations' / 'instances_train2017.json', 'w') as f:
        json.dump(dict(images=keep, annotations=anns, categories=data['categories']), f)
    return str(root)
