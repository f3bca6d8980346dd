"""tools/analysis/visualize_attention.py: the side-by-side sheet of two checkpoints."""

import cv2
import numpy as np
import torch
from mmpretrain.models import ResNet
from PIL import Image

from orl_mm.testing.cli import load_tool


def test_side_by_side_sheet(tmp_path):
    ckpt = str(tmp_path / 'orl.pth')
    torch.manual_seed(1)
    net = ResNet(depth=18)
    net.init_weights()
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in net.state_dict().items()}}, ckpt)
    for i in range(2):
        Image.fromarray(np.full((50, 70, 3), 60 * i, np.uint8)).save(tmp_path / f'{i}.jpg')
    tool = load_tool('tools/analysis/visualize_attention.py')
    out = str(tmp_path / 'sheet.png')
    tool.main(['--ckpt', 'random=random', '--ckpt', f'ORL={ckpt}', '--depth', '18',
               '--images', str(tmp_path), '--num', '2', '--size', '48', '--out', out])
    sheet = cv2.imread(out)
    assert sheet.shape == (2 * (48 + 22), 3 * 48, 3)
