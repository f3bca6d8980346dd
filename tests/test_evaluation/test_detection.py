"""detectron2's precise BN (TEST.PRECISE_BN) for the detection transfer configs."""
from types import SimpleNamespace

import pytest
import torch

from orl_mm.evaluation.detection import DetectronPreciseBNHook, update_bn_stats


class _TinyModel(torch.nn.Module):
    """An mmengine-shaped model: ``data_preprocessor(data, training)`` and ``forward(mode=)``."""

    def __init__(self):
        super().__init__()
        self.bn = torch.nn.BatchNorm1d(3, momentum=0.1)
        self.seen = []

    def data_preprocessor(self, data, training):
        return dict(inputs=data)

    def forward(self, inputs, mode='tensor'):
        self.seen.append(mode)
        return self.bn(inputs)


def _batches(n=3):
    torch.manual_seed(0)
    return [torch.randn(5, 3) * (i + 1) + i for i in range(n)]


def test_statistics_are_the_average_of_batch_statistics():
    """fvcore's update_bn_stats: mean of the batch means and of the unbiased batch variances
    (the momentum-0.1 running average the model had before is replaced)."""
    model = _TinyModel().train()
    batches = _batches()
    assert update_bn_stats(model, iter(batches), num_iters=3) == 1
    mean = torch.stack([b.mean(0) for b in batches]).mean(0)
    var = torch.stack([b.var(0, unbiased=True) for b in batches]).mean(0)
    torch.testing.assert_close(model.bn.running_mean, mean, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(model.bn.running_var, var, rtol=1e-6, atol=1e-6)
    assert model.bn.momentum == 0.1 and model.seen == ['loss'] * 3  # the training forward

    plain = _TinyModel().train()  # what training leaves without precise BN
    for b in batches:
        plain(b)
    assert not torch.allclose(plain.bn.running_mean, mean, atol=1e-3)

    with pytest.raises(ValueError, match='needs 4 training batches, the loader gave 3'):
        update_bn_stats(_TinyModel().train(), iter(batches), num_iters=4)
    assert update_bn_stats(_TinyModel().eval(), iter(batches), num_iters=3) == 0


def test_hook_runs_after_the_last_iteration_only():
    batches = _batches(2)
    model = _TinyModel().train()
    runner = SimpleNamespace(model=model, max_iters=10, iter=0,
                             train_loop=SimpleNamespace(dataloader=batches))
    hook = DetectronPreciseBNHook(num_iters=2)
    for it in range(9):
        runner.iter = it
        hook.after_train_iter(runner, it)
    assert model.seen == []
    runner.iter = 9
    hook.after_train_iter(runner, 9)
    assert model.seen == ['loss', 'loss']
    with pytest.raises(ValueError, match='num_iters must be'):
        DetectronPreciseBNHook(num_iters=0)
