"""SCRL and SlotCon configs: lr for the batch it is meant for, SlotCon's schedule, one SyncBN
mechanism across the four model configs (BYOL, ORL, SCRL, SlotCon)."""
import math
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import PARAM_SCHEDULERS
from mmpretrain.registry import MODELS

from orl_mm.engine.schedulers.epoch_cosine import EpochCosineWarmupLR

# config -> (base lr per 256 images, weight decay, base_momentum) of the reference set used
SCRL = {
    'configs/scrl/scrl_resnet50_32xb256-lars-coslr-200e_in1k.py': (0.45, 1e-6, 0.03),  # 200ep
    'configs/scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py': (0.2, 1.5e-6, 0.004),  # 1000ep
}
SLOTCON = 'configs/slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py'


def _total_batch(path):
    gpus, per_gpu = map(int, re.search(r'_(\d+)xb(\d+)-', osp.basename(path)).groups())
    return gpus, per_gpu


@pytest.mark.parametrize('path', sorted(SCRL) + [SLOTCON])
def test_lr_and_auto_scale_lr_match_the_batch(repo_root, path):
    cfg = Config.fromfile(osp.join(repo_root, path))
    gpus, per_gpu = _total_batch(path)
    assert cfg.train_dataloader.batch_size == per_gpu
    total = gpus * per_gpu
    # --auto-scale-lr scales lr by (gpus x batch) / base_batch_size: 1 at the named batch
    assert cfg.auto_scale_lr.base_batch_size == total
    base_lr, wd, momentum = SCRL.get(path, (1.0, 1e-5, 0.01))
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(base_lr * total / 256)
    assert cfg.optim_wrapper.optimizer.weight_decay == wd
    assert cfg.model.base_momentum == momentum
    if 'in1k' in path:
        assert total == 8192 and cfg.optim_wrapper.optimizer.lr == pytest.approx(14.4)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'  # the references train with AMP


@pytest.mark.parametrize('path', ['configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py',
                                  'configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py',
                                  'configs/densecl/densecl_resnet18_1xb8-tiny-2e_demo.py'])
def test_tiny_configs_train_fp32(repo_root, path):
    cfg = Config.fromfile(osp.join(repo_root, path))
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert cfg.auto_scale_lr.base_batch_size == cfg.train_dataloader.batch_size == 8


def test_slotcon_warmup_and_cosine_follow_the_reference(repo_root):
    """Reference utils/lr_scheduler.py: GradualWarmupScheduler(multiplier=100) over 5
    epochs (per iteration), then CosineAnnealingLR(eta_min=1e-6) over the other 795.

    mmengine's LinearLR reaches the full lr at the last warm-up iteration, the reference
    one iteration later: a relative difference below 1 / (warm-up iterations) (1/1155 on
    COCO at batch 512), the only one allowed here.
    """
    cfg = Config.fromfile(osp.join(repo_root, SLOTCON))
    base, epoch_len, epochs, warm = cfg.optim_wrapper.optimizer.lr, 40, 800, 5
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    schedulers = []
    for sched in cfg.param_scheduler:
        sched = dict(sched)
        kind = PARAM_SCHEDULERS.get(sched.pop('type'))
        assert sched.pop('convert_to_iter_based') is True
        schedulers.append(kind.build_iter_from_epoch(optimizer, epoch_length=epoch_len, **sched))
    total, warm_iters = epochs * epoch_len, warm * epoch_len
    for t in range(total):
        lr = optimizer.param_groups[0]['lr']
        if t <= warm_iters:
            expected = base / 100 * (99 * t / warm_iters + 1)
        else:
            progress = (t - warm_iters) / (total - warm_iters)
            expected = 1e-6 + (base - 1e-6) * (1 + math.cos(math.pi * progress)) / 2
        tolerance = 1 / warm_iters if t <= warm_iters else 1e-4
        assert lr == pytest.approx(expected, rel=tolerance, abs=1e-9), (t, lr, expected)
        for s in schedulers:
            s.step()
    assert optimizer.param_groups[0]['lr'] == pytest.approx(1e-6, abs=1e-8)


def test_densecl_cosine_per_epoch_follows_the_reference(repo_root):
    """WXinlong/DenseCL densecl_coco_800ep.py: mmcv ``CosineAnnealing`` (min_lr 0, by
    epoch, no warm-up), SGD lr 0.3 for batch 8 x 32: lr_e = 0.3 (cos(pi e / 800) + 1) / 2,
    constant within epoch e; the same model, views and queue ratio in the tiny config."""
    cfg = Config.fromfile(osp.join(repo_root, 'configs/densecl/'
                                   'densecl_resnet50_8xb32-coslr-800e_coco.py'))
    gpus, per_gpu = _total_batch('densecl_resnet50_8xb32-')
    assert cfg.auto_scale_lr.base_batch_size == gpus * per_gpu == 256
    base, epoch_len, epochs = cfg.optim_wrapper.optimizer.lr, 3, 800
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    (sched, ) = [dict(s) for s in cfg.param_scheduler]
    assert sched.pop('type') == 'EpochCosineWarmupLR'
    assert sched.pop('convert_to_iter_based') is True
    scheduler = EpochCosineWarmupLR.build_iter_from_epoch(optimizer, epoch_length=epoch_len,
                                                          **sched)
    for t in range(epochs * epoch_len):
        expected = base * (math.cos(math.pi * (t // epoch_len) / epochs) + 1) / 2
        assert optimizer.param_groups[0]['lr'] == pytest.approx(expected, abs=1e-9), t
        scheduler.step()
    tiny = Config.fromfile(osp.join(repo_root, 'configs/densecl/'
                                    'densecl_resnet18_1xb8-tiny-2e_demo.py'))
    # the tiny config: the paper's lr per image, linearly scaled to its batch
    assert tiny.optim_wrapper.optimizer.lr * 256 / 8 == pytest.approx(base)
    assert tiny.model.queue_len % tiny.train_dataloader.batch_size == 0  # reference assert


FULL = [
    'configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py',
    'configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py',
    'configs/scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py',
    'configs/slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py',
]
TINY = [
    'configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py',
    'configs/orl/orl_resnet18_1xb8-tiny-2e_demo.py',
    'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py',
    'configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py',
]


def _norm_layers(path, repo_root):
    cfg = Config.fromfile(osp.join(repo_root, path))
    assert cfg.get('sync_bn') is None  # not the runner option: norm_cfg only
    model = MODELS.build(cfg.model)
    return [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]


@pytest.mark.parametrize('full, tiny', list(zip(FULL, TINY)))
def test_one_syncbn_mechanism(repo_root, full, tiny):
    """Every batch norm of the four GPU model configs is SyncBN, set by norm_cfg (backbone,
    projector, predictors, EMA copies); each tiny CPU config turns it off by norm_cfg."""
    norms = _norm_layers(full, repo_root)
    assert norms and all(isinstance(m, torch.nn.SyncBatchNorm) for m in norms), [
        type(m).__name__ for m in norms if not isinstance(m, torch.nn.SyncBatchNorm)]
    norms = _norm_layers(tiny, repo_root)
    assert norms and not any(isinstance(m, torch.nn.SyncBatchNorm) for m in norms)


def _reference_epoch_batches(n, batch_size):
    """kakaobrain/scrl data/dataloader.py InfiniteBatchSampler with drop_last=False (as
    data/getters.py get_loaders_for_trainer builds it): full batches, then the remainder."""
    sizes, batch = [], 0
    for _ in range(n):
        batch += 1
        if batch == batch_size:
            sizes.append(batch)
            batch = 0
    return sizes + ([batch] if batch else [])


@pytest.mark.parametrize('path', sorted(SCRL) + ['configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py'])
def test_scrl_keeps_the_last_batch(repo_root, path):
    """An epoch of 2.5 batches: the config's loader yields the reference's 3 batches."""
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(repo_root, path)).train_dataloader
    n = cfg.batch_size * 2 + cfg.batch_size // 2
    loader = Runner.build_dataloader(dict(
        cfg, dataset=[torch.zeros(1)] * n, num_workers=0, persistent_workers=False,
        collate_fn=dict(type='default_collate')), seed=0)
    sizes = [len(batch) for batch in loader]
    assert sizes == _reference_epoch_batches(n, cfg.batch_size) == [cfg.batch_size] * 2 + [
        cfg.batch_size // 2]
