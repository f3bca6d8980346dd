"""Step 'proposals': selective search + the ORL filter, one file per image, then merged."""
import logging
import sys
import time
from multiprocessing import get_context
from typing import Dict

from mmengine.dist import barrier

from ..config import Stage2Config
from ..console import Progress, log
from ..images import ImageReadError, read_image_bgr
from ..proposal_import import import_settings, run_import
from ..proposals import compute_proposals, init_proposal_worker
from ..step import Context, Step
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
        todo = [(r.index, r.file_name, r.path, cfg.proposal) for r in ctx.mine(ctx.images)
                if work.read_part('proposals', r.index, r.file_name) is None]
        if cfg.proposal.max_pixels:
            log(f'selective search on copies of at most {cfg.proposal.max_pixels} pixels '
                '(larger images are downscaled, boxes mapped back; --max-pixels 0 for full '
                'resolution)')
        t0 = time.perf_counter()
        bar = Progress(len(todo), f'[rank {ctx.rank}] selective search', cfg.progress)
        if todo:
            if cfg.proposal_workers <= 1:
                init_proposal_worker(1)
                self._write(work, map(_search, todo), bar)
            else:
                mp = get_context('fork' if sys.platform.startswith('linux') else 'spawn')
                with mp.Pool(cfg.proposal_workers, initializer=init_proposal_worker,
                             initargs=(1, ), maxtasksperchild=200) as pool:
                    self._write(work, pool.imap_unordered(_search, todo, chunksize=1), bar)
        bar.close()
        seconds = time.perf_counter() - t0
        barrier()
        if ctx.rank == 0:
            self.merge(ctx)
        barrier()
        return dict(done=len(ctx.mine(ctx.images)), computed=len(todo), seconds=seconds,
                    max_pixels=cfg.proposal.max_pixels)

    @staticmethod
    def _write(work, results, bar) -> None:
        for index, result in results:
            work.write_json(result, work.image_file('proposals', index))
            if 'error' in result:
                log(f'bad image: {result["error"]}', logging.WARNING)
            bar()

    @staticmethod
    def merge(ctx: Context) -> dict:
        """Merge the part files into ``proposals.json``; stop (or skip) on bad images."""
        kept, boxes, sizes, num_raw, bad = [], [], [], [], []
        for r in ctx.images:
            data = ctx.work.read_part('proposals', r.index, r.file_name)
            if data is None:
                raise Stage2Error(f'proposals of {r.file_name} (image {r.index}) are missing; '
                                  'run the proposals step again')
            if 'error' in data:
                bad.append(dict(file_name=r.file_name, index=r.index, error=data['error']))
                continue
            kept.append(r.index)
            boxes.append(data['boxes'])
            sizes.append([data['width'], data['height']])
            num_raw.append(data['num_raw'])
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
