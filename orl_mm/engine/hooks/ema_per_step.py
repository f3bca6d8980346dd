"""One EMA-target update per optimiser step under gradient accumulation.

BYOL, ORL, SCRL, SlotCon (:class:`~orl_mm.models.utils.ParameterCosineEMA`) and
mmpretrain's DenseCL (``ExponentialMovingAverage``) update their target inside ``loss()``,
once per call, i.e. once per runner iteration. With ``optim_wrapper.accumulative_counts=k``
an iteration is a micro-batch and the optimiser steps every ``k`` of them, so the target
would move ``k`` times per step.

The averaged models already have the knob for this: mmengine's ``BaseAveragedModel``
averages only on calls whose count is a multiple of ``interval`` (call 0 still copies
where the model copies at start). :class:`EMAPerOptimStepHook` sets ``interval = k`` on
every averaged model of the network before training. The ``loss()`` calls that average
are then calls ``0, k, 2k, ...``: the first micro-batch of each accumulation window, just
after the optimiser step of the window before (mmengine steps when its backward count is a
multiple of ``k``, or on the last iteration); the other ``k - 1`` micro-batches leave the
target alone, as does any micro-batch after which the wrapper did not step.

The cosine momentum stays a function of the runner iteration over ``max_iters``, which is
ORL's reference with accumulation (``openselfsup/hooks/byol_hook.py``,
``BYOLHook(update_interval=k)``: ``m`` from ``runner.iter`` of the iteration that steps,
``momentum_update`` after it, every ``k`` iterations, with ``DistOptimizerHook
(update_interval=k)``). With ``k = 1`` the hook changes nothing.

Resuming keeps the alignment: the averaged model's ``steps`` (a buffer in the checkpoint)
equals the runner iteration, which is where mmengine restarts its backward count.
"""
import math
from typing import List

import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import BaseAveragedModel, is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import HOOKS


def accumulative_counts(optim_wrapper: OptimWrapper) -> int:
    """The number of micro-batches per optimiser step of an optim wrapper (or wrapper dict).

    Raises:
        ValueError: The wrappers of an ``OptimWrapperDict`` accumulate differently (one EMA
            target cannot follow two step rhythms).
    """
    if isinstance(optim_wrapper, OptimWrapperDict):
        counts = {accumulative_counts(w) for w in optim_wrapper.values()}
        if len(counts) > 1:
            raise ValueError('the optimisers accumulate gradients over different numbers of '
                             f'iterations ({sorted(counts)}): the EMA target needs one')
        return counts.pop() if counts else 1
    return int(getattr(optim_wrapper, '_accumulative_counts', 1))


def averaged_models(model: nn.Module) -> List[BaseAveragedModel]:
    """The EMA targets (mmengine ``BaseAveragedModel``) inside ``model``, unwrapped."""
    if is_model_wrapper(model):
        model = model.module
    return [m for m in model.modules() if isinstance(m, BaseAveragedModel)]


def set_update_interval(model: nn.Module, counts: int) -> List[str]:
    """Make every EMA target of ``model`` average once per ``counts`` ``loss()`` calls.

    Args:
        model: The training model (possibly wrapped by DDP).
        counts: Micro-batches per optimiser step (``accumulative_counts``).

    Returns:
        The names of the targets set (for the log).

    Raises:
        ValueError: A target already has another ``interval`` than 1 or ``counts``.
    """
    if is_model_wrapper(model):
        model = model.module
    names = []
    for name, module in model.named_modules():
        if not isinstance(module, BaseAveragedModel):
            continue
        if module.interval not in (1, counts):
            raise ValueError(
                f'the EMA target {name} already updates every {module.interval} iterations; '
                f'with gradient accumulation over {counts} iterations it must be configured '
                'with interval 1 (one update per optimiser step is then set for it)')
        module.interval = counts
        names.append(name)
    return names


@HOOKS.register_module()
class EMAPerOptimStepHook(Hook):
    """Update the EMA targets once per optimiser step when gradients are accumulated.

    In ``configs/_base_/default_runtime.py`` as ``default_hooks.ema_per_optim_step``, so
    every pre-training config has it. See the module docstring for the rule; no effect
    without accumulation.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        counts = accumulative_counts(runner.optim_wrapper)
        if counts == 1:
            return
        names = set_update_interval(runner.model, counts)
        if names:
            steps = math.ceil(runner.max_iters / counts)
            print_log(f'gradient accumulation over {counts} iterations: EMA target(s) '
                      f'{", ".join(names)} updated once per optimiser step ({steps} steps of '
                      f'{runner.max_iters} iterations)', logger='current')
