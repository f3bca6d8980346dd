"""A tiny stage-1 encoder (ResNet-18 of the tiny demo config), random init, built once."""
import os.path as osp

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
    torch.set_num_threads(1)
    return build_stage1_encoder(tiny_config, tiny_checkpoint)
