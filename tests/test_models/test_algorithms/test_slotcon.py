"""SlotCon: EMA-tracked prototypes, losses without a process group, one training step."""
import copy
import math

import numpy as np
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from orl_mm.testing.models import TINY_SLOTCON as TINY


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


def test_teacher_keeps_its_own_batch_norm_statistics():
    """Only parameters are averaged (reference ``_momentum_update_key_encoder``): the
    teacher's BN running mean follows its own forward passes, not the student's."""
    MessageHub.get_current_instance().update_info('max_iters', 10)
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(TINY))
    model.init_weights()
    teacher = model.target_net.module[0]
    inputs, samples = _batch()
    optim = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    sum(model.loss(inputs, samples).values()).backward()
    optim.step()
    optim.zero_grad()
    # step 1: teacher = copy of the student, same inputs -> same statistics
    torch.testing.assert_close(teacher.norm1.running_mean, model.backbone.norm1.running_mean)
    rm_teacher = teacher.norm1.running_mean.clone()
    w_teacher, w_student = teacher.conv1.weight.detach().clone(), model.backbone.conv1.weight
    model.loss(inputs, samples)  # step 2: EMA update, then the teacher's own forwards
    m = 0.01 * (math.cos(math.pi / 10) + 1) / 2
    w_new = (1 - m) * w_teacher + m * w_student.detach()
    torch.testing.assert_close(teacher.conv1.weight, w_new, rtol=0, atol=1e-6)
    with torch.no_grad():  # BN momentum 0.1, view 1 then view 2
        mu = [torch.nn.functional.conv2d(x, w_new, stride=2, padding=3).mean((0, 2, 3))
              for x in inputs]
    expected = 0.9 * (0.9 * rm_teacher + 0.1 * mu[0]) + 0.1 * mu[1]
    torch.testing.assert_close(teacher.norm1.running_mean, expected, rtol=1e-4, atol=1e-5)
    assert not torch.allclose(teacher.norm1.running_mean, model.backbone.norm1.running_mean,
                              atol=1e-4)


def test_no_valid_slot_still_runs_the_predictor(monkeypatch):
    """Fewer than 2 valid slots: the predictor still runs (its SyncBN is a collective),
    on an empty batch, and the contrastive loss is 0 with a gradient to every layer."""
    import orl_mm.models.algorithms.slotcon as slotcon_module
    model = MODELS.build(copy.deepcopy(TINY))
    calls = []
    model.predictor.register_forward_hook(lambda mod, args, out: calls.append(out.shape))
    for keep in (0, 1):  # no valid slot; a single valid slot (plain BN cannot take it)

        def one_or_none(scores, keep=keep):
            mask = torch.zeros(scores.shape[:2], dtype=torch.bool)
            mask.view(-1)[:keep] = True
            return mask

        monkeypatch.setattr(slotcon_module, 'slot_valid_mask', one_or_none)
        calls.clear()
        inputs, samples = _batch()
        losses = model.loss(inputs, samples)
        assert calls == [(0, 16), (0, 16)]  # both directions, empty batches
        assert losses['loss_contrastive'].item() == 0
        model.zero_grad()
        sum(losses.values()).backward()
        assert all(p.grad is not None for p in model.predictor.parameters())


def test_config_zero_init_residual_mlp_init_and_bicubic_crops():
    from mmengine.config import Config
    cfg = Config.fromfile('configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py')
    assert cfg.model.backbone.zero_init_residual is True
    model = MODELS.build(cfg.model)
    model.init_weights()
    blocks = [m for m in model.backbone.modules() if hasattr(m, 'norm2')]
    assert len(blocks) == 8  # ResNet-18: the last BN of each block starts at gamma = 0
    assert all(torch.count_nonzero(b.norm2.weight) == 0 for b in blocks)
    assert torch.count_nonzero(model.backbone.norm1.weight) > 0
    for mlp in (model.neck, model.predictor):  # init_cfg applied: zero biases (see
        # tests/test_models/test_necks for the trunc-normal weights)
        layers = [m for m in mlp.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
        assert all(torch.count_nonzero(m.bias) == 0 for m in layers)
    for view in cfg.train_pipeline[1]['transforms']:
        assert view[0]['type'] == 'RandomResizedCropWithBox'
        assert view[0]['interpolation'] == 'bicubic' and view[0]['backend'] == 'pillow'
