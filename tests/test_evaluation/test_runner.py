"""What the classification front doors share (orl_mm.evaluation.runner)."""
import argparse

import cv2
import numpy as np
import torch
from mmpretrain.models import ResNet

from orl_mm.evaluation.labeled_images import LabeledImages
from orl_mm.evaluation.runner import split_features


def _images(tmp_path, n=4):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        path = str(tmp_path / f'{i}.png')
        cv2.imwrite(path, rng.integers(0, 255, (40, 40, 3), dtype=np.uint8))
        paths.append(path)
    labels = np.eye(2, dtype=np.int8)[[0, 1, 0, 1][:n]]
    return LabeledImages(paths, labels, ['a', 'b'])


def _args(ckpt, weights, work):
    return argparse.Namespace(checkpoint=ckpt, weights=weights, depth=18, seed=0,
                              work_dir=str(work), img_size=32, batch_size=4,
                              pooling='specified')


def test_split_features_resolves_auto_without_changing_args(tmp_path):
    """A SlotCon checkpoint (``grouping.*``): ``auto`` takes its teacher for the features,
    and ``args.weights`` stays ``auto`` (the front doors record what was asked)."""
    torch.manual_seed(0)
    online = ResNet(depth=18).state_dict()
    state = {f'backbone.{k}': v for k, v in online.items()}
    state.update({f'target_net.module.0.{k}': v + 0.1 * torch.randn_like(v)
                  if v.is_floating_point() else v for k, v in online.items()})
    state['grouping.prototypes.weight'] = torch.zeros(2, 2)
    ckpt = str(tmp_path / 'slotcon.pth')
    torch.save({'state_dict': state}, ckpt)
    split = _images(tmp_path)

    args = _args(ckpt, 'auto', tmp_path / 'auto')
    auto, _, _ = split_features(args, split, split, ['res5'])
    assert args.weights == 'auto'
    target, _, _ = split_features(_args(ckpt, 'target', tmp_path / 't'), split, split, ['res5'])
    online_f, _, _ = split_features(_args(ckpt, 'online', tmp_path / 'o'), split, split, ['res5'])
    np.testing.assert_array_equal(auto['res5'], target['res5'])
    assert not np.allclose(auto['res5'], online_f['res5'])
