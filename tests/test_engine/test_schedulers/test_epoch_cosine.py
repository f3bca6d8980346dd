"""ORL's lr curve: mmcv 1.x CosineAnnealing stepped per epoch over all epochs, its linear
warm-up by iteration multiplying that epoch's lr (Jiahao000/ORL stage-1/3 lr_config)."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import PARAM_SCHEDULERS

import orl_mm  # noqa: F401
from orl_mm.engine import EpochCosineWarmupLR

EPOCH_LEN, EPOCHS = 3, 800


def _mmcv_reference(epoch_len, epochs, base, warmup_epochs=4, ratio=1e-4):
    """mmcv 1.0.3's hooks, step by step: before_train_epoch sets the regular lr of
    ``runner.epoch``; before_train_iter applies the linear warm-up while iter < W, the
    regular lr at iter == W, nothing after. Yields the lr of every iteration."""
    warmup_iters = warmup_epochs * epoch_len
    lr, it = None, 0
    for epoch in range(epochs):
        regular = 0. + 0.5 * (base - 0.) * (math.cos(math.pi * epoch / epochs) + 1)
        lr = regular
        for _ in range(epoch_len):
            if it < warmup_iters:
                k = (1 - it / warmup_iters) * (1 - ratio)
                lr = regular * (1 - k)
            elif it == warmup_iters:
                lr = regular
            yield lr
            it += 1


def _project_curve(schedulers_cfg, epoch_len, epochs, base):
    """The lr of every iteration as mmengine's runner builds and steps the schedulers."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    scheds = []
    for cfg in schedulers_cfg:
        cfg = dict(cfg)
        cls = PARAM_SCHEDULERS.get(cfg.pop('type'))
        if cfg.pop('convert_to_iter_based', False):
            scheds.append(cls.build_iter_from_epoch(opt, **cfg, epoch_length=epoch_len))
        else:
            scheds.append(cls(opt, **cfg))
    for _ in range(epochs):
        for _ in range(epoch_len):
            yield opt.param_groups[0]['lr']
            opt.step()
            for s in scheds:
                if not s.by_epoch:
                    s.step()
        for s in scheds:
            if s.by_epoch:
                s.step()


def test_paper_schedule_is_the_reference_curve(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, 'configs/_base_/schedules/sgd_coslr-800e.py'))
    base = cfg.optim_wrapper.optimizer.lr
    ours = list(_project_curve(cfg.param_scheduler, EPOCH_LEN, EPOCHS, base))
    ref = list(_mmcv_reference(EPOCH_LEN, EPOCHS, base))
    assert len(ours) == len(ref) == EPOCH_LEN * EPOCHS
    # hand values: iteration 0; mid warm-up (epoch 1); the warm-up's end (epoch 4, the
    # cosine of epoch 4 of 800, not 1); epoch 400 (half); the last epoch, constant inside
    hand = {0: 0.4 * 1e-4,
            4: 0.4 * (math.cos(math.pi / 800) + 1) / 2 * (1 - (1 - 4 / 12) * (1 - 1e-4)),
            12: 0.4 * (math.cos(math.pi * 4 / 800) + 1) / 2,
            400 * EPOCH_LEN + 2: 0.2,
            799 * EPOCH_LEN: 0.4 * (math.cos(math.pi * 799 / 800) + 1) / 2}
    for it, value in hand.items():
        assert ref[it] == pytest.approx(value, rel=1e-12)
        assert ours[it] == pytest.approx(value, rel=1e-9), it
    assert ours == pytest.approx(ref, rel=1e-9, abs=1e-15)


def test_bad_configuration_is_refused():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.)
    with pytest.raises(ValueError, match='convert_to_iter_based=True'):
        EpochCosineWarmupLR(opt, T_max=10, by_epoch=True)
    with pytest.raises(ValueError, match='warmup_ratio'):
        EpochCosineWarmupLR(opt, T_max=10, warmup_ratio=0., epoch_length=2)
