"""ORL's and stage-1 BYOL's EMA target: parameters only, its own BN statistics, the
reference's per-iteration momentum (Jiahao000/ORL openselfsup/models/{orl,byol}.py
``_momentum_update``, hooks/byol_hook.py)."""
import math

import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS

import orl_mm  # noqa: F401
from orl_mm.structures.method import get_method, method_of_algorithm

MLP = dict(type='NonLinearNeck', in_channels=16, hid_channels=16, out_channels=16,
           num_layers=2, with_bias=True, with_last_bn=False, with_avg_pool=False)
NECK = dict(MLP, in_channels=512, with_avg_pool=True)
HEAD = dict(type='LatentPredictHead', predictor=MLP, loss=dict(type='BYOLLoss'))
MODELS_CFG = {
    'BYOLParamEMA': dict(type='BYOLParamEMA', head=dict(HEAD, loss=dict(
        type='CosineSimilarityLoss'))),
    'ORL': dict(type='ORL', head=HEAD, intra_head=HEAD, inter_head=HEAD,
                loss_weights=(1., 0., 0.)),
}
MAX_ITERS, BASE = 10, 0.01


def _build(name):
    torch.manual_seed(0)
    return MODELS.build(dict(MODELS_CFG[name], backbone=dict(type='ResNet', depth=18),
                             neck=NECK, base_momentum=BASE))


@pytest.mark.parametrize('name', list(MODELS_CFG))
def test_target_keeps_its_own_bn_statistics_and_reference_momentum(name):
    MessageHub.get_current_instance().update_info('max_iters', MAX_ITERS)
    model = _build(name).train()
    online_bn1, target = model.backbone.bn1, model.target_net.module[0]
    seen = []  # inputs of the target's first BN layer, one per target forward
    target.bn1.register_forward_hook(lambda mod, args, out: seen.append(args[0].detach()))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    g = torch.Generator().manual_seed(1)
    prev = None
    for k in range(3):
        before = [p.detach().clone() for p in model.target_net.parameters()]
        inputs = [torch.randn(2, 3, 32, 32, generator=g) for _ in range(2)]
        loss = model.loss(inputs, [])['loss']
        online_now = [p.detach().clone() for p in
                      torch.nn.Sequential(model.backbone, model.neck).parameters()]
        if k == 0:  # call 0 copies the online network (reference init_weights)
            expected = online_now
        else:  # call k: the reference's update after optimiser step k - 1, with tau_{k-1}
            tau = 1. - (1. - (1. - BASE)) * (math.cos(math.pi * (k - 1) / MAX_ITERS) + 1) / 2
            expected = [tau * b + (1 - tau) * o for b, o in zip(before, prev)]
        for p, e in zip(model.target_net.parameters(), expected):
            torch.testing.assert_close(p.detach(), e, rtol=1e-5, atol=1e-6)
        opt.zero_grad()
        loss.backward()
        opt.step()
        prev = [p.detach().clone() for p in
                torch.nn.Sequential(model.backbone, model.neck).parameters()]
    # running mean by hand from the target's own forwards (BN momentum 0.1, start 0)
    assert len(seen) == 6
    mean = torch.zeros_like(target.bn1.running_mean)
    for x in seen:
        mean = 0.9 * mean + 0.1 * x.mean(dim=(0, 2, 3))
    torch.testing.assert_close(target.bn1.running_mean, mean, rtol=1e-5, atol=1e-6)
    assert int(target.bn1.num_batches_tracked) == 6
    assert not torch.allclose(target.bn1.running_mean, online_bn1.running_mean)


def test_byol_records_resolve_old_and_new_model_types():
    assert method_of_algorithm('BYOLParamEMA') is get_method('byol')
    assert method_of_algorithm('BYOL') is get_method('byol')  # checkpoints before it
    assert get_method('byol').algorithm == 'BYOLParamEMA'
