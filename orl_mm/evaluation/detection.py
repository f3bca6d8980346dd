"""The two parts of ORL's (MoCo's) detectron2 transfer protocol that mmdet 3.3 lacks.

* ``ResLayerExtraNorm``: MoCo's ``Res5ROIHeadsExtraNorm`` (its ``detection/train_net.py``,
  named by ORL's ``Base-RCNN-C4-BN.yaml``): the C4 head's res5 followed by one more
  normalisation layer of ``RESNETS.NORM`` over its 2048 output channels (``norm``). mmdet's
  ``ResLayer`` shared head has none; mmpretrain 1.2 provides it
  (``mmpretrain.models.utils.res_layer_extra_norm``, registered in mmdet's ``MODELS``), and
  this module imports it so that the detection configs find it.
* :class:`DetectronPreciseBNHook`: detectron2's ``TEST.PRECISE_BN`` (``hooks.PreciseBN`` with
  fvcore's ``update_bn_stats``, ``NUM_ITER`` 200): at the end of training, the running mean
  and variance of every BN layer in training mode become the plain average, over
  ``num_iters`` training batches run through the training forward, of the batch statistics.
  mmpretrain's ``PreciseBNHook`` counts samples through ``loader.batch_size``, which mmdet's
  aspect-ratio batch sampler leaves ``None``, and averages across ranks; detectron2 counts
  iterations and does not reduce (SyncBN statistics are already global).

Imported by the detection configs only (``custom_imports``), so ``import orl_mm`` does not
load mmdet's models.
"""
import itertools
from typing import Iterable

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS
from mmengine.runner import EpochBasedTrainLoop
# mmpretrain registers MoCo's head in mmdet's MODELS (when mmdet is installed)
from mmpretrain.models.utils.res_layer_extra_norm import ResLayerExtraNorm
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ['ResLayerExtraNorm', 'DetectronPreciseBNHook', 'update_bn_stats']


@torch.no_grad()
def update_bn_stats(model: torch.nn.Module, batches: Iterable, num_iters: int = 200) -> int:
    """fvcore's ``update_bn_stats`` for an mmengine model: BN statistics as batch averages.

    Every ``_BatchNorm`` in training mode gets ``running_mean`` = the mean over the
    ``num_iters`` batches of its batch means, ``running_var`` = the mean of its (unbiased)
    batch variances, computed with momentum 1 and the cumulative average
    ``s += (x - s) / (i + 1)``; the momenta are restored after.

    Args:
        model: An mmengine model (``data_preprocessor``, ``forward(mode='loss')``).
        batches: Training batches as the train dataloader yields them.
        num_iters: How many batches to run.

    Returns:
        The number of BN layers updated.

    Raises:
        ValueError: If ``batches`` ends before ``num_iters``.
    """
    model = model.module if is_model_wrapper(model) else model
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm) and m.training]
    if not bns:
        return 0
    momenta = [bn.momentum for bn in bns]
    means = [torch.zeros_like(bn.running_mean) for bn in bns]
    variances = [torch.zeros_like(bn.running_var) for bn in bns]
    for bn in bns:
        bn.momentum = 1.0
    done = 0
    for i, data in enumerate(itertools.islice(batches, num_iters)):
        model(**model.data_preprocessor(data, True), mode='loss')
        for bn, mean, var in zip(bns, means, variances):
            mean += (bn.running_mean - mean) / (i + 1)
            var += (bn.running_var - var) / (i + 1)
        done = i + 1
    if done != num_iters:
        raise ValueError(f'precise BN needs {num_iters} training batches, the loader gave '
                         f'{done}')
    for bn, mean, var, momentum in zip(bns, means, variances, momenta):
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var)
        bn.momentum = momentum
    return len(bns)


@HOOKS.register_module()
class DetectronPreciseBNHook(Hook):
    """detectron2's precise BN: recompute the BN statistics at the end of training.

    Runs after the last training iteration (before the final evaluation and checkpoint:
    priority ``ABOVE_NORMAL``), and every ``interval`` iterations if ``interval > 0``
    (detectron2: ``TEST.EVAL_PERIOD``, 0 in ORL's configs).

    Args:
        num_iters: Training batches to average over (detectron2's
            ``TEST.PRECISE_BN.NUM_ITER``, default 200).
        interval: Also run every this many iterations (0: only at the end).
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, num_iters: int = 200, interval: int = 0):
        if num_iters < 1 or interval < 0:
            raise ValueError(f'num_iters must be >= 1 and interval >= 0, got {num_iters}, '
                             f'{interval}')
        self.num_iters = num_iters
        self.interval = interval

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        last = not self._by_epoch(runner) and self.is_last_train_iter(runner)
        if last or (self.interval and self.every_n_train_iters(runner, self.interval)):
            self._run(runner)

    def after_train_epoch(self, runner) -> None:
        if self._by_epoch(runner) and self.is_last_train_epoch(runner):
            self._run(runner)

    @staticmethod
    def _by_epoch(runner) -> bool:
        return isinstance(runner.train_loop, EpochBasedTrainLoop)

    def _run(self, runner) -> None:
        count = update_bn_stats(runner.model, iter(runner.train_loop.dataloader),
                                self.num_iters)
        print_log(f'DetectronPreciseBNHook: statistics of {count} BN layers recomputed over '
                  f'{self.num_iters} training batches', logger='current')
