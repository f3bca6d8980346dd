"""tools/analysis/visualize_{scrl_boxes,prototypes}.py: the SCRL and SlotCon figures."""
import os.path as osp

import cv2
import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS

from orl_mm.testing.cli import load_tool

SLOTCON = 'configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py'
SCRL = 'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py'


def _tool(name):
    return load_tool(f'tools/analysis/{name}.py')


def test_prototype_maps_from_a_checkpoint(repo_root, demo_root, tmp_path):
    cfg = Config.fromfile(osp.join(repo_root, SLOTCON))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    ckpt = str(tmp_path / 'slotcon.pth')
    torch.save({'state_dict': model.state_dict()}, ckpt)
    out = str(tmp_path / 'protos.png')
    assert _tool('visualize_prototypes').main([
        osp.join(repo_root, SLOTCON), ckpt, '--images', osp.join(demo_root, 'train2017'),
        '--num', '3', '--size', '64', '--out', out]) == 0
    assert cv2.imread(out).shape == (3 * (64 + 22), 2 * 64, 3)
    # a checkpoint of another model is refused, not half loaded
    torch.save({'state_dict': {'backbone.conv1.weight': torch.zeros(1)}}, ckpt)
    with pytest.raises(RuntimeError):
        _tool('visualize_prototypes').main([
            osp.join(repo_root, SLOTCON), ckpt, '--images', osp.join(demo_root, 'train2017'),
            '--num', '1', '--size', '64', '--out', out])


def test_scrl_box_pairs_figure(repo_root, demo_root, tmp_path):
    out = str(tmp_path / 'boxes.png')
    assert _tool('visualize_scrl_boxes').main([
        osp.join(repo_root, SCRL), '--images', osp.join(demo_root, 'train2017'), '--index', '2',
        '--size', '96', '--out', out]) == 0
    assert cv2.imread(out).shape[0] == 96 + 22
    with pytest.raises(ValueError, match='no SCRLBoxSampler'):
        _tool('visualize_scrl_boxes').main([
            osp.join(repo_root, SLOTCON), '--images', osp.join(demo_root, 'train2017'),
            '--out', out])
