"""SCRL: RoIAlign features, the symmetric box loss, and its EMA target."""
import copy

import numpy as np
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from orl_mm.models.losses import byol_distance

TINY = dict(
    type='SCRL',
    base_momentum=0.03,
    data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0, 0, 0], std=[1, 1, 1]),
    backbone=dict(type='ResNet', depth=18, out_indices=(3, )),
    neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=32, out_channels=16,
              with_bias=False, with_last_bn=False, with_avg_pool=False,
              norm_cfg=dict(type='BN1d')),
    head=dict(type='LatentPredictHead',
              predictor=dict(type='NonLinearNeck', in_channels=16, hid_channels=32,
                             out_channels=16, with_bias=False, with_last_bn=False,
                             with_avg_pool=False, norm_cfg=dict(type='BN1d')),
              loss=dict(type='BYOLLoss')))


def _samples(valid_rows):
    samples = []
    for row in valid_rows:
        s = DataSample()
        boxes = np.zeros((2, 3, 4), np.float32)
        boxes[0] = [[0, 0, 32, 32], [16, 16, 64, 64], [8, 0, 40, 56]]
        boxes[1] = [[32, 32, 64, 64], [0, 0, 48, 48], [24, 8, 56, 64]]
        s.set_field(boxes, 'view_boxes')
        s.set_field(np.array(row, bool), 'box_valid')
        samples.append(s)
    return samples


def test_roi_features_shape_and_value():
    model = MODELS.build(copy.deepcopy(TINY))
    feat = torch.arange(2 * 4 * 2 * 2, dtype=torch.float32).view(2, 4, 2, 2)
    boxes = torch.tensor([[[0., 0., 64., 64.], [0., 0., 32., 32.]],
                          [[32., 32., 64., 64.], [0., 0., 64., 64.]]])
    valid = torch.tensor([[True, False], [True, True]])
    out = model._roi_features(feat, boxes, valid)
    assert out.shape == (3, 4, 1, 1)  # one 1x1 RoI per valid box
    # aligned=False: the 64x64 box is [0, 2] on the 2x2 map (stride 32), sampled at 0.5 and
    # 1.5 per axis; bilinear gives (a + b) / 2 and b (clamped): weights 1/4, 3/4 per axis
    w = torch.tensor([0.25, 0.75])
    torch.testing.assert_close(out[0, :, 0, 0], (feat[0] * w[:, None] * w[None, :]).sum((1, 2)))
    # the box (32, 32, 64, 64) of image 1 is sampled once at (1.5, 1.5): its cell (1, 1)
    torch.testing.assert_close(out[1, :, 0, 0], feat[1, :, 1, 1])


def test_symmetric_box_loss_equals_reference_form():
    MessageHub.get_current_instance().update_info('max_iters', 10)
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(TINY))
    inputs = [torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)]
    samples = _samples([[True, True, False], [False, True, True]])
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_box'}
    # recompute by hand: online RoI of view v vs target RoI of the other view
    boxes = torch.stack([torch.as_tensor(s.view_boxes) for s in samples])
    valid = torch.stack([torch.as_tensor(s.box_valid) for s in samples])
    with torch.no_grad():
        online, target = [], []
        for v in range(2):
            feat = model.backbone(inputs[v])[-1]
            online.append(model.head.predictor([model.neck([model._roi_features(
                feat, boxes[:, v], valid)])[0]])[0])
            tb, tn = model.target_net.module
            target.append(tn([model._roi_features(tb(inputs[v])[-1], boxes[:, v], valid)])[0])
    expected = (byol_distance(online[0], target[1]).mean() +
                byol_distance(online[1], target[0]).mean())
    assert online[0].shape == (4, 16)  # 4 valid boxes
    torch.testing.assert_close(losses['loss_box'].detach(), expected, rtol=1e-4, atol=1e-5)
    assert 0 <= float(losses['loss_box']) <= 8
    # symmetric: swapping the views (and their boxes) gives the same loss
    swapped = _samples([[True, True, False], [False, True, True]])
    for s in swapped:
        s.set_field(s.view_boxes[::-1].copy(), 'view_boxes')
    a = MODELS.build(copy.deepcopy(TINY))
    a.load_state_dict(model.state_dict())
    b = MODELS.build(copy.deepcopy(TINY))
    b.load_state_dict(model.state_dict())
    la = a.loss(inputs, _samples([[True, True, False], [False, True, True]]))['loss_box']
    lb = b.loss(inputs[::-1], swapped)['loss_box']
    torch.testing.assert_close(la, lb, rtol=1e-5, atol=1e-6)


def test_no_valid_box_gives_zero_loss_with_grad():
    model = MODELS.build(copy.deepcopy(TINY))
    inputs = [torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)]
    loss = model.loss(inputs, _samples([[False] * 3, [False] * 3]))['loss_box']
    assert loss.item() == 0 and loss.requires_grad
    assert model.target_net.module[0] is not model.backbone
