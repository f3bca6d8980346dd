"""SlotCon: EMA-tracked prototypes, losses without a process group, one training step."""
import copy
import math

import numpy as np
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

TINY = dict(
    type='SlotCon',
    base_momentum=0.01,
    data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0, 0, 0], std=[1, 1, 1]),
    backbone=dict(type='ResNet', depth=18, out_indices=(3, )),
    neck=dict(type='GELUMLPNeck', in_channels=512, hid_channels=32, out_channels=16,
              spatial=True),
    grouping=dict(type='SemanticGrouping', num_prototypes=8, dim=16),
    predictor=dict(type='GELUMLPNeck', in_channels=16, hid_channels=32, out_channels=16),
    grouping_loss=dict(type='GroupingDistillationLoss', num_prototypes=8),
    contrastive_loss=dict(type='SlotContrastiveLoss', temperature=0.2))


def _batch(b=4, size=64):
    torch.manual_seed(0)
    inputs = [torch.randn(b, 3, size, size), torch.randn(b, 3, size, size)]
    samples = []
    for i in range(b):
        s = DataSample()
        s.set_field(np.array([[0.1, 0.0, 0.9, 0.8], [0.0, 0.2, 0.8, 1.0]], np.float32),
                    'view_coords')
        s.set_field(np.array([i % 2 == 0, False]), 'view_flips')
        samples.append(s)
    return inputs, samples


def test_prototypes_are_ema_tracked_and_losses_need_no_process_group():
    MessageHub.get_current_instance().update_info('max_iters', 10)  # CosineEMA's schedule
    model = MODELS.build(copy.deepcopy(TINY))
    teacher = model.target_net.module
    assert teacher[2].prototypes.weight.shape == (8, 16)
    assert not any(p.requires_grad for p in model.target_net.parameters())
    # the teacher modules are copies of (backbone, projector, grouping), not the same objects
    assert teacher[2] is not model.grouping

    inputs, samples = _batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_grouping', 'loss_contrastive'}
    assert all(torch.isfinite(v) for v in losses.values())

    optim = torch.optim.SGD(model.parameters(), lr=0.5)
    sum(losses.values()).backward()
    assert model.grouping.prototypes.weight.grad is not None
    optim.step()
    student = model.grouping.prototypes.weight.detach().clone()
    before = teacher[2].prototypes.weight.detach().clone()
    assert not torch.allclose(student, before)
    model.loss(inputs, samples)  # updates the EMA teacher with the new student weights
    after = teacher[2].prototypes.weight.detach()
    # CosineEMA at its 2nd update (steps=1 of max_iters=10): m = 0.01 * (cos(pi/10) + 1) / 2
    m = 0.01 * (math.cos(math.pi / 10) + 1) / 2
    torch.testing.assert_close(after, before * (1 - m) + student * m, rtol=0, atol=1e-6)


def test_center_moves_once_per_step():
    model = MODELS.build(copy.deepcopy(TINY))
    inputs, samples = _batch()
    assert torch.count_nonzero(model.grouping_loss.center) == 0
    model.loss(inputs, samples)
    first = model.grouping_loss.center.clone()
    assert torch.count_nonzero(first) > 0
    # centre = 0.1 * mean teacher score of all pixels of both views (from zero)
    with torch.no_grad():
        teacher = model.target_net.module
        scores = [teacher[2](teacher[1](teacher[0](x)[-1]))[1] for x in inputs]
        pixels = torch.cat([s.permute(0, 2, 3, 1).flatten(0, 2) for s in scores])
    torch.testing.assert_close(first, 0.1 * pixels.mean(0, keepdim=True), rtol=1e-4, atol=1e-5)
