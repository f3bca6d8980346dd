"""SCRL: RoIAlign features, the symmetric box loss on concatenated views, its EMA target."""
import copy

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from orl_mm.models.losses import byol_distance
from orl_mm.testing.models import TINY_SCRL as TINY


@pytest.fixture(autouse=True)
def _max_iters():
    MessageHub.get_current_instance().update_info('max_iters', 10)  # CosineEMA's schedule


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


def _model(seed=0):
    torch.manual_seed(seed)
    model = MODELS.build(copy.deepcopy(TINY))
    model.init_weights()
    return model


def test_roi_features_of_both_views_in_one_batch():
    model = _model()
    # 2 images x 2 views: maps 0, 1 are view 1 of images 0, 1; maps 2, 3 their view 2
    feat = torch.arange(4 * 4 * 2 * 2, dtype=torch.float32).view(4, 4, 2, 2)
    boxes = torch.zeros(2, 2, 2, 4)
    boxes[0, 0, 0] = torch.tensor([0., 0., 64., 64.])
    boxes[0, 1, 0] = torch.tensor([32., 32., 64., 64.])
    boxes[1, 0, 1] = torch.tensor([32., 32., 64., 64.])
    boxes[1, 1, 1] = torch.tensor([0., 0., 64., 64.])
    valid = torch.tensor([[True, False], [False, True]])
    out = model._roi_features(feat, boxes, valid)
    assert out.shape == (4, 4, 1, 1)  # M = 2 boxes, view 1's then view 2's
    # aligned=False: the 64x64 box is [0, 2] on the 2x2 map (stride 32), sampled at 0.5 and
    # 1.5 per axis; bilinear gives (a + b) / 2 and b (clamped): weights 1/4, 3/4 per axis
    w = torch.tensor([0.25, 0.75])
    full = lambda m: (feat[m] * w[:, None] * w[None, :]).sum((1, 2))  # noqa: E731
    torch.testing.assert_close(out[0, :, 0, 0], full(0))  # image 0, view 1 (map 0)
    torch.testing.assert_close(out[1, :, 0, 0], feat[1, :, 1, 1])  # image 1, view 1
    torch.testing.assert_close(out[2, :, 0, 0], feat[2, :, 1, 1])  # image 0, view 2 (map 2)
    torch.testing.assert_close(out[3, :, 0, 0], full(3))  # image 1, view 2


def test_batch_norm_sees_both_views_together():
    """The reference's BN batches: backbone on cat(views), heads on cat(RoIs of both views).

    In train mode BN normalises with the batch's statistics, so per-view forwards give a
    different loss and different running statistics.
    """
    model = _model()
    inputs = [torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64) * 2 + 1]
    samples = _samples([[True, True, False], [False, True, True]])
    reference = copy.deepcopy(model)
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_box'}

    boxes = torch.stack([torch.as_tensor(s.view_boxes) for s in samples])
    valid = torch.stack([torch.as_tensor(s.box_valid) for s in samples])
    views = torch.cat(inputs)
    with torch.no_grad():
        reference.target_net.update_parameters(torch.nn.Sequential(reference.backbone,
                                                                   reference.neck))
        tb, tn = reference.target_net.module
        online = reference.head.predictor(reference.neck([reference._roi_features(
            reference.backbone(views)[-1], boxes, valid)]))[0]
        target = tn([reference._roi_features(tb(views)[-1], boxes, valid)])[0]
    m = online.shape[0] // 2
    assert m == 4  # 4 valid boxes, each in both views
    expected = (byol_distance(online[:m], target[m:]).mean() +
                byol_distance(online[m:], target[:m]).mean())
    torch.testing.assert_close(losses['loss_box'].detach(), expected, rtol=1e-5, atol=1e-6)
    # the formula SCRL wrote out before it called symmetric_byol_loss: twice the mean over
    # the 2M (prediction, other view's target) pairs, 2 - 2cos by hand
    swapped = torch.cat([target[m:], target[:m]])
    cos = (online * swapped).sum(-1) / (online.norm(dim=-1) * swapped.norm(dim=-1))
    torch.testing.assert_close(losses['loss_box'].detach(), 2 * (2 - 2 * cos).mean(),
                               rtol=0, atol=2e-6)
    torch.testing.assert_close(model.backbone.norm1.running_mean,
                               reference.backbone.norm1.running_mean)
    torch.testing.assert_close(model.neck.bn0.running_var, reference.neck.bn0.running_var)

    # per-view forwards (the old behaviour) normalise each view on its own: another loss
    per_view = copy.deepcopy(reference)
    with torch.no_grad():
        preds = []
        for v in range(2):
            feat = per_view.backbone(inputs[v])[-1]  # this view alone in the batch
            rois = per_view._roi_features(torch.cat([feat, feat]), boxes[:, [v, v]],
                                          valid)[:m]  # its M boxes
            preds.append(per_view.head.predictor(per_view.neck([rois]))[0])
    separate = (byol_distance(preds[0], target[m:]).mean() +
                byol_distance(preds[1], target[:m]).mean())
    assert abs(float(separate) - float(expected)) > 1e-3


def test_swapping_the_views_gives_the_same_loss():
    model = _model()
    inputs = [torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)]
    swapped = _samples([[True, True, False], [False, True, True]])
    for s in swapped:
        s.set_field(s.view_boxes[::-1].copy(), 'view_boxes')
    a, b = copy.deepcopy(model), copy.deepcopy(model)
    la = a.loss(inputs, _samples([[True, True, False], [False, True, True]]))['loss_box']
    lb = b.loss(inputs[::-1], swapped)['loss_box']
    torch.testing.assert_close(la, lb, rtol=1e-5, atol=1e-6)
    assert 0 <= float(la) <= 8


def test_no_valid_box_still_runs_projector_and_predictor():
    """A rank without boxes runs every layer (SyncBN and DDP need it) and gives loss 0."""
    model = _model()
    calls = []
    model.neck.register_forward_hook(lambda mod, args, out: calls.append(out[0].shape))
    model.head.predictor.register_forward_hook(lambda mod, args, out: calls.append(out[0].shape))
    inputs = [torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)]
    loss = model.loss(inputs, _samples([[False] * 3, [False] * 3]))['loss_box']
    assert loss.item() == 0 and loss.requires_grad
    assert calls == [(0, 16), (0, 16)]  # online projector and predictor on an empty batch
    loss.backward()
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    assert all(p.grad is not None for _, p in trainable), [
        n for n, p in trainable if p.grad is None]


def test_target_starts_independent_and_averages_parameters_only():
    """Reference: a target initialised on its own, updated after each optimiser step k
    with tau_k = 1 - 0.03 (cos(pi k / K) + 1) / 2, parameters only."""
    model = _model()
    online = model.backbone.conv1.weight
    target = model.target_net.module[0]
    target0 = target.conv1.weight.detach().clone()
    assert target is not model.backbone
    assert not torch.allclose(online, target0)  # initialised on its own, not copied
    inputs = [torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)]
    optim = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    model.loss(inputs, _samples([[True] * 3, [True] * 3]))['loss_box'].backward()
    torch.testing.assert_close(target.conv1.weight, target0)  # no update before a step
    optim.step()
    model.loss(inputs, _samples([[True] * 3, [True] * 3]))
    # the update after optimiser step 0: 1 - tau_0 = 0.03
    torch.testing.assert_close(target.conv1.weight, 0.97 * target0 + 0.03 * online.detach())
    # the target's BN statistics come from its own forward, not from the online network
    assert not torch.allclose(target.norm1.running_mean, model.backbone.norm1.running_mean)
