"""Helpers shared by the command-line front doors (``tools/train.py``, ``tools/test.py``,
``tools/stage2/discover.py``).

mmengine's ``pytorch``/``slurm`` launchers assume CUDA: they call
``torch.cuda.set_device`` before ``init_process_group`` and wrap the model in
``DistributedDataParallel(device_ids=[local_rank])``. On a machine without a GPU,
:func:`init_dist` creates the process group with the gloo backend itself (mmengine's
Runner then finds it initialised and skips its own set-up) and makes the DDP wrapper
CPU-compatible (``device_ids=None``). Process management stays with
``torchrun``/slurm; nothing here spawns processes.
"""
import argparse
import datetime
import os
import os.path as osp
from typing import Optional

import torch
import torch.distributed as torch_dist
from mmengine.config import Config, ConfigDict


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Load a config file and merge ``--cfg-options`` into it; ``colour_on_device=True``
    rewrites it for the device colour path (:mod:`.colour_on_device`)."""
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if cfg.get('colour_on_device'):
        from .colour_on_device import colour_on_device_config
        colour_on_device_config(cfg)
    return cfg


def add_tensorboard(cfg: Config) -> None:
    """Add mmengine's ``TensorboardVisBackend`` to ``cfg.visualizer`` (opt-in live curves).

    mmengine's ``--cfg-options`` can replace a list entry but not append one, so the train
    front door offers this as ``--tensorboard``. Events go to
    ``<work_dir>/<timestamp>/vis_data``; the ``LocalVisBackend`` JSON logs stay.

    Raises:
        ImportError: If the ``tensorboard`` package is not installed (said how to get it).
    """
    try:
        import tensorboard  # noqa: F401
    except ImportError as err:
        raise ImportError('--tensorboard needs the tensorboard package: '
                          'pip install tensorboard') from err
    visualizer = cfg.setdefault('visualizer', ConfigDict(type='UniversalVisualizer'))
    backends = list(visualizer.get('vis_backends') or [dict(type='LocalVisBackend')])
    if not any(b.get('type') == 'TensorboardVisBackend' for b in backends):
        backends.append(dict(type='TensorboardVisBackend'))
    visualizer['vis_backends'] = backends


def parse_with_launcher(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Add mmengine's ``--launcher`` and torch's ``--local_rank`` to a front door's parser,
    parse, and export ``LOCAL_RANK`` (as torch.distributed.launch passes it)."""
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher (pytorch = torchrun)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def setup_work_dir(cfg: Config, config_path: str, work_dir: Optional[str]) -> None:
    """Set ``cfg.work_dir``: the CLI's, else the config's, else ./work_dirs/<config name>."""
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def front_door_config(args: argparse.Namespace) -> Config:
    """The config a front door runs: ``args.config`` with ``args.cfg_options`` merged,
    ``launcher`` from ``args.launcher`` and the work dir set (:func:`setup_work_dir`)."""
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    setup_work_dir(cfg, args.config, args.work_dir)
    return cfg


def build_runner(cfg: Config):
    """Join the process group (:func:`init_dist` with ``cfg.launcher``), then build the
    runner: the config's ``runner_type`` if it names one, else mmengine's ``Runner``.

    Returns:
        The ``mmengine.runner.Runner`` (or the config's runner).
    """
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    init_dist(cfg.launcher, cfg)
    return Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)


def set_default_dataloader_cfg(cfg: Config, field: str, pin_memory: bool = True) -> None:
    """Fill a dataloader's defaults; ``persistent_workers`` only where there are workers.

    In mmpretrain's scope the collate function defaults to ``default_collate`` (as
    mmpretrain's own ``tools/train.py`` does); other scopes keep theirs (mmdet's
    ``pseudo_collate``).

    mmpretrain's ``tools/train.py`` forces ``persistent_workers=True``, which torch
    rejects for ``num_workers=0``; here it defaults to ``num_workers > 0``.
    """
    if cfg.get(field, None) is None:
        return
    loader = ConfigDict()
    if cfg.get('default_scope', 'mmpretrain') == 'mmpretrain':
        # mmpretrain's batches are stacked; mmdet's (and mmengine's default) are not
        loader['collate_fn'] = dict(type='default_collate')
    loader.update(cfg[field])
    loader.setdefault('pin_memory', pin_memory and torch.cuda.is_available())
    if loader.get('num_workers', 0) == 0:
        loader['persistent_workers'] = False
    else:
        loader.setdefault('persistent_workers', True)
    cfg[field] = loader


def init_gloo(rank: Optional[int] = None, world_size: Optional[int] = None,
              **kwargs) -> None:
    """Create the gloo process group (CPU): the one place the project calls
    ``torch.distributed.init_process_group`` itself.

    Args:
        rank: This process's rank (default ``$RANK``, as torchrun sets it).
        world_size: The number of processes (default ``$WORLD_SIZE``).
        **kwargs: More ``init_process_group`` arguments (``init_method``, ``timeout``).
    """
    torch_dist.init_process_group(
        backend='gloo', rank=int(os.environ['RANK']) if rank is None else rank,
        world_size=int(os.environ['WORLD_SIZE']) if world_size is None else world_size,
        **kwargs)


def slurm_environment() -> None:
    """Set torch's ``RANK``/``WORLD_SIZE``/``LOCAL_RANK``/``MASTER_*`` from slurm's variables,
    as mmengine's slurm launcher does (which, needing CUDA, cannot be used without a GPU):
    ``MASTER_ADDR`` defaults to the first host of ``$SLURM_NODELIST``, ``MASTER_PORT`` to
    29500; values already in the environment are kept."""
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
    if 'SLURM_NTASKS_PER_NODE' in os.environ:  # e.g. '8' or '8(x2)'
        os.environ.setdefault('LOCAL_WORLD_SIZE',
                              os.environ['SLURM_NTASKS_PER_NODE'].split('(')[0])
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        import subprocess
        nodes = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {nodes} | head -n1')


def init_dist(launcher: str, cfg: Optional[Config] = None,
              timeout: Optional[float] = None) -> bool:
    """Join the launcher's process group: the one entry point of every front door.

    * ``'none'``, or a group already joined: nothing to do.
    * With a GPU and a ``cfg`` (``tools/train.py``, ``tools/test.py``): nothing here either;
      mmengine's Runner joins the group itself from ``cfg.env_cfg.dist_cfg`` (NCCL).
    * With a GPU and no ``cfg`` (stage 2, which has no Runner): mmengine's ``init_dist``
      with NCCL.
    * Without a GPU: a gloo group (:func:`init_gloo`) for ``'pytorch'`` (torchrun) or
      ``'slurm'`` (srun; torch's variables from slurm's, :func:`slurm_environment`). A
      ``cfg`` is then set for it: ``env_cfg.dist_cfg.backend = 'gloo'`` and a DDP wrapper
      with ``device_ids=None`` (CPU modules), so that the Runner finds the group joined
      and wraps the model for the CPU.

    Args:
        launcher: ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'`` (GPU only).
        cfg: The Runner's config, when there is a Runner.
        timeout: The process group's timeout in seconds (default: torch's); with a GPU
            and a ``cfg``, set ``env_cfg.dist_cfg.timeout`` instead.

    Returns:
        True if this call joined the process group.

    Raises:
        RuntimeError: Without a GPU, for a launcher other than ``'pytorch'`` or ``'slurm'``.
    """
    if launcher == 'none' or torch_dist.is_initialized():
        return False
    if torch.cuda.is_available():
        if cfg is not None:
            return False
        from mmengine.dist import init_dist as mm_init_dist
        mm_init_dist(launcher, backend='nccl',
                     **({} if timeout is None else dict(timeout=timeout)))
        return True
    if launcher not in ('pytorch', 'slurm'):
        raise RuntimeError(f'launcher {launcher!r} needs CUDA; without a GPU use '
                           '--launcher pytorch (torchrun, e.g. tools/dist_train.sh) or '
                           'slurm (srun)')
    if launcher == 'slurm':
        slurm_environment()
    init_gloo(**({} if timeout is None else dict(timeout=datetime.timedelta(seconds=timeout))))
    if cfg is not None:
        cfg.setdefault('env_cfg', ConfigDict())
        cfg.env_cfg.setdefault('dist_cfg', ConfigDict())
        cfg.env_cfg.dist_cfg['backend'] = 'gloo'
        wrapper = ConfigDict(type='MMDistributedDataParallel', broadcast_buffers=False)
        wrapper.update(cfg.get('model_wrapper_cfg', None) or {})
        wrapper['device_ids'] = None  # CPU modules: DDP takes no device ids
        cfg.model_wrapper_cfg = wrapper
    return True
