"""SlotCon prototype assignment maps (orl_mm.visualization.prototypes)."""
import os.path as osp

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmpretrain.registry import MODELS

from orl_mm.visualization.prototypes import (assignment_map, prototype_palette, prototype_scores,
                                             prototype_sheet)


def test_assignment_is_the_argmax_of_bilinearly_resized_scores():
    scores = torch.zeros(3, 2, 2)
    scores[0, 0, 0] = scores[1, 0, 1] = scores[2, 1, :] = 1.  # top-left, top-right, bottom
    winners = assignment_map(scores, (8, 8))
    assert winners.shape == (8, 8) and winners.dtype == np.int64
    assert winners[0, 0] == 0 and winners[0, 7] == 1 and (winners[7] == 2).all()
    up = F.interpolate(scores[None], size=(8, 8), mode='bilinear', align_corners=False)[0]
    np.testing.assert_array_equal(winners, up.argmax(0).numpy())


def test_palette_colours_are_distinct():
    palette = prototype_palette(256)
    assert palette.shape == (256, 3) and len({tuple(c) for c in palette}) == 256


def _slotcon(repo_root):
    cfg = Config.fromfile(osp.join(repo_root,
                                   'configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    return model


def test_scores_are_the_teachers_cosines(repo_root):
    model = _slotcon(repo_root)
    image = torch.randn(3, 64, 96)
    scores = prototype_scores(model, image)
    backbone, neck, grouping = model.target_net.module
    with torch.no_grad():
        feats = F.normalize(neck(backbone(image[None])[-1]), dim=1)[0]  # (D, 2, 3)
        protos = F.normalize(grouping.prototypes.weight, dim=1)
    assert scores.shape == (grouping.num_prototypes, 2, 3)
    torch.testing.assert_close(scores, torch.einsum('kd,dhw->khw', protos, feats))


def test_sheet_rows_image_and_map(repo_root, demo_root, tmp_path):
    model = _slotcon(repo_root)
    paths = [osp.join(demo_root, 'train2017', f'demo_00000{i}.jpg') for i in (1, 2)]
    out = str(tmp_path / 'protos.png')
    sheet = prototype_sheet(model, paths, out, size=64)
    assert sheet.shape == (2 * (64 + 22), 2 * 64, 3)
    assert cv2.imread(out).shape == sheet.shape
