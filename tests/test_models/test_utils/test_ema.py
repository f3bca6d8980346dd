"""ParameterCosineEMA: parameters averaged on the cosine schedule, buffers left alone."""
import math

import torch
from mmengine.logging import MessageHub

from orl_mm.models.utils import ParameterCosineEMA


def _net(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))


def test_schedule_copy_and_buffers():
    MessageHub.get_current_instance().update_info('max_iters', 8)
    student = _net(0)
    for copy_at_start in (True, False):
        ema = ParameterCosineEMA(_net(1), momentum=0.1, copy_at_start=copy_at_start)
        start = ema.module[0].weight.detach().clone()
        student.train()(torch.randn(5, 3))  # the student's BN statistics move
        ema.update_parameters(student)
        expected = student[0].weight if copy_at_start else start
        torch.testing.assert_close(ema.module[0].weight, expected.detach())
        # buffers are never copied from the student (mmpretrain's CosineEMA copies them)
        assert torch.count_nonzero(ema.module[1].running_mean) == 0
        assert int(ema.module[1].num_batches_tracked) == 0
        for k in (1, 2):
            before = ema.module[0].weight.detach().clone()
            with torch.no_grad():
                student[0].weight.add_(1.)
            ema.update_parameters(student)
            step = k if copy_at_start else k - 1
            m = 0.1 * (math.cos(math.pi * step / 8) + 1) / 2
            torch.testing.assert_close(ema.module[0].weight,
                                       (1 - m) * before + m * student[0].weight.detach())
        assert int(ema.steps) == 3
