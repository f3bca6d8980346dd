"""ORL: equal to mmpretrain's BYOL with λ2 = λ3 = 0, symmetric terms, checkpoint names."""
import copy

import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS

import orl_mm  # noqa: F401

SMALL_MLP = dict(type='NonLinearNeck', in_channels=32, hid_channels=64, out_channels=32,
                 num_layers=2, with_bias=True, with_last_bn=False, with_avg_pool=False,
                 norm_cfg=dict(type='BN1d'))
BACKBONE = dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'))
NECK = dict(type='NonLinearNeck', in_channels=512, hid_channels=64, out_channels=32,
            num_layers=2, with_bias=True, with_last_bn=False, with_avg_pool=True,
            norm_cfg=dict(type='BN1d'))


def _head(loss='BYOLLoss'):
    return dict(type='LatentPredictHead', predictor=SMALL_MLP, loss=dict(type=loss))


def _orl(loss_weights=(1., 1., 1.)):
    return MODELS.build(dict(
        type='ORL', backbone=BACKBONE, neck=NECK, head=_head(), intra_head=_head(),
        inter_head=_head(), loss_weights=loss_weights, base_momentum=0.01))


def _byol():
    return MODELS.build(dict(
        type='BYOL', backbone=BACKBONE, neck=NECK, head=_head('CosineSimilarityLoss'),
        base_momentum=0.01))


def _inputs(n=4, seed=0, sizes=(32, 32, 16, 16, 16, 16)):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 3, s, s, generator=g) for s in sizes]


@pytest.fixture(autouse=True)
def _message_hub():
    # CosineEMA reads the schedule length from the message hub after its first update
    hub = MessageHub.get_instance('test_orl')
    hub.update_info('max_iters', 10)
    hub.update_info('iter', 0)
    yield hub


def test_orl_with_only_the_global_term_is_byol(_message_hub):
    torch.manual_seed(0)
    byol = _byol()
    orl = _orl(loss_weights=(1., 0., 0.))
    missing, unexpected = orl.load_state_dict(byol.state_dict(), strict=False)
    assert not unexpected
    assert missing and all(k.startswith(('intra_head.', 'inter_head.')) for k in missing)
    byol.train()
    orl.train()
    opt_b = torch.optim.SGD(byol.parameters(), lr=0.1, momentum=0.9)
    opt_o = torch.optim.SGD(orl.parameters(), lr=0.1, momentum=0.9)
    for step in range(2):  # step 0 copies the target, step 1 runs the cosine EMA update
        _message_hub.update_info('iter', step)
        inputs = _inputs(seed=step)
        loss_b = byol.loss(inputs[:2], [])['loss']
        out = orl.loss(inputs, [])
        assert set(out) == {'loss', 'loss_global'}
        # the reference form is mmpretrain's value plus the documented constant 4
        torch.testing.assert_close(out['loss'], loss_b + 4., rtol=0, atol=1e-5)
        torch.testing.assert_close(out['loss_global'], out['loss'].detach())
        opt_b.zero_grad()
        opt_o.zero_grad()
        loss_b.backward()
        out['loss'].backward()
        grads_o = dict(orl.named_parameters())
        n_checked = 0
        for name, p_b in byol.named_parameters():
            p_o = grads_o[name]
            if p_b.grad is None:
                assert p_o.grad is None, name
                continue
            torch.testing.assert_close(p_o.grad, p_b.grad, rtol=1e-5, atol=1e-6, msg=name)
            n_checked += 1
        assert n_checked > 50
        for name, p in orl.named_parameters():
            if name.startswith(('intra_head.', 'inter_head.')):
                assert p.grad is None, name
        opt_b.step()
        opt_o.step()
    # the EMA targets agree too (parameters and BN statistics)
    sd_b, sd_o = byol.state_dict(), orl.state_dict()
    for key, value in sd_b.items():
        torch.testing.assert_close(sd_o[key], value, rtol=1e-5, atol=1e-6, msg=key)


def test_each_term_is_symmetric_and_total_is_weighted_sum():
    torch.manual_seed(1)
    weights = (1., 0.5, 2.)
    orl = _orl(loss_weights=weights)
    orl.train()
    swapped_model = copy.deepcopy(orl)
    inputs = _inputs(seed=3)
    out = orl.loss(inputs, [])
    swapped = [inputs[i] for i in (1, 0, 3, 2, 5, 4)]
    out_swapped = swapped_model.loss(swapped, [])
    for key in ('loss_global', 'loss_intra', 'loss_inter'):
        assert 0 <= out[key].item() <= 8
        torch.testing.assert_close(out_swapped[key], out[key], rtol=1e-5, atol=1e-6)
    total = sum(w * out[k] for w, k in zip(weights, ('loss_global', 'loss_intra',
                                                     'loss_inter')))
    torch.testing.assert_close(out['loss'].detach(), total, rtol=1e-6, atol=1e-6)
    # the optimised value is `loss` alone; the terms are logged, not added again
    parsed, log_vars = orl.parse_losses(out)
    assert parsed is out['loss']
    assert set(log_vars) == {'loss', 'loss_global', 'loss_intra', 'loss_inter'}
    # every predictor receives a gradient
    parsed.backward()
    for name in ('head', 'intra_head', 'inter_head'):
        grads = [p.grad for p in getattr(orl, name).parameters()]
        assert all(g is not None and g.abs().sum() > 0 for g in grads), name


def test_each_branch_uses_its_own_predictor():
    torch.manual_seed(2)
    orl = _orl()
    inputs = _inputs(seed=4)
    # intra and inter get the same patches: the terms differ only through their predictors
    inputs[4], inputs[5] = inputs[2], inputs[3]
    base = copy.deepcopy(orl).loss(inputs, [])
    torch.testing.assert_close(base['loss_intra'], base['loss_intra'])
    assert not torch.allclose(base['loss_intra'], base['loss_inter'])
    orl.inter_head.load_state_dict(orl.intra_head.state_dict())
    same = orl.loss(inputs, [])
    torch.testing.assert_close(same['loss_intra'], same['loss_inter'])


def test_checkpoint_names_and_bad_inputs():
    orl = _orl()
    keys = orl.state_dict().keys()
    assert 'backbone.conv1.weight' in keys
    assert 'target_net.module.0.conv1.weight' in keys  # target backbone
    assert 'target_net.module.1.fc0.weight' in keys  # target projector
    assert any(k.startswith('head.predictor.') for k in keys)
    assert any(k.startswith('intra_head.predictor.') for k in keys)
    assert any(k.startswith('inter_head.predictor.') for k in keys)
    assert not any(k.startswith('target_net.module.2') for k in keys)  # predictors untracked
    with pytest.raises(ValueError, match='needs 6 input batches'):
        orl.loss(_inputs()[:4], [])
    with pytest.raises(ValueError, match='loss_weights'):
        _orl(loss_weights=(1., -1., 0.))
    with pytest.raises(ValueError, match='all loss weights are 0'):
        _orl(loss_weights=(0., 0., 0.)).loss(_inputs(), [])
