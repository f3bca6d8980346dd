"""An EMA teacher that averages parameters only and keeps its own batch-norm statistics."""
from typing import Optional

import torch
import torch.nn as nn
from mmpretrain.models.utils import CosineEMA
from mmpretrain.registry import MODELS


@MODELS.register_module()
class ParameterCosineEMA(CosineEMA):
    """mmpretrain's ``CosineEMA`` restricted to parameters, as SCRL's, SlotCon's and ORL's
    reference code updates its momentum network.

    mmpretrain's ``CosineEMA`` (mmengine's ``BaseAveragedModel`` with
    ``update_buffers=False``) copies the source's buffers into the averaged model at every
    update, so the teacher's batch-norm running statistics are the student's. The
    references (SlotCon ``models/slotcon.py``, ``SlotCon._momentum_update_key_encoder``;
    SCRL ``trainer/base.py``, ``_update_target_network_parameters``; ORL
    ``openselfsup/models/{orl,byol}.py``, ``_momentum_update``) average
    ``parameters()`` only: the teacher's buffers are its own, updated by its own forward
    passes in train mode.

    Call ``k`` (0-based, one per training step, before the teacher's forward as in
    mmpretrain's BYOL); ``m_j = end + (momentum - end) (cos(pi j / K) + 1) / 2``, K =
    ``max_iters`` of the message hub, and ``p_avg <- (1 - m) p_avg + m p_src``:

    * ``copy_at_start=True, after_step=False`` (SlotCon): call 0 copies the source (the
      teacher starts as the student), call ``k >= 1`` averages with ``m_k`` — the
      reference's update inside the forward (its update 0 averages two equal networks).
    * ``copy_at_start=False`` (SCRL; ``after_step`` then defaults to True): the target
      keeps its own initialisation; call 0 leaves it as it is and call ``k >= 1`` averages
      with ``m_{k-1}``, i.e. the reference's update ``k - 1`` after optimiser step ``k - 1``
      (``_initialize_target_network(from_online=False)``; ``_update_target_network_
      parameters`` after the step).
    * ``copy_at_start=True, after_step=True`` (ORL and its BYOL): call 0 copies the source
      (``init_weights`` copies the online parameters into the target) and call ``k >= 1``
      averages with ``m_{k-1}``: ORL's ``BYOLHook`` sets ``m`` from ``runner.iter = k - 1``
      in ``before_train_iter`` and ``momentum_update`` runs in ``after_train_iter``, after
      the optimiser step of iteration ``k - 1``, every iteration (``update_interval=1``).

    Under gradient accumulation (``accumulative_counts=k``) ``interval`` is ``k``
    (:class:`~orl_mm.engine.hooks.EMAPerOptimStepHook` sets it): only calls ``0, k, 2k, ...``
    (the first micro-batch after each optimiser step) average, with ``m`` of index
    ``steps - after_step`` over ``max_iters`` iterations: ORL's ``BYOLHook(update_interval
    =k)``, which sets ``m`` from the iteration that steps and updates after it.

    Args:
        model: The student module to average.
        momentum: Start value of m (``1 - tau_base``).
        end_momentum: End value of m (0: tau -> 1).
        interval: Update every ``interval`` calls.
        device: Device of the averaged copy.
        copy_at_start: Copy the source's parameters at the first update.
        after_step: Call ``k`` uses ``m_{k-1}`` (the reference updates after the
            optimiser step); ``None``: ``not copy_at_start``.
    """

    def __init__(self,
                 model: nn.Module,
                 momentum: float = 0.004,
                 end_momentum: float = 0.,
                 interval: int = 1,
                 device: Optional[torch.device] = None,
                 copy_at_start: bool = True,
                 after_step: Optional[bool] = None) -> None:
        super().__init__(model=model, momentum=momentum, end_momentum=end_momentum,
                         interval=interval, device=device, update_buffers=False)
        self.copy_at_start = copy_at_start
        self.after_step = (not copy_at_start) if after_step is None else bool(after_step)

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Average the parameters of ``model`` into this copy; buffers are left alone."""
        steps = int(self.steps)
        if steps % self.interval == 0 and (steps > 0 or self.copy_at_start):
            for p_avg, p_src in zip(self.module.parameters(), model.parameters()):
                src = p_src.detach().to(p_avg.device)
                if steps == 0:
                    p_avg.detach().copy_(src)
                else:
                    self.avg_func(p_avg.detach(), src, steps - self.after_step)
        self.steps += 1
