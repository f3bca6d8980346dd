"""How the ranks of a stage-2 run wait for each other: on files, with a heartbeat.

The long waits of stage 2 (fast ranks waiting for the slowest after selective search,
every rank waiting while rank 0 merges ~10^5 per-image files or runs the k-NN search)
are not collectives. Each rank keeps a small status file per phase in
``<work_dir>/status/`` (its counts and a heartbeat rewritten every ``heartbeat_s``
seconds by a thread) and a waiting rank polls the files of the ranks it waits on. A wait
therefore lasts as long as the work, however long, and stops, with a message naming the
rank, only when a rank it waits on has given no sign of life for ``timeout`` seconds
(killed, node lost, file system hung) or has reported an error.

Why files and not one long process-group timeout: a long timeout either kills a slow but
healthy job (if too short) or leaves a dead one hanging for hours (if long), and it shows
nothing while it waits. The files give rank 0 the progress of the whole job (the sum of
every rank's counts), and a dead rank is found after ``timeout`` seconds of silence
whatever the length of the work. The remaining barriers (start of each step) are reached
by all ranks within a poll, so the process group's timeout (set to ``timeout`` too)
never governs a long wait.

A run token (made by rank 0, broadcast once) marks this run's files, so status files left
by an earlier, killed run are never taken for this run's. With one process nothing is
written and nothing waits.
"""
import os
import socket
import threading
import time
import uuid
from typing import Callable, Iterable, Optional, TypeVar

from mmengine.dist import broadcast_object_list, get_dist_info

from orl_mm.utils.io import atomic_write_json, read_json
from .console import Progress
from .workdir import Stage2Error

T = TypeVar('T')


def run_token() -> str:
    """A token naming this run, the same on every rank (rank 0's, broadcast)."""
    token = [uuid.uuid4().hex]
    if get_dist_info()[1] > 1:
        broadcast_object_list(token, src=0)
    return token[0]


def status_path(ctx, name: str, rank: int) -> str:
    return ctx.work.path('status', f'{name}.rank{rank}of{ctx.world}.json')


def read_status(ctx, name: str, rank: int) -> Optional[dict]:
    """Rank ``rank``'s status for ``name`` if this run wrote it, else None."""
    data = read_json(status_path(ctx, name, rank))
    return data if isinstance(data, dict) and data.get('token') == ctx.token else None


class RankStatus:
    """This rank's status file for one phase: counts, state and a heartbeat thread.

    Args:
        ctx: The run context (``work``, ``rank``, ``world``, ``token``, ``cfg``).
        name: The phase (``'proposals'``, ``'proposals.finish'``...).
        todo: Items this rank computes in the phase.
    """

    def __init__(self, ctx, name: str, todo: int = 0) -> None:
        self.ctx, self.name, self.todo, self.done = ctx, name, todo, 0
        self.enabled = ctx.world > 1
        self.state, self.error, self.beat = 'running', None, 0
        self._stop = threading.Event()
        self._thread = None

    def write(self) -> None:
        self.beat += 1
        data = dict(token=self.ctx.token, name=self.name, rank=self.ctx.rank,
                    world=self.ctx.world, host=socket.gethostname(), pid=os.getpid(),
                    todo=self.todo, done=self.done, state=self.state, error=self.error,
                    beat=self.beat)
        try:
            atomic_write_json(data, status_path(self.ctx, self.name, self.ctx.rank))
        except OSError:
            pass  # a full disk stops this rank's own writes, which say so

    def _loop(self) -> None:
        while not self._stop.wait(self.ctx.cfg.heartbeat_s):
            self.write()

    def __enter__(self) -> 'RankStatus':
        if self.enabled:
            self.write()
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.enabled:
            return
        self._stop.set()
        self._thread.join()
        if exc is None:
            self.state = 'finished'
        else:
            self.state = 'failed'
            self.error = str(exc) if isinstance(exc, Stage2Error) else \
                f'{type(exc).__name__}: {exc}'
        self.write()


class JobProgress:
    """Rank 0's progress of a phase over every rank: the sum of their status counts.

    Shown once every rank has reported its count (its own, in memory, at once).
    """

    def __init__(self, ctx, own: RankStatus, title: str) -> None:
        self.ctx, self.own, self.title = ctx, own, title
        self.bar: Optional[Progress] = None
        self.last = 0.0

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.ctx.cfg.heartbeat_s:
            return
        self.last = now
        own = dict(todo=self.own.todo, done=self.own.done)
        rows = [own if r == self.ctx.rank else read_status(
            self.ctx, self.own.name, r) for r in range(self.ctx.world)]
        if any(r is None for r in rows):
            return
        if self.bar is None:
            self.bar = Progress(sum(r['todo'] for r in rows),
                                f'{self.title} (all {self.ctx.world} ranks)',
                                self.ctx.cfg.progress)
        done = min(sum(r['done'] for r in rows), self.bar.total)
        if done > self.bar.done:
            self.bar(done - self.bar.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Tracker(RankStatus):
    """One rank's share of a phase: counts its items (``tracker(n)``), heartbeats, and
    shows progress: its own with one process, the whole job's on rank 0 with several."""

    def __init__(self, ctx, name: str, todo: int, title: str) -> None:
        super().__init__(ctx, name, todo)
        self.bar = Progress(todo, title, ctx.cfg.progress) if ctx.world == 1 else None
        self.job = JobProgress(ctx, self, title) if self.enabled and ctx.rank == 0 else None

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar(n)
        if self.job is not None:
            self.job.refresh()

    def __exit__(self, exc_type, exc, tb) -> None:
        super().__exit__(exc_type, exc, tb)
        if self.bar is not None:
            self.bar.close()


def wait_for(ctx, name: str, ranks: Iterable[int], job: Optional[JobProgress] = None) -> None:
    """Wait until every rank of ``ranks`` has finished phase ``name``.

    Raises:
        Stage2Error: A rank reported an error, or gave no sign of life (its status file
            unchanged) for ``ctx.cfg.timeout`` seconds.
    """
    if ctx.world == 1:
        return
    ranks = list(ranks)
    seen = {r: (None, time.monotonic()) for r in ranks}
    while True:
        pending = []
        for r in ranks:
            data = read_status(ctx, name, r)
            if data is not None and data['state'] == 'failed':
                raise Stage2Error(f'rank {r} ({data["host"]}, pid {data["pid"]}) stopped in '
                                  f'{name}: {data["error"]}')
            if data is None or data['state'] != 'finished':
                pending.append((r, data))
        if job is not None:
            job.refresh(force=True)
        if not pending:
            if job is not None:
                job.close()
            return
        now = time.monotonic()
        for r, data in pending:
            key = None if data is None else (data['beat'], data['done'])
            if key != seen[r][0]:
                seen[r] = (key, now)
            elif now - seen[r][1] > ctx.cfg.timeout:
                where = ('no status written by this run' if data is None else
                         f'{data["done"]}/{data["todo"]} done on {data["host"]}, '
                         f'pid {data["pid"]}')
                raise Stage2Error(
                    f'{name}: rank {r} has given no sign of life for {ctx.cfg.timeout:.0f} s '
                    f'({status_path(ctx, name, r)}: {where}); it may have been killed or '
                    'lost its node. Finished files are kept: run the same command again to '
                    'resume (--timeout sets this limit)')
        time.sleep(ctx.cfg.heartbeat_s)


def gather(ctx, name: str, finish: Callable[[], T], job: Optional[JobProgress] = None,
           wait: bool = True) -> Optional[T]:
    """Rank 0 waits for every rank's phase ``name`` (unless ``wait`` is False), then runs
    ``finish`` (a merge) under the phase ``name + '.finish'``, which the other ranks wait
    for. Returns ``finish()``'s result on rank 0, None elsewhere."""
    if ctx.rank == 0:
        with RankStatus(ctx, f'{name}.finish'):
            if wait:
                wait_for(ctx, name, range(ctx.world), job)
            return finish()
    wait_for(ctx, f'{name}.finish', [0])
    return None
