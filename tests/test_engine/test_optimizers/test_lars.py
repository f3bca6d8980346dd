"""LARSSGD: SlotCon's LARS (reference utils/lars.py, LARS.step) and SCRL's (optim/optim.py,
CustomLARS over torch SGD, torchlars' compute_adaptive_lr), checked against hand
computations; lr outside the momentum buffer (unlike mmpretrain's LARS); the configs build it."""
import copy
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmpretrain.engine.optimizers import LARS as MMPretrainLARS
from mmpretrain.registry import MODELS

from orl_mm.engine.optimizers import LARSSGD

SLOTCON = 'configs/slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py'
SLOTCON_TINY = 'configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py'
SCRL_CONFIGS = ['configs/scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py',
                'configs/scrl/scrl_resnet50_32xb256-lars-coslr-200e_in1k.py']
SCRL_TINY = 'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py'


def _param(values):
    return torch.nn.Parameter(torch.tensor(values, dtype=torch.float64))


def _step(opt, grads, lr=None):
    for group in opt.param_groups:
        if lr is not None:
            group['lr'] = lr
        for p in group['params']:
            p.grad = grads[id(p)].clone()
    opt.step()


def _close(p, expected):
    torch.testing.assert_close(p.detach(), torch.tensor(expected, dtype=torch.float64),
                               rtol=1e-12, atol=1e-15)


def test_slotcon_rule_two_steps_by_hand():
    """2-D weight: d = g + wd p, q = eta ||p|| / ||d||, mu = 0.9 mu + q d, p -= lr mu;
    1-D bias: no decay, no adaptation; lr 2 then 1 (the second step rescales mu by 1)."""
    w, b = _param([[3., 4.]]), _param([1., -2.])
    opt = LARSSGD([w, b], lr=2., momentum=0.9, weight_decay=0.1, eta=1e-3)
    _step(opt, {id(w): torch.tensor([[.3, .4]], dtype=torch.float64),
                id(b): torch.tensor([.5, .25], dtype=torch.float64)})
    # d1 = [.3, .4] + .1 [3, 4] = [.6, .8], ||d1|| = 1, q1 = .001 * 5 / 1 = .005
    # mu1 = [.003, .004]; w1 = [3, 4] - 2 mu1
    _close(w, [[2.994, 3.992]])
    _close(b, [0., -2.5])  # b - 2 g, the decay 0.1 b not added
    _step(opt, {id(w): torch.tensor([[0., .5]], dtype=torch.float64),
                id(b): torch.tensor([-1., 1.], dtype=torch.float64)}, lr=1.)
    # d2 = [0, .5] + .1 [2.994, 3.992] = [.2994, .8992]; ||w1|| = .998 * 5 = 4.99
    q2 = 1e-3 * 4.99 / math.hypot(.2994, .8992)
    mu2 = [.9 * .003 + q2 * .2994, .9 * .004 + q2 * .8992]
    _close(w, [[2.994 - mu2[0], 3.992 - mu2[1]]])
    # mu2 = .9 [.5, .25] + [-1, 1] = [-.55, 1.225]; b2 = [0, -2.5] - 1 mu2
    _close(b, [.55, -3.725])


def test_scrl_rule_two_steps_by_hand():
    """q = ||p|| / (||g|| + wd ||p|| + eps) * eta; d = q (g + wd p); lr outside mu."""
    w = _param([[3., 4.]])
    opt = LARSSGD([w], lr=2., momentum=0.9, weight_decay=0.1, eta=1e-3,
                  trust_ratio='grad_norm_plus_decay', eps=1e-8)
    _step(opt, {id(w): torch.tensor([[.6, .8]], dtype=torch.float64)})
    q1 = 5 / (1 + .1 * 5 + 1e-8) * 1e-3  # ||g|| = 1, ||w|| = 5
    mu1 = [q1 * .9, q1 * 1.2]  # g + .1 w = [.9, 1.2]
    w1 = [3 - 2 * mu1[0], 4 - 2 * mu1[1]]
    _close(w, [w1])
    _step(opt, {id(w): torch.tensor([[0., .5]], dtype=torch.float64)}, lr=.5)
    norm_w1 = math.hypot(*w1)
    q2 = norm_w1 / (.5 + .1 * norm_w1 + 1e-8) * 1e-3
    mu2 = [.9 * mu1[0] + q2 * (.1 * w1[0]), .9 * mu1[1] + q2 * (.5 + .1 * w1[1])]
    _close(w, [[w1[0] - .5 * mu2[0], w1[1] - .5 * mu2[1]]])


def test_exclusion_by_dimension_and_by_group():
    """exclude_1d (SlotCon) excludes 1-D parameters; a group with lars_exclude (SCRL's
    name-based paramwise_cfg) excludes whatever it holds; without either, 1-D is adapted."""
    grad = torch.tensor([.6, .8], dtype=torch.float64)
    for exclude_1d, lars_exclude, expected in [
            (True, False, [3 - .6, 4 - .8]),  # plain SGD: p - 1 * g
            (False, True, [3 - .6, 4 - .8]),
            # adapted: d = [.9, 1.2], ||d|| = 1.5, q = .001 * 5 / 1.5; p - q d
            (False, False, [3 - .9 / 300, 4 - 1.2 / 300])]:
        v = _param([3., 4.])
        opt = LARSSGD([dict(params=[v], lars_exclude=lars_exclude)], lr=1., momentum=.9,
                      weight_decay=.1, exclude_1d=exclude_1d)
        _step(opt, {id(v): grad})
        _close(v, expected)


@pytest.mark.parametrize('trust_ratio', ['update_norm', 'grad_norm_plus_decay'])
def test_zero_weight_gives_q_one(trust_ratio):
    """||p|| = 0 (e.g. a zero-initialised layer): q = 1, the step is plain SGD (wd p = 0)."""
    w = _param([[0., 0.], [0., 0.]])
    opt = LARSSGD([w], lr=.5, momentum=.9, weight_decay=.1, trust_ratio=trust_ratio)
    _step(opt, {id(w): torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64)})
    _close(w, [[-.5, -1.], [-1.5, -2.]])


def test_zero_gradient():
    """g = 0, wd > 0: SlotCon's q uses ||g + wd p|| = wd ||p|| > 0, so q = eta / wd and the
    step is lr eta p; SCRL's (torchlars) q is 1 when ||g|| = 0: the step is lr wd p.
    g = -wd p: SlotCon's update norm is 0, q = 1, d = 0, the weight does not move."""
    zero = torch.zeros(1, 2, dtype=torch.float64)
    w = _param([[3., 4.]])
    opt = LARSSGD([w], lr=2., momentum=.9, weight_decay=.1, eta=1e-3)
    _step(opt, {id(w): zero})
    _close(w, [[3 * (1 - 2 * 1e-3), 4 * (1 - 2 * 1e-3)]])
    w = _param([[3., 4.]])
    opt = LARSSGD([w], lr=2., momentum=.9, weight_decay=.1, eta=1e-3,
                  trust_ratio='grad_norm_plus_decay')
    _step(opt, {id(w): zero})
    _close(w, [[3 * (1 - 2 * .1), 4 * (1 - 2 * .1)]])
    w = _param([[1., 2.]])
    opt = LARSSGD([w], lr=2., momentum=.9, weight_decay=.5)
    _step(opt, {id(w): torch.tensor([[-.5, -1.]], dtype=torch.float64)})
    _close(w, [[1., 2.]])
    assert torch.equal(opt.state[w]['momentum_buffer'], zero)


def _both(lr1, lr2):
    """Two steps of LARSSGD (torchlars' q) and of mmpretrain's LARS (same q) on equal data."""
    grads = [torch.tensor([[.6, .8]], dtype=torch.float64),
             torch.tensor([[0., .5]], dtype=torch.float64)]
    ours, theirs = _param([[3., 4.]]), _param([[3., 4.]])
    opt_ours = LARSSGD([ours], lr=lr1, momentum=.9, weight_decay=.1,
                       trust_ratio='grad_norm_plus_decay', eps=1e-8)
    opt_theirs = MMPretrainLARS([theirs], lr=lr1, momentum=.9, weight_decay=.1, eps=1e-8)
    out = []
    for grad, lr in zip(grads, (lr1, lr2)):
        _step(opt_ours, {id(ours): grad}, lr=lr)
        _step(opt_theirs, {id(theirs): grad}, lr=lr)
        out.append((ours.detach().clone(), theirs.detach().clone()))
    return out


def test_lr_outside_the_momentum_buffer_unlike_mmpretrain_lars():
    """With the same trust ratio, LARSSGD and mmpretrain's LARS agree while lr is constant;
    when lr moves from 2 to 0.5, LARSSGD applies the new lr to the whole buffer
    (p2 = p1 - lr2 (0.9 mu1 + d2)) while mmpretrain's keeps lr1 in it
    (p2 = p1 - 0.9 lr1 mu1 - lr2 d2): they differ by 0.9 (lr1 - lr2) mu1."""
    first, second = _both(2., 2.)
    torch.testing.assert_close(first[0], first[1], rtol=1e-12, atol=0)
    torch.testing.assert_close(second[0], second[1], rtol=1e-12, atol=0)
    first, second = _both(2., .5)
    torch.testing.assert_close(first[0], first[1], rtol=1e-12, atol=0)
    q1 = 5 / (1 + .1 * 5 + 1e-8) * 1e-3
    mu1 = torch.tensor([[.9 * q1, 1.2 * q1]], dtype=torch.float64)
    diff = second[0] - second[1]
    torch.testing.assert_close(diff, .9 * (2. - .5) * mu1, rtol=1e-9, atol=0)
    assert diff.abs().min() > 1e-4  # not a rounding difference


def test_bad_arguments():
    p = [_param([1.])]
    with pytest.raises(ValueError, match='trust_ratio'):
        LARSSGD(p, lr=1., trust_ratio='layer')
    with pytest.raises(ValueError, match='weight_decay'):
        LARSSGD(p, lr=1., weight_decay=-1.)


def _model(repo_root, path):
    return MODELS.build(Config.fromfile(osp.join(repo_root, path)).model)


def test_slotcon_config_builds_the_reference_lars(repo_root):
    """The SlotCon schedule builds LARSSGD through mmengine's build_optim_wrapper with every
    parameter in one group (the reference's model.parameters()), and one step moves a BN
    weight by lr g and a conv weight by lr q (g + wd p)."""
    cfg = Config.fromfile(osp.join(repo_root, SLOTCON))
    assert 'paramwise_cfg' not in cfg.optim_wrapper
    model = _model(repo_root, SLOTCON_TINY)
    # the full schedule's optimiser on the tiny model (AmpOptimWrapper needs a GPU)
    wrapper = build_optim_wrapper(model, dict(cfg.optim_wrapper, type='OptimWrapper'))
    opt = wrapper.optimizer
    assert type(opt) is LARSSGD
    assert opt.trust_ratio == 'update_norm' and opt.exclude_1d
    assert len(opt.param_groups) == 1
    group = opt.param_groups[0]
    assert len(group['params']) == len(list(model.parameters()))
    assert (group['lr'], group['momentum'], group['weight_decay'], group['eta'],
            group['lars_exclude']) == (2.0, 0.9, 1e-5, 1e-3, False)

    conv = model.backbone.conv1.weight
    bn = model.backbone.bn1.weight
    assert bn.ndim == 1 and conv.ndim == 4
    before = {n: p.detach().clone() for n, p in (('conv', conv), ('bn', bn))}
    torch.manual_seed(0)
    grads = {}
    for p in model.parameters():
        if p.requires_grad:
            p.grad = torch.randn_like(p)
            grads[id(p)] = p.grad.clone()
    wrapper.step()
    torch.testing.assert_close(bn.detach(), before['bn'] - 2.0 * grads[id(bn)])
    d = grads[id(conv)] + 1e-5 * before['conv']
    q = 1e-3 * before['conv'].norm() / d.norm()
    torch.testing.assert_close(conv.detach(), before['conv'] - 2.0 * q * d)

    tiny = Config.fromfile(osp.join(repo_root, SLOTCON_TINY))
    opt = build_optim_wrapper(model, tiny.optim_wrapper).optimizer
    assert type(opt) is LARSSGD and opt.param_groups[0]['lr'] == 0.1


def _reference_name(name):
    """orl_mm's SCRL parameter name -> the reference's (models/backbone.py: torchvision
    ResNet children in nn.Sequential ``encoder``; models/heads.py: nn.Sequential ``net`` of
    Linear, BatchNorm1d, ReLU, Linear; the predictor is its own module)."""
    mlp = {'fc0': 'net.0', 'bn0': 'net.1', 'fc1': 'net.3'}
    parts = name.split('.')
    if parts[0] == 'backbone':
        stem = {'conv1': '0', 'bn1': '1'}
        first = stem.get(parts[1]) or str(3 + int(parts[1][len('layer'):]))
        return '.'.join(['encoder', first] + parts[2:])
    if parts[0] == 'neck':
        return '.'.join(['projector', mlp[parts[1]]] + parts[2:])
    assert parts[:2] == ['head', 'predictor'], name
    return '.'.join([mlp[parts[2]]] + parts[3:])


@pytest.mark.parametrize('path', SCRL_CONFIGS)
def test_scrl_config_excludes_the_reference_names(repo_root, path):
    """SCRL: torchlars' trust ratio, lr outside the buffer, and excluded exactly the
    parameters whose reference names contain 'bn' or 'bias' (bisect_params_with_names):
    the stem, downsample and MLP BN weights are adapted and decayed."""
    cfg = Config.fromfile(osp.join(repo_root, path))
    model = _model(repo_root, SCRL_TINY)
    opt = build_optim_wrapper(model, dict(cfg.optim_wrapper, type='OptimWrapper')).optimizer
    assert type(opt) is LARSSGD
    assert opt.trust_ratio == 'grad_norm_plus_decay' and opt.eps == 1e-8
    assert not opt.exclude_1d and opt.excluded_update == 'lr_grad'
    names = {id(p): n for n, p in model.named_parameters() if not n.startswith('target_net')}
    excluded = {names[id(p)] for g in opt.param_groups if g['lars_exclude']
                for p in g['params'] if id(p) in names}
    expected = {n for n in names.values()
                if any(c in _reference_name(n) for c in ('bn', 'bias'))}
    assert excluded == expected
    adapted_1d = {n for n, p in model.named_parameters()
                  if n in names.values() and p.ndim == 1 and n not in excluded}
    assert 'backbone.bn1.weight' in adapted_1d and 'neck.bn0.weight' in adapted_1d
    assert 'head.predictor.bn0.weight' in adapted_1d
    assert 'backbone.layer2.0.downsample.1.weight' in adapted_1d
    assert not any(n.endswith('bias') for n in adapted_1d)
    for g in opt.param_groups:
        assert g['eta'] == 1e-3 and g['momentum'] == 0.9
        assert g['weight_decay'] == (0 if g['lars_exclude'] else cfg.optim_wrapper
                                     .optimizer.weight_decay)


def _two_steps(wrapper, params, lrs, seed=0):
    """One step per lr with random gradients; per step, ``params``' values before it and
    their gradients."""
    g = torch.Generator().manual_seed(seed)
    trace = []
    for lr in lrs:
        for group in wrapper.optimizer.param_groups:
            group['lr'] = lr
        before = {k: p.detach().clone() for k, p in params.items()}
        for group in wrapper.optimizer.param_groups:
            for p in group['params']:
                p.grad = torch.randn(p.shape, generator=g)
        grads = {k: p.grad.clone() for k, p in params.items()}
        wrapper.step()
        trace.append((before, grads))
    return trace


@pytest.mark.parametrize('rule', ['reference', 'plain_1d'])
def test_scrl_bn_weights_two_steps_by_hand(repo_root, rule):
    """A block BN weight and the stem BN weight over two steps (lr 0.4 then 0.2):
    'reference' d = lr g (CustomLARS) for the block BN, q (g + wd p) for the stem BN;
    'plain_1d' d = g for both; mu = 0.9 mu + d, p -= lr mu."""
    sched = {'reference': 'lars_coslr_scrl.py', 'plain_1d': 'lars_coslr_scrl_plain-1d.py'}
    cfg = Config.fromfile(osp.join(repo_root, 'configs/_base_/schedules', sched[rule]))
    model = _model(repo_root, SCRL_TINY)
    wrapper = build_optim_wrapper(model, dict(cfg.optim_wrapper, type='OptimWrapper'))
    wd = cfg.optim_wrapper.optimizer.weight_decay
    params = {'block': model.backbone.layer1[0].bn1.weight, 'stem': model.backbone.bn1.weight}
    with torch.no_grad():  # a non-trivial norm for the trust ratio
        params['stem'].mul_(torch.linspace(.5, 1.5, params['stem'].numel()))
    lrs = (.4, .2)
    trace = _two_steps(wrapper, params, lrs)
    for key, p in params.items():
        mu = None
        for lr, (before, grads) in zip(lrs, trace):
            w, grad = before[key].double(), grads[key].double()
            if rule == 'plain_1d':
                d = grad
            elif key == 'block':
                d = lr * grad
            else:
                q = w.norm() / (grad.norm() + wd * w.norm() + 1e-8) * 1e-3
                d = q * (grad + wd * w)
            mu = d if mu is None else .9 * mu + d
            value = w - lr * mu
        torch.testing.assert_close(p.detach().double(), value, rtol=1e-5, atol=1e-7)


def test_resume_from_state_dict_continues_exactly():
    """The momentum buffer is in state_dict: a run resumed after step 1 gives the same
    step 2 as an uninterrupted one (a lost buffer would make step 2 q d2 only)."""
    grads = [torch.tensor([[.6, .8]], dtype=torch.float64),
             torch.tensor([[0., .5]], dtype=torch.float64)]
    w = _param([[3., 4.]])
    opt = LARSSGD([w], lr=2., momentum=.9, weight_decay=.1)
    _step(opt, {id(w): grads[0]})
    saved_w, saved_state = w.detach().clone(), copy.deepcopy(opt.state_dict())
    _step(opt, {id(w): grads[1]})
    resumed = torch.nn.Parameter(saved_w)
    opt2 = LARSSGD([resumed], lr=2., momentum=.9, weight_decay=.1)
    opt2.load_state_dict(saved_state)
    _step(opt2, {id(resumed): grads[1]})
    assert torch.equal(resumed.detach(), w.detach())


def test_excluded_update_lr_grad_two_steps_by_hand():
    """'lr_grad' (torchlars' CustomLARS on an excluded group): d = lr g, so with lr 2 then
    0.5: mu1 = 2 g1, p1 = p0 - 2 mu1 = p0 - 4 g1; mu2 = 0.9 mu1 + 0.5 g2, p2 = p1 - 0.5 mu2.
    No decay although weight_decay > 0."""
    b = _param([1., -2.])
    opt = LARSSGD([dict(params=[b], lars_exclude=True)], lr=2., momentum=.9,
                  weight_decay=.1, exclude_1d=False, excluded_update='lr_grad')
    _step(opt, {id(b): torch.tensor([.5, .25], dtype=torch.float64)})
    _close(b, [1. - 4 * .5, -2. - 4 * .25])
    _step(opt, {id(b): torch.tensor([-1., 1.], dtype=torch.float64)}, lr=.5)
    mu2 = [.9 * 1. + .5 * -1., .9 * .5 + .5 * 1.]
    _close(b, [-1. - .5 * mu2[0], -3. - .5 * mu2[1]])
    with pytest.raises(ValueError, match='excluded_update'):
        LARSSGD([_param([1.])], lr=1., excluded_update='lr2')
