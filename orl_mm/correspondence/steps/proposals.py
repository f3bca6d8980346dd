"""Step 'proposals': selective search + the ORL filter, one file per image, then merged."""
import logging
import os
import os.path as osp
import socket
import sys
import time
from multiprocessing import get_context
from typing import Dict

from ..config import Stage2Config
from ..console import log
from ..images import ImageReadError, read_image_bgr
from ..proposal_import import import_settings, run_import
from ..proposals import compute_proposals, init_proposal_worker
from ..step import Context, Step
from ..sync import Tracker, gather
from ..workdir import Stage2Error


def _search(args):
    """Worker: decode, selective search and filter one image (the parent writes it)."""
    import cv2
    index, file_name, path, settings = args
    try:
        result = dict(file_name=file_name, **compute_proposals(read_image_bgr(path), settings))
    except ImageReadError as err:
        result = dict(file_name=file_name, error=str(err))
    except cv2.error as err:
        result = dict(file_name=file_name, error=f'{path}: selective search failed ({err})')
    return index, result


class ProposalsStep(Step):
    """Selective search on this rank's images in a process pool (one OpenCV thread each).

    Every result is written to its own file as soon as it is ready, so memory does not
    grow with the number of images and a killed run resumes; rank 0 then merges
    ``proposals.json`` (the readable images, their boxes and sizes, and the skipped ones).

    With ``cfg.shard = (i, n)`` (``--steps proposals --shard i/n``) the process computes
    images ``i::n`` without a process group and records ``proposals/shards/iofn.json``;
    the first run of a later step merges (:meth:`complete`) and stops while images are
    missing, naming the shards that have not finished.
    """
    name = 'proposals'
    inputs = ('images', )

    def settings(self, cfg: Stage2Config) -> Dict:
        if cfg.proposals_from:
            return import_settings(cfg.proposal)
        return cfg.proposal.to_dict()

    def run(self, ctx: Context) -> Dict:
        cfg, work = ctx.cfg, ctx.work
        if cfg.proposals_from:  # ORL's released boxes instead of selective search
            return run_import(ctx, self.merge)
        todo = [(r.index, r.file_name, r.path, cfg.proposal) for r in ctx.my_share(ctx.images)
                if work.read_part('proposals', r.index, r.file_name) is None]
        if cfg.proposal.max_pixels:
            log(f'selective search on copies of at most {cfg.proposal.max_pixels} pixels '
                '(larger images are downscaled, boxes mapped back; --max-pixels 0 for full '
                'resolution)')
        t0 = time.perf_counter()
        title = 'selective search' + (f' (shard {ctx.shard[0]}/{ctx.shard[1]})'
                                      if ctx.shard else '')
        if ctx.shard:
            self._shard_record(ctx, len(todo), finished=False)
        with Tracker(ctx, self.name, len(todo), title) as track:
            if todo and cfg.proposal_workers <= 1:
                init_proposal_worker(1)
                self._write(work, map(_search, todo), track)
            elif todo:
                mp = get_context('fork' if sys.platform.startswith('linux') else 'spawn')
                with mp.Pool(cfg.proposal_workers, initializer=init_proposal_worker,
                             initargs=(1, ), maxtasksperchild=200) as pool:
                    self._write(work, pool.imap_unordered(_search, todo, chunksize=1), track)
        seconds = time.perf_counter() - t0
        out = dict(done=len(ctx.my_share(ctx.images)), computed=len(todo), seconds=seconds,
                   max_pixels=cfg.proposal.max_pixels)
        if ctx.shard:  # the first later step merges, once every shard has finished
            self._shard_record(ctx, len(todo), finished=True)
            return dict(out, shard=list(ctx.shard))
        gather(ctx, self.name, lambda: self.merge(ctx), track.job)
        return out

    @classmethod
    def complete(cls, ctx: Context) -> None:
        """Merge ``proposals.json`` from the part files (``--shard`` runs) if it is missing;
        stops naming the shards that have not finished."""
        if not osp.isfile(ctx.work.output('proposals')):
            gather(ctx, cls.name, lambda: cls.merge(ctx), wait=False)

    @staticmethod
    def _write(work, results, track) -> None:
        for index, result in results:
            work.write_json(result, work.image_file('proposals', index))
            if 'error' in result:
                log(f'bad image: {result["error"]}', logging.WARNING)
            track()

    @staticmethod
    def _shard_record(ctx: Context, computed: int, finished: bool) -> None:
        i, n = ctx.shard
        ctx.work.write_json(dict(shard=i, num_shards=n, images=len(ctx.my_share(ctx.images)),
                                 computed=computed, host=socket.gethostname(),
                                 finished=finished),
                            ctx.work.path('proposals', 'shards', f'{i}of{n}.json'))

    @staticmethod
    def _missing(ctx: Context, missing) -> str:
        """What to do about images without proposals: the unfinished shards, if any ran."""
        names = ', '.join(ctx.images[i].file_name for i in missing[:3])
        head = (f'proposals of {len(missing)} image(s) are missing ({names}'
                f'{", ..." if len(missing) > 3 else ""})')
        folder = ctx.work.path('proposals', 'shards')
        records = [ctx.work.read_json(osp.join(folder, f)) for f in
                   sorted(os.listdir(folder))] if osp.isdir(folder) else []
        counts = sorted({r['num_shards'] for r in records if isinstance(r, dict)})
        if not counts:
            return f'{head}; run the proposals step again'
        started = {(r['shard'], r['num_shards']): r for r in records if isinstance(r, dict)}
        parts = []
        for n in counts:
            for i in sorted({k % n for k in missing}):
                rec = started.get((i, n))
                parts.append(f'{i}/{n} ' + ('(not started)' if rec is None else
                                            f'(started on {rec["host"]}, not finished)'))
        return (f'{head}: shard(s) {", ".join(parts)} of the proposals step have not '
                'finished. Wait for them or run each again (`--steps proposals --shard '
                'I/N`, it resumes), then this step')

    @staticmethod
    def merge(ctx: Context) -> dict:
        """Merge the part files into ``proposals.json``; stop (or skip) on bad images."""
        kept, boxes, sizes, num_raw, bad, missing = [], [], [], [], [], []
        for r in ctx.images:
            data = ctx.work.read_part('proposals', r.index, r.file_name)
            if data is None:
                missing.append(r.index)
                continue
            if 'error' in data:
                bad.append(dict(file_name=r.file_name, index=r.index, error=data['error']))
                continue
            kept.append(r.index)
            boxes.append(data['boxes'])
            sizes.append([data['width'], data['height']])
            num_raw.append(data['num_raw'])
        if missing:
            raise Stage2Error(ProposalsStep._missing(ctx, missing))
        if bad and not ctx.cfg.skip_bad_images:
            listing = '\n  '.join(b['error'] for b in bad)
            raise Stage2Error(
                f'{len(bad)} image(s) cannot be read (their proposals are recorded, '
                f'nothing else is lost):\n  {listing}\nfix or remove them, or pass '
                '--skip-bad-images to leave them out of the correspondence file')
        out = dict(images=kept, boxes=boxes, image_size=sizes, num_raw_boxes=num_raw,
                   skipped=bad)
        ctx.work.write_json(out, ctx.work.output('proposals'))
        return out
