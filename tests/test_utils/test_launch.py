"""CLI helpers: dataloader defaults per scope and worker count; the TensorBoard opt-in;
joining the process group (init_dist)."""
import os
import sys
import types

import pytest
from mmengine.config import Config

from orl_mm.utils import add_tensorboard, set_default_dataloader_cfg


def test_no_workers_means_no_persistent_workers():
    cfg = Config(dict(default_scope='mmpretrain',
                      train_dataloader=dict(num_workers=0, persistent_workers=True)))
    set_default_dataloader_cfg(cfg, 'train_dataloader')
    assert cfg.train_dataloader.persistent_workers is False
    assert cfg.train_dataloader.collate_fn == dict(type='default_collate')
    cfg = Config(dict(train_dataloader=dict(num_workers=4)))
    set_default_dataloader_cfg(cfg, 'train_dataloader')
    assert cfg.train_dataloader.persistent_workers is True


def test_mmdet_scope_keeps_its_collate():
    cfg = Config(dict(default_scope='mmdet', val_dataloader=dict(num_workers=2)))
    set_default_dataloader_cfg(cfg, 'val_dataloader')
    assert 'collate_fn' not in cfg.val_dataloader
    cfg = Config(dict(default_scope='mmdet', val_dataloader=dict(
        num_workers=2, collate_fn=dict(type='pseudo_collate'))))
    set_default_dataloader_cfg(cfg, 'val_dataloader')
    assert cfg.val_dataloader.collate_fn == dict(type='pseudo_collate')


def test_tensorboard_backend_is_added_beside_the_json_logs(monkeypatch):
    cfg = Config(dict(visualizer=dict(type='UniversalVisualizer',
                                      vis_backends=[dict(type='LocalVisBackend')])))
    monkeypatch.setitem(sys.modules, 'tensorboard', types.ModuleType('tensorboard'))
    add_tensorboard(cfg)
    add_tensorboard(cfg)  # idempotent
    assert [b['type'] for b in cfg.visualizer.vis_backends] == [
        'LocalVisBackend', 'TensorboardVisBackend']


def test_tensorboard_without_the_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, 'tensorboard', None)  # import fails
    with pytest.raises(ImportError, match='pip install tensorboard'):
        add_tensorboard(Config(dict(visualizer=dict(type='UniversalVisualizer'))))


def test_init_dist_without_a_gpu_joins_a_gloo_group(monkeypatch):
    import socket

    import torch
    import torch.distributed as dist

    from orl_mm.utils.launch import init_dist
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    init_dist('none')
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match='needs CUDA'):
        init_dist('mpi')
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    for key, value in dict(RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(port)).items():
        monkeypatch.setenv(key, value)
    init_dist('pytorch')
    try:
        assert dist.get_backend() == 'gloo' and dist.get_world_size() == 1
        init_dist('pytorch')  # a second call leaves the group as it is
    finally:
        dist.destroy_process_group()


def test_slurm_without_a_gpu_joins_a_gloo_group_from_slurm_variables(monkeypatch):
    """srun sets SLURM_*; torch's RANK/WORLD_SIZE/LOCAL_RANK come from them (mmengine's
    mapping), the master from $SLURM_NODELIST unless MASTER_ADDR is set."""
    import socket

    import torch
    import torch.distributed as dist

    from orl_mm.utils.launch import init_dist
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    for key in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE'):
        monkeypatch.setenv(key, 'unset')  # restored (or removed) after the test
    monkeypatch.delenv('LOCAL_WORLD_SIZE')
    for key, value in dict(SLURM_PROCID='0', SLURM_NTASKS='1', SLURM_LOCALID='0',
                           SLURM_NTASKS_PER_NODE='1', SLURM_NODELIST='localhost',
                           MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port)).items():
        monkeypatch.setenv(key, value)
    init_dist('slurm', timeout=60)
    try:
        assert dist.get_backend() == 'gloo' and dist.get_world_size() == 1
        assert (os.environ['RANK'], os.environ['WORLD_SIZE'], os.environ['LOCAL_RANK'],
                os.environ['LOCAL_WORLD_SIZE']) == ('0', '1', '0', '1')
    finally:
        dist.destroy_process_group()


def test_front_door_config_is_set_for_gloo_and_cpu_ddp_also_under_slurm(monkeypatch):
    """tools/train.py and tools/test.py join through build_runner: init_dist(launcher, cfg).
    Without a GPU the config gets the gloo backend and a DDP wrapper without device ids (the
    user's wrapper options kept). Before, --launcher slurm raised 'needs CUDA' there while
    stage 2's slurm ran gloo."""
    import socket

    import torch
    import torch.distributed as dist

    from orl_mm.utils import init_dist
    cfg = Config(dict(model_wrapper_cfg=dict(find_unused_parameters=True)))
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    assert init_dist('pytorch', cfg) is False  # with a GPU the Runner joins the group
    assert not dist.is_initialized() and 'env_cfg' not in cfg
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(RuntimeError, match='needs CUDA'):
        init_dist('mpi', cfg)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    for key in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'):
        monkeypatch.setenv(key, 'unset')  # restored (or removed) after the test
    for key, value in dict(SLURM_PROCID='0', SLURM_NTASKS='1', SLURM_NODELIST='localhost',
                           MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port)).items():
        monkeypatch.setenv(key, value)
    assert init_dist('slurm', cfg) is True
    try:
        assert dist.get_backend() == 'gloo' and dist.get_world_size() == 1
        assert cfg.env_cfg.dist_cfg.backend == 'gloo'
        assert cfg.model_wrapper_cfg == dict(type='MMDistributedDataParallel',
                                             broadcast_buffers=False,
                                             find_unused_parameters=True, device_ids=None)
        assert init_dist('slurm', cfg) is False  # joined already
    finally:
        dist.destroy_process_group()
