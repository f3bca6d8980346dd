"""An EMA teacher that averages parameters only and keeps its own batch-norm statistics."""
from typing import Optional

import torch
import torch.nn as nn
from mmpretrain.models.utils import CosineEMA
from mmpretrain.registry import MODELS


@MODELS.register_module()
class ParameterCosineEMA(CosineEMA):
    """mmpretrain's ``CosineEMA`` restricted to parameters, as SCRL's and SlotCon's
    reference code updates its momentum network.

    mmpretrain's ``CosineEMA`` (mmengine's ``BaseAveragedModel`` with
    ``update_buffers=False``) copies the source's buffers into the averaged model at every
    update, so the teacher's batch-norm running statistics are the student's. The
    references (SlotCon ``models/slotcon.py``, ``SlotCon._momentum_update_key_encoder``;
    SCRL ``trainer/base.py``, ``_update_target_network_parameters``) average
    ``parameters()`` only: the teacher's buffers are its own, updated by its own forward
    passes in train mode.

    Call ``k`` (0-based, one per training step, before the teacher's forward as in
    mmpretrain's BYOL) with ``copy_at_start=True`` (SlotCon): call 0 copies the source (the
    teacher starts as the student), call ``k >= 1`` does
    ``p_avg <- (1 - m_k) p_avg + m_k p_src``, ``m_k = end + (momentum - end)
    (cos(pi k / K) + 1) / 2``, K = ``max_iters`` of the message hub — the reference's
    update inside the forward (its update 0 averages two equal networks). With
    ``copy_at_start=False`` (SCRL) the target keeps its own initialisation: call 0 leaves it
    as it is and call ``k >= 1`` averages with ``m_{k-1}``, i.e. the reference's update
    ``k - 1`` after optimiser step ``k - 1`` (``_initialize_target_network(from_online=
    False)``; ``_update_target_network_parameters`` after the step).

    Args:
        model: The student module to average.
        momentum: Start value of m (``1 - tau_base``).
        end_momentum: End value of m (0: tau -> 1).
        interval: Update every ``interval`` calls.
        device: Device of the averaged copy.
        copy_at_start: Copy the source's parameters at the first update.
    """

    def __init__(self,
                 model: nn.Module,
                 momentum: float = 0.004,
                 end_momentum: float = 0.,
                 interval: int = 1,
                 device: Optional[torch.device] = None,
                 copy_at_start: bool = True) -> None:
        super().__init__(model=model, momentum=momentum, end_momentum=end_momentum,
                         interval=interval, device=device, update_buffers=False)
        self.copy_at_start = copy_at_start

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
                    self.avg_func(p_avg.detach(), src, steps - (not self.copy_at_start))
        self.steps += 1
