"""ORL stage 2 as resumable steps over a work directory (see :mod:`.workdir`).

Steps: ``proposals`` -> ``knn`` -> ``roi`` -> ``pairs`` -> ``quality``; each re-runs alone
from the files of the previous ones. Every file is written atomically and a per-image
file that exists is never recomputed, so a run killed at any moment and started again
finishes with byte-identical output without redoing finished images. Each step records
its settings; a step stops with a message naming them when its own files, or the files
it reads, were made with other settings than the run asks for.

Distributed: under ``torchrun`` or slurm every rank takes images ``rank::world_size`` for
the proposals, embeddings and pair mining; rank 0 runs the k-NN search and merges the files
(the work directory must be shared). The ranks wait for each other on status files in the
work directory (:mod:`.sync`), not in collectives: only a token broadcast and a barrier at
the start of each step go through the process group, so gloo on CPU and NCCL on GPUs both
work and no long wait is governed by the group's timeout.

A CPU farm or slurm job array: ``cfg.shard = (i, n)`` runs the proposals step on images
``i::n`` without a process group; the first later step merges the shards' files.
"""
import os
import time
from typing import Dict, List, Optional, Sequence

from mmengine.dist import barrier, get_dist_info

from .config import Stage2Config
from .images import ImageRecord, build_image_list
from .step import Context
from .steps import STEP_TYPES, STEPS
from .sync import run_token
from .workdir import FileWriter, Stage2Error, WorkDir, describe_changes, fingerprint

_BY_NAME = {s.name: s for s in STEP_TYPES}


def load_images(cfg: Stage2Config, work: WorkDir) -> List[ImageRecord]:
    """List the images and record them in ``images.json`` (a resumed run must match)."""
    try:
        records = build_image_list(cfg.image_sources(), cfg.root)
    except (FileNotFoundError, ValueError) as err:
        raise Stage2Error(str(err)) from err
    data = dict(file_name=[r.file_name for r in records], id=[r.image_id for r in records])
    old = work.read_json(work.images_file)
    if old is not None and old != data:
        raise Stage2Error(f'{work.images_file} lists other images than '
                          f'{cfg.image_sources()}; use a new --work-dir')
    if old is None and get_dist_info()[0] == 0:
        work.write_json(data, work.images_file)
    return records


def _upstream(name: str) -> List[str]:
    out: List[str] = []
    for parent in _BY_NAME[name].inputs:
        if parent in _BY_NAME:
            out += [p for p in _upstream(parent) + [parent] if p not in out]
    return out


def check_settings(ctx: Context, name: str) -> None:
    """Stop if the files ``name`` reads were made with other settings than asked now;
    then record ``name``'s own settings (or stop if its folder has others)."""
    for parent in _upstream(name):
        rec = ctx.work.record(parent)
        asked = _BY_NAME[parent]().settings(ctx.cfg)
        if rec is not None and asked is not None and rec['settings'] != asked:
            raise Stage2Error(
                f'{name}: the {parent} step of {ctx.work.root} was run with other settings '
                f'({describe_changes(rec["settings"], asked)}); this run would mix them. '
                f'Run with the recorded settings, or redo the {parent} step in a new '
                '--work-dir')
    settings = _BY_NAME[name]().settings(ctx.cfg)
    if settings is not None:
        inputs = {p: ctx.work.record_fingerprint(p) for p in _BY_NAME[name].inputs}
        ctx.work.claim(name, dict(settings=settings, inputs=inputs), write=ctx.rank == 0)


def check_shard(shard, steps: Sequence[str]) -> None:
    """A shard ``(i, n)`` runs the proposals step alone, without a process group."""
    if shard is None:
        return
    i, n = shard
    if not 0 <= i < n:
        raise Stage2Error(f'--shard {i}/{n}: need 0 <= I < N (e.g. 0/8 ... 7/8)')
    if list(steps) != ['proposals']:
        raise Stage2Error(f'--shard runs the proposals step only (--steps proposals), not '
                          f'{", ".join(steps)}; run the later steps afterwards without --shard')
    if get_dist_info()[1] > 1:
        raise Stage2Error('--shard takes no process group: run each shard as its own '
                          'process (--launcher none), e.g. one slurm array task each')


def run_stage2(cfg: Stage2Config, steps: Sequence[str] = STEPS, encoder=None,
               writer: Optional[FileWriter] = None) -> Dict[str, dict]:
    """Run the given steps in order; returns wall seconds and counters per step.

    Args:
        cfg: The settings.
        steps: Names from :data:`STEPS`.
        encoder: A ready stage-1 encoder (else built from ``cfg`` when needed).
        writer: Creates the files (default: atomic writes).
    """
    unknown = [s for s in steps if s not in _BY_NAME]
    if unknown:
        raise Stage2Error(f'unknown step(s) {unknown}; choose from {list(STEPS)}')
    check_shard(cfg.shard, steps)
    try:
        os.makedirs(cfg.work_dir, exist_ok=True)
    except OSError as err:
        raise Stage2Error(f'cannot create the work dir {cfg.work_dir}: {err.strerror}') from err
    work = WorkDir(cfg.work_dir, writer)
    t = time.perf_counter()
    ctx = Context(cfg, work, load_images(cfg, work), encoder, token=run_token())
    report = dict(list=dict(images=len(ctx.images), seconds=time.perf_counter() - t))
    merged = 'proposals' in steps
    for name in STEPS:
        if name in steps:
            check_settings(ctx, name)
            barrier()
            if not merged and 'proposals' in _upstream(name):
                _BY_NAME['proposals'].complete(ctx)  # after --shard runs
                merged = True
            out = _BY_NAME[name]().run(ctx)
            if out is not None:  # quality: None without instances
                report[name] = out
    return report


__all__ = ['Stage2Config', 'Stage2Error', 'run_stage2', 'load_images', 'check_settings',
           'check_shard', 'STEPS', 'fingerprint']
