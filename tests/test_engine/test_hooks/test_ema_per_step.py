"""EMAPerOptimStepHook: under ``accumulative_counts=k`` every method's EMA target moves once
per optimiser step (ORL's reference ``BYOLHook(update_interval=k)``), never after a
micro-batch the optim wrapper did not step on; without accumulation nothing changes."""
import copy
from math import cos, pi
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.model import BaseAveragedModel, BaseModel
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner import Runner
from mmpretrain.registry import HOOKS, MODELS
from mmpretrain.structures import DataSample

import orl_mm  # noqa: F401
from orl_mm.engine.hooks import EMAPerOptimStepHook, accumulative_counts
from orl_mm.models.utils import ParameterCosineEMA
from orl_mm.structures.method import get_method

MAX_ITERS = 5  # odd: k=2 then ends on a one-micro-batch step (mmengine's remainder)
METHODS = ('byol', 'orl', 'scrl', 'slotcon', 'densecl')
# the views each tiny model takes, per sample
SIZES = {'byol': (64, 64), 'orl': (64, 64, 32, 32, 32, 32), 'scrl': (64, 64),
         'slotcon': (64, 64), 'densecl': (64, 64)}


@pytest.fixture(autouse=True)
def _schedule():
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', MAX_ITERS)  # the cosine's length (CosineEMA reads it)
    yield hub


def _model(name):
    spec = get_method(name)
    cfg = Config.fromfile(spec.config_path(spec.tiny_config)).model
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.train()


def _sample(name, i):
    s = DataSample()
    if name == 'scrl':
        boxes = np.array([[[0, 0, 32, 32], [16, 16, 64, 64]],
                          [[32, 32, 64, 64], [0, 0, 48, 48]]], np.float32)
        s.set_field(boxes, 'view_boxes')
        s.set_field(np.array([True, True]), 'box_valid')
    elif name == 'slotcon':
        s.set_field(np.array([[0.1, 0.0, 0.9, 0.8], [0.0, 0.2, 0.8, 1.0]], np.float32),
                    'view_coords')
        s.set_field(np.array([i % 2 == 0, False]), 'view_flips')
    return s


def _batches(name, n=MAX_ITERS, batch=2):
    g = torch.Generator().manual_seed(1)
    return [dict(inputs=[torch.rand(batch, 3, s, s, generator=g) * 255 for s in SIZES[name]],
                 data_samples=[_sample(name, i) for i in range(batch)]) for _ in range(n)]


def _target(model) -> BaseAveragedModel:
    return model.encoder_k if hasattr(model, 'encoder_k') else model.target_net


def _params(module):
    return [p.detach().clone() for p in module.parameters()]


def _wrapper(model, counts):
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    wrapper = OptimWrapper(opt, accumulative_counts=counts)
    wrapper.initialize_count_status(model, 0, MAX_ITERS)
    return wrapper


def _train(model, counts, batches, hook=True):
    """Train ``len(batches)`` iterations; return those whose ``loss()`` averaged the target
    (iteration 0 copies the online network or, for SCRL, leaves the target as it is)."""
    wrapper = _wrapper(model, counts)
    if hook:
        EMAPerOptimStepHook().before_train(
            SimpleNamespace(model=model, optim_wrapper=wrapper, max_iters=MAX_ITERS))
    ema, calls = _target(model), []
    average = ema.avg_func

    def counted(*args):
        calls.append(iteration)
        average(*args)

    ema.avg_func = counted
    for iteration, data in enumerate(batches):
        model.train_step(copy.deepcopy(data), wrapper)
    return sorted(set(calls))


@pytest.mark.parametrize('name', METHODS)
def test_one_target_update_per_optimiser_step(name):
    batches = _batches(name)
    plain = _train(_model(name), 1, batches)
    accumulated = _train(_model(name), 2, batches)
    # 5 iterations: steps after iterations 0-4 without accumulation, after 1, 3 and 4 (the
    # last) with k=2; the loss() after each step (but the last, which has none) averages
    # the target once: exactly half the updates
    assert plain == [1, 2, 3, 4]
    assert accumulated == [2, 4]
    assert 2 * len(accumulated) == len(plain)
    # without the hook the target would move on every micro-batch (the fault)
    assert _train(_model(name), 2, batches, hook=False) == [1, 2, 3, 4]


def _momentum(model, name, call):
    """The momentum (mmpretrain's 1 - tau) the target averages with at ``loss()`` call
    ``call``: ORL's BYOLHook value at the runner iteration of the step it follows."""
    if name == 'densecl':
        return _target(model).momentum
    ema = _target(model)
    index = call - ema.after_step
    return ema.end_momentum - (ema.end_momentum - ema.momentum) * (
        cos(pi * index / MAX_ITERS) + 1) / 2


def _micro_batch_gradients(model, batches):
    """The gradient of each micro-batch's summed loss, on a copy of ``model`` that runs the
    same ``loss()`` calls in the same order (so its target and queues evolve as the run's).

    Returns:
        Per micro-batch, one tensor per trainable parameter (zeros where it has no grad).
    """
    twin = copy.deepcopy(model)
    torch.manual_seed(2)
    grads = []
    for data in batches:
        twin.zero_grad(set_to_none=True)
        data = twin.data_preprocessor(copy.deepcopy(data), True)
        loss, _ = twin.parse_losses(twin._run_forward(data, mode='loss'))
        loss.backward()
        grads.append([torch.zeros_like(p) if p.grad is None else p.grad.clone()
                      for p in twin.parameters() if p.requires_grad])
    return grads


@pytest.mark.parametrize('name', METHODS)
def test_target_after_two_micro_batches_is_one_update_from_the_averaged_step(name):
    model = _model(name)
    batches = _batches(name, n=3)
    wrapper = _wrapper(model, 2)
    EMAPerOptimStepHook().before_train(
        SimpleNamespace(model=model, optim_wrapper=wrapper, max_iters=MAX_ITERS))

    online = [p for p in model.parameters() if p.requires_grad]
    before = [p.detach().clone() for p in online]
    grads = _micro_batch_gradients(model, batches[:2])
    torch.manual_seed(2)
    model.train_step(copy.deepcopy(batches[0]), wrapper)
    start = _params(_target(model))
    model.train_step(copy.deepcopy(batches[1]), wrapper)
    # micro-batch 1 did not step: the target did not move before micro-batch 2
    assert all(torch.equal(a, b) for a, b in zip(start, _params(_target(model))))
    # micro-batch 1 stepped once, SGD (lr 0.5) on the mean of the two micro-batch gradients
    for p, p0, g0, g1 in zip(online, before, *grads):
        torch.testing.assert_close(p.detach(), p0 - 0.5 * (g0 + g1) / 2, rtol=1e-5, atol=1e-6)
    assert not all(torch.equal(p, p0) for p, p0 in zip(online, before))

    # the online modules the target tracks (SlotCon's prototypes too)
    sources = (model.backbone, model.neck) + ((model.grouping, ) if name == 'slotcon' else ())
    stepped = [p.detach().clone() for m in sources for p in m.parameters()]
    m = _momentum(model, name, call=2)
    expected = [(1 - m) * t + m * p for t, p in zip(start, stepped)]
    model.train_step(copy.deepcopy(batches[2]), wrapper)  # its loss() makes the update
    got = _params(_target(model))
    for e, g in zip(expected, got):
        torch.testing.assert_close(g, e, rtol=1e-6, atol=1e-7)  # float rounding only


def test_no_accumulation_leaves_the_targets_alone():
    model = _model('orl')
    wrapper = _wrapper(model, 1)
    EMAPerOptimStepHook().before_train(
        SimpleNamespace(model=model, optim_wrapper=wrapper, max_iters=MAX_ITERS))
    assert model.target_net.interval == 1


def test_a_configured_interval_is_not_silently_replaced():
    model = _model('byol')
    model.target_net.interval = 3
    wrapper = _wrapper(model, 2)
    with pytest.raises(ValueError, match='target_net already updates every 3 iterations'):
        EMAPerOptimStepHook().before_train(
            SimpleNamespace(model=model, optim_wrapper=wrapper, max_iters=MAX_ITERS))


def test_optimisers_accumulating_differently_are_refused():
    a, b = nn.Linear(1, 1), nn.Linear(1, 1)
    wrappers = OptimWrapperDict(
        a=OptimWrapper(torch.optim.SGD(a.parameters(), lr=1.), accumulative_counts=2),
        b=OptimWrapper(torch.optim.SGD(b.parameters(), lr=1.), accumulative_counts=4))
    with pytest.raises(ValueError, match=r'different numbers of iterations \(\[2, 4\]\)'):
        accumulative_counts(wrappers)


@pytest.mark.parametrize('name', METHODS)
def test_every_pretraining_config_runs_the_hook(name):
    spec = get_method(name)
    for config in (spec.tiny_config, ) + tuple(spec.paper_configs):
        hooks = Config.fromfile(spec.config_path(config)).default_hooks
        assert isinstance(HOOKS.build(hooks['ema_per_optim_step']), EMAPerOptimStepHook), config


class _Toy(BaseModel):
    """A linear student whose ParameterCosineEMA target is updated in ``loss()``, as ORL's."""

    def __init__(self):
        super().__init__()
        self.net = nn.Linear(2, 1)
        self.target_net = ParameterCosineEMA(self.net, momentum=0.5, after_step=True)
        self.averaged_at = []

    def forward(self, inputs, data_samples=None, mode='loss'):
        ema = self.target_net
        if ema.steps > 0 and ema.steps % ema.interval == 0:
            self.averaged_at.append(int(ema.steps))
        ema.update_parameters(self.net)
        x = torch.stack(inputs)
        return dict(loss=((self.net(x) - ema(x).detach() - 1) ** 2).mean())


def test_a_runner_with_accumulation_updates_the_target_after_each_step(tmp_path):
    """mmengine's own loop, the hook built by name: 5 iterations with k=2 step after
    iterations 1, 3 and 4 (the last); the target averages in the loss() after the first
    two (calls 2 and 4), never after iterations 0 and 2, which do not step."""
    model = _Toy()
    data = [dict(inputs=torch.tensor([float(i), 1.])) for i in range(10)]
    runner = Runner(
        model=model, work_dir=str(tmp_path), default_scope='mmpretrain',
        train_dataloader=dict(dataset=data, sampler=dict(type='DefaultSampler', shuffle=False),
                              batch_size=2, collate_fn=dict(type='pseudo_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1), accumulative_counts=2),
        train_cfg=dict(by_epoch=False, max_iters=5),
        default_hooks=dict(ema_per_optim_step=dict(type='EMAPerOptimStepHook'),
                           checkpoint=None, logger=None),
        log_level='WARNING')
    steps = []
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    optimizer = runner.optim_wrapper.optimizer
    original = optimizer.step
    optimizer.step = lambda *a, **k: (steps.append(runner.iter), original(*a, **k))[1]
    runner.train()
    assert steps == [1, 3, 4]
    assert model.averaged_at == [2, 4]
