"""Attention maps (Fig. 4): the res5 channel-mean, upsampled, and the side-by-side sheet."""
import importlib.util
import os.path as osp

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmpretrain.models import ResNet
from PIL import Image

from orl_mm.visualization.attention import attention_map, overlay

TOOL = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                'tools', 'analysis', 'visualize_attention.py')


def test_attention_map_is_the_res5_channel_mean():
    torch.manual_seed(0)
    net = ResNet(depth=18, out_indices=(3, ))
    net.init_weights()
    net.eval()
    x = torch.randn(3, 64, 96)
    heat = attention_map(net, x)
    assert heat.shape == (64, 96) and heat.min() == 0 and heat.max() == 1
    with torch.no_grad():
        ref = net(x[None])[0].mean(1, keepdim=True)
    ref = F.interpolate(ref, size=(64, 96), mode='bilinear', align_corners=False)[0, 0]
    ref = (ref - ref.min()) / (ref.max() - ref.min())
    np.testing.assert_allclose(heat, ref.numpy(), atol=1e-5)
    rgb = np.zeros((64, 96, 3), np.uint8)
    out = overlay(rgb, np.ones((64, 96), np.float32), alpha=1.0)
    assert (out == [128, 0, 0]).all()  # JET at 1.0 is dark red


def test_side_by_side_sheet(tmp_path):
    ckpt = str(tmp_path / 'orl.pth')
    torch.manual_seed(1)
    net = ResNet(depth=18)
    net.init_weights()
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in net.state_dict().items()}}, ckpt)
    for i in range(2):
        Image.fromarray(np.full((50, 70, 3), 60 * i, np.uint8)).save(tmp_path / f'{i}.jpg')
    spec = importlib.util.spec_from_file_location('visualize_attention', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = str(tmp_path / 'sheet.png')
    tool.main(['--ckpt', 'random=random', '--ckpt', f'ORL={ckpt}', '--depth', '18',
               '--images', str(tmp_path), '--num', '2', '--size', '48', '--out', out])
    sheet = cv2.imread(out)
    assert sheet.shape == (2 * (48 + 22), 3 * 48, 3)
