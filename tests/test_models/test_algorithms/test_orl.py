"""ORL: equal to BYOL (parameter-only EMA) with λ2 = λ3 = 0, symmetric terms, checkpoint names."""
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
        type='BYOLParamEMA', backbone=BACKBONE, neck=NECK, head=_head('CosineSimilarityLoss'),
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


def _two_minus_two_cos(p, z):
    return 2 - 2 * (p * z).sum(-1) / (p.norm(dim=-1) * z.norm(dim=-1))


def test_each_term_is_the_hand_written_symmetric_byol_formula():
    """Each term is mean(2 - 2cos(q(f(a)), g(b))) + mean(2 - 2cos(q(f(b)), g(a))), each
    direction's predictor run on its own view (the formula ORL wrote out before it called
    ``symmetric_byol_loss``)."""
    torch.manual_seed(5)
    orl = _orl(loss_weights=(1., 0.5, 2.))
    orl.train()
    ref = copy.deepcopy(orl)
    inputs = _inputs(seed=6)
    out = orl.loss(inputs, [])
    with torch.no_grad():
        online = [ref.neck(ref.backbone(x))[0] for x in inputs]
        ref.target_net.update_parameters(torch.nn.Sequential(ref.backbone, ref.neck))
        target = [ref.target_net(x)[0] for x in inputs]
        for b, (name, head) in enumerate(zip(('global', 'intra', 'inter'), ref._heads())):
            a, c = 2 * b, 2 * b + 1
            expected = (_two_minus_two_cos(head.predictor([online[a]])[0], target[c]).mean() +
                        _two_minus_two_cos(head.predictor([online[c]])[0], target[a]).mean())
            torch.testing.assert_close(out[f'loss_{name}'], expected, rtol=0, atol=2e-6,
                                       msg=name)


def test_each_branch_uses_its_own_predictor():
    torch.manual_seed(2)
    orl = _orl()
    inputs = _inputs(seed=4)
    # intra and inter get the same patches: the terms differ only through their predictors
    inputs[4], inputs[5] = inputs[2], inputs[3]
    base = copy.deepcopy(orl).loss(inputs, [])
    assert not torch.allclose(base['loss_intra'], base['loss_inter'])
    orl.inter_head.load_state_dict(orl.intra_head.state_dict())
    same = orl.loss(inputs, [])
    torch.testing.assert_close(same['loss_intra'], same['loss_inter'])
    # replacing the inter-RoI predictor changed the inter term only
    torch.testing.assert_close(same['loss_intra'], base['loss_intra'])
    assert not torch.allclose(same['loss_inter'], base['loss_inter'])


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


def _kurtosis(x):
    x = x.double().flatten()
    x = x - x.mean()
    return float((x**4).mean() / (x**2).mean()**2)


@pytest.mark.parametrize('config', ['orl_resnet18_1xb8-tiny-2e_demo.py',
                                    'byol_resnet18_1xb8-tiny-2e_demo.py'])
def test_init_follows_the_reference(repo_root, config):
    """Kaiming-normal (fan_in, ReLU gain) convs and MLP linears, zero biases, BN 1/0.

    The reference (openselfsup/models/orl.py and byol.py ``init_weights``) initialises the
    backbone convolutions with ``kaiming_init(mode='fan_in')`` and the projector and
    predictors with ``init_linear='kaiming'`` (the same rule, biases 0). PyTorch's default
    (uniform, std 1/sqrt(3 fan_in)) and mmengine's default Kaiming (fan_out) differ.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(f'{repo_root}/configs/orl/{config}')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    heads = ('head', 'intra_head', 'inter_head')
    mlps = [model.neck] + [getattr(model, h).predictor for h in heads if hasattr(model, h)]
    n_conv = n_linear = 0
    for module in model.backbone.modules():
        if isinstance(module, torch.nn.Conv2d):
            w = module.weight
            fan_in = w.shape[1] * w.shape[2] * w.shape[3]
            # sampling error of the std of >= 9408 normal draws is < 1%
            assert w.std().item() == pytest.approx((2 / fan_in)**0.5, rel=0.05)
            assert abs(w.mean().item()) < 0.05 * (2 / fan_in)**0.5
            n_conv += 1
        elif isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            assert (module.weight == 1).all() and (module.bias == 0).all()
    for mlp in mlps:
        for module in mlp.modules():
            if isinstance(module, torch.nn.Linear):
                w = module.weight
                assert w.std().item() == pytest.approx((2 / w.shape[1])**0.5, rel=0.05)
                assert _kurtosis(w) == pytest.approx(3., abs=0.3)  # normal, not uniform
                if module.bias is not None:
                    assert (module.bias == 0).all()
                n_linear += 1
            elif isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                assert (module.weight == 1).all() and (module.bias == 0).all()
    assert n_conv == 20  # ResNet-18: stem + 16 block convs + 3 downsample convs
    assert n_linear == 2 * len(mlps)
    # the stem conv: fan_in 3 x 7 x 7 = 147 (fan_out would give std 0.025, not 0.117)
    assert model.backbone.conv1.weight.std().item() == pytest.approx((2 / 147)**0.5, rel=0.05)
