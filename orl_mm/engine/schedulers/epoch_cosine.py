"""mmcv 1.x's ``CosineAnnealing`` lr policy with a linear warm-up, as ORL trains.

ORL's stage-1 and stage-3 configs (Jiahao000/ORL ``configs/selfsup/orl/*/stage{1,3}/
r50_bs512_ep800.py``) set ``lr_config = dict(policy='CosineAnnealing', min_lr=0.,
warmup='linear', warmup_iters=4, warmup_ratio=0.0001, warmup_by_epoch=True)`` under mmcv
1.0.3 (``LrUpdaterHook``, ``CosineAnnealingLrUpdaterHook``, ``by_epoch=True`` by default):

* the regular lr is set once per epoch ``e`` (``before_train_epoch``):
  ``lr_e = min_lr + (base - min_lr) (cos(pi e / max_epochs) + 1) / 2``, over all 800
  epochs, warm-up included;
* during the first ``W = 4 x len(data_loader)`` iterations (``before_train_iter``,
  ``runner.iter = i < W``) the warm-up multiplies that epoch's regular lr:
  ``lr = lr_e (1 - (1 - i / W)(1 - warmup_ratio))``; from iteration ``W`` on, ``lr_e``.

mmengine's ``LinearLR`` reaches its end factor one step before its ``end`` (its
``total_iters = end - begin - 1``) and its ``CosineAnnealingLR`` after a warm-up starts
the cosine at the warm-up's end, so neither composition gives this curve; this scheduler
computes it in closed form, one step per iteration.
"""
import math

from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler
from mmpretrain.registry import PARAM_SCHEDULERS


@PARAM_SCHEDULERS.register_module()
class EpochCosineWarmupLR(LRSchedulerMixin, _ParamScheduler):
    """Per-epoch cosine lr with a per-iteration linear warm-up multiplying it (mmcv 1.x).

    Configure it by epoch with ``convert_to_iter_based=True`` (mmengine then passes the
    epoch length); it steps every iteration::

        dict(type='EpochCosineWarmupLR', T_max=800, eta_min=0., warmup_epochs=4,
             warmup_ratio=1e-4, by_epoch=True, begin=0, end=800,
             convert_to_iter_based=True)

    Args:
        optimizer: Wrapped optimizer.
        T_max: Epochs of the cosine (mmcv: ``runner.max_epochs``).
        eta_min: Final lr (mmcv ``min_lr``).
        warmup_epochs: Warm-up length in epochs (mmcv ``warmup_iters`` with
            ``warmup_by_epoch=True``); 0 for none.
        warmup_ratio: Warm-up factor at iteration 0.
        epoch_length: Iterations per epoch (set by ``convert_to_iter_based``).
        begin: First iteration it acts on.
        end: Iteration it stops at.
        last_step: Last step index, for resuming.
        by_epoch: Must be False after conversion.
        verbose: Print each update.

    Raises:
        ValueError: If it is not converted to iterations or an argument is out of range.
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0., warmup_epochs: int = 0,
                 warmup_ratio: float = 1e-4, epoch_length: int = None, begin: int = 0,
                 end: int = INF, last_step: int = -1, by_epoch: bool = False,
                 verbose: bool = False) -> None:
        if by_epoch or not epoch_length:
            raise ValueError('EpochCosineWarmupLR steps per iteration: configure it with '
                             'by_epoch=True and convert_to_iter_based=True')
        if T_max <= 0 or warmup_epochs < 0 or not 0 < warmup_ratio <= 1:
            raise ValueError('EpochCosineWarmupLR needs T_max > 0, warmup_epochs >= 0 and '
                             f'0 < warmup_ratio <= 1; got T_max={T_max}, '
                             f'warmup_epochs={warmup_epochs}, warmup_ratio={warmup_ratio}')
        self.T_max = T_max
        self.eta_min = eta_min
        self.epoch_length = int(epoch_length)
        self.warmup_iters = int(warmup_epochs * self.epoch_length)
        self.warmup_ratio = warmup_ratio
        super().__init__(optimizer, begin=begin, end=end, last_step=last_step,
                         by_epoch=False, verbose=verbose)

    @classmethod
    def build_iter_from_epoch(cls, *args, begin=0, end=INF, by_epoch=True,
                              epoch_length=None, **kwargs):
        """Build the iteration-based scheduler from its by-epoch config."""
        if not by_epoch or not epoch_length or epoch_length <= 0:
            raise ValueError('EpochCosineWarmupLR: convert_to_iter_based needs by_epoch=True '
                             f'and a positive epoch length, got {epoch_length}')
        end = end if end == INF else int(end * epoch_length)
        return cls(*args, begin=int(begin * epoch_length), end=end, by_epoch=False,
                   epoch_length=epoch_length, **kwargs)

    def lr_at(self, step: int, base: float) -> float:
        """The lr at iteration ``step`` for a base lr ``base`` (the reference's formula)."""
        epoch = step // self.epoch_length
        regular = self.eta_min + (base - self.eta_min) * (
            math.cos(math.pi * epoch / self.T_max) + 1) / 2
        if step < self.warmup_iters:
            return regular * (1 - (1 - step / self.warmup_iters) * (1 - self.warmup_ratio))
        return regular

    def _get_value(self):
        """The closed-form lr of every group at ``last_step``."""
        step = self.last_step
        return [self.lr_at(step, base) for base in self.base_values]
