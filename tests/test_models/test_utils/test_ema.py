"""ParameterCosineEMA: parameters averaged on the cosine schedule, buffers left alone."""
import math

import pytest
import torch
from mmengine.logging import MessageHub

from orl_mm.models.utils import ParameterCosineEMA


def _net(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))


def _reference_tau(k, max_iters, tau_base):
    """ORL's BYOLHook.before_train_iter: m = 1 - (1 - m_0) (cos(pi k / K) + 1) / 2."""
    return 1. - (1. - tau_base) * (math.cos(math.pi * k / float(max_iters)) + 1) / 2


# (copy_at_start, after_step) -> (call 0 copies, schedule index of call k)
MODES = {(True, None): (True, 0), (False, None): (False, 1), (True, True): (True, 1)}


@pytest.mark.parametrize('copy_at_start,after_step', list(MODES))
def test_schedule_copy_and_buffers(copy_at_start, after_step):
    MessageHub.get_current_instance().update_info('max_iters', 8)
    copies, lag = MODES[(copy_at_start, after_step)]
    student = _net(0)
    ema = ParameterCosineEMA(_net(1), momentum=0.1, copy_at_start=copy_at_start,
                             after_step=after_step)
    start = ema.module[0].weight.detach().clone()
    student.train()(torch.randn(5, 3))  # the student's BN statistics move
    ema.update_parameters(student)
    expected = student[0].weight if copies else start
    torch.testing.assert_close(ema.module[0].weight, expected.detach())
    # buffers are never copied from the student (mmpretrain's CosineEMA copies them)
    assert torch.count_nonzero(ema.module[1].running_mean) == 0
    assert int(ema.module[1].num_batches_tracked) == 0
    for k in (1, 2, 3):
        before = ema.module[0].weight.detach().clone()
        with torch.no_grad():
            student[0].weight.add_(1.)
        ema.update_parameters(student)
        # tau of the reference's formula with tau_base = 1 - 0.1, at iteration k - lag
        tau = _reference_tau(k - lag, 8, 0.9)
        torch.testing.assert_close(ema.module[0].weight,
                                   tau * before + (1 - tau) * student[0].weight.detach())
    assert int(ema.steps) == 4
