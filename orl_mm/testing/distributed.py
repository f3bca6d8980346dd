"""Run a function in several CPU (gloo) processes with a deadline, for collective tests."""
import copy
import json
import os
import os.path as osp
import time
import traceback
from datetime import timedelta
from typing import Callable, Sequence

import numpy as np
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp

from orl_mm.utils.io import atomic_write
from orl_mm.utils.launch import init_gloo


def _entry(fn: Callable, rank: int, world_size: int, work_dir: str, timeout: float,
           args: Sequence) -> None:
    torch.set_num_threads(1)
    init_gloo(rank, world_size, init_method='file://' + osp.join(work_dir, 'store'),
              timeout=timedelta(seconds=timeout))
    try:
        fn(rank, world_size, work_dir, *args)
    except BaseException:
        message = traceback.format_exc()
        atomic_write(osp.join(work_dir, f'rank{rank}.err'), lambda f: f.write(message),
                     binary=False)
        raise
    finally:
        torch_dist.destroy_process_group()


def run_gloo_processes(fn: Callable, work_dir: str, world_size: int = 2,
                       timeout: float = 120., args: Sequence = ()) -> None:
    """Call ``fn(rank, world_size, work_dir, *args)`` in ``world_size`` spawned processes.

    Each process joins a gloo process group (file store in ``work_dir``) whose collectives
    time out after ``timeout`` seconds; the whole run is killed after ``2 * timeout``.
    ``fn`` must be importable (a module-level function).

    Raises:
        TimeoutError: A process was still running at the deadline (e.g. a rank waits in
            a collective that another rank skipped).
        RuntimeError: A process failed; the message holds its traceback.
    """
    os.makedirs(work_dir, exist_ok=True)
    ctx = mp.get_context('spawn')
    procs = [ctx.Process(target=_entry, args=(fn, rank, world_size, work_dir, timeout, args))
             for rank in range(world_size)]
    for p in procs:
        p.start()
    deadline = time.monotonic() + 2 * timeout
    for p in procs:
        p.join(max(0., deadline - time.monotonic()))
    alive = [rank for rank, p in enumerate(procs) if p.is_alive()]
    for rank in alive:
        procs[rank].kill()
        procs[rank].join()
    errors = []
    for rank in range(world_size):
        path = osp.join(work_dir, f'rank{rank}.err')
        if osp.isfile(path):
            with open(path) as f:
                errors.append(f'rank {rank}:\n{f.read()[-3000:]}')
    if alive:
        raise TimeoutError(f'ranks {alive} did not finish within {2 * timeout:.0f} s (a '
                           'collective skipped by another rank?)\n' + '\n'.join(errors))
    failed = [rank for rank, p in enumerate(procs) if p.exitcode != 0]
    if failed:
        raise RuntimeError(f'ranks {failed} failed\n' + '\n'.join(errors))


def _scrl_samples(rank: int) -> list:
    from mmpretrain.structures import DataSample
    samples = []
    for _ in range(2):
        s = DataSample()
        boxes = np.zeros((2, 3, 4), np.float32)
        boxes[0] = [[0, 0, 32, 32], [16, 16, 64, 64], [8, 0, 40, 56]]
        boxes[1] = [[32, 32, 64, 64], [0, 0, 48, 48], [24, 8, 56, 64]]
        s.set_field(boxes, 'view_boxes')
        s.set_field(np.full(3, rank != 0), 'box_valid')  # rank 0: no valid box at all
        samples.append(s)
    return samples


def _slotcon_samples(rank: int) -> list:
    from mmpretrain.structures import DataSample
    samples = []
    for i in range(2):
        s = DataSample()
        s.set_field(np.array([[0.1, 0.0, 0.9, 0.8], [0.0, 0.2, 0.8, 1.0]], np.float32),
                    'view_coords')
        s.set_field(np.array([i % 2 == 0, False]), 'view_flips')
        samples.append(s)
    return samples


def train_step_without_valid_items(rank: int, world_size: int, work_dir: str, algo: str,
                                   model_cfg: dict) -> None:
    """Two DDP training steps of a tiny SCRL or SlotCon where rank 0 has nothing valid.

    Rank 0's images give no box (SCRL) or no slot valid in either view (SlotCon); the
    others' are normal. Writes ``rank{r}.json`` with each step's logged losses and whether
    the trainable weights are identical on all ranks afterwards.
    """
    from mmengine.logging import MessageHub
    from mmengine.model import MMDistributedDataParallel
    from mmengine.optim import OptimWrapper
    from mmpretrain.registry import MODELS
    from mmpretrain.utils import register_all_modules

    import orl_mm  # noqa: F401  (registration)
    register_all_modules(init_default_scope=True)
    MessageHub.get_current_instance().update_info('max_iters', 10)
    if algo == 'slotcon' and rank == 0:  # rank 0: no slot valid in either view
        import orl_mm.models.algorithms.slotcon as slotcon_module
        slotcon_module.slot_valid_mask = lambda scores: torch.zeros(
            scores.shape[:2], dtype=torch.bool)
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    ddp = MMDistributedDataParallel(model, device_ids=None, broadcast_buffers=False)
    optim = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1))
    torch.manual_seed(rank + 1)
    samples = _scrl_samples(rank) if algo == 'scrl' else _slotcon_samples(rank)
    logs = []
    for _ in range(2):
        data = dict(inputs=[torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)],
                    data_samples=samples)
        logs.append({k: float(v) for k, v in ddp.train_step(data, optim).items()})
    # the all-reduced gradients kept the weights identical on both ranks
    checksum = torch.stack([p.detach().double().sum() for p in model.parameters()
                            if p.requires_grad])
    gathered = [torch.zeros_like(checksum) for _ in range(world_size)]
    torch_dist.all_gather(gathered, checksum)
    same = all(torch.equal(gathered[0], g) for g in gathered)
    result = json.dumps(dict(logs=logs, same=bool(same)))
    atomic_write(osp.join(work_dir, f'rank{rank}.json'), lambda f: f.write(result), binary=False)
