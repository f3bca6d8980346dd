"""Step 'roi': the RoI embeddings of every image, once, one ``.npy`` per image."""
import time
from typing import Dict

import numpy as np
import torch
from mmengine.dist import barrier
from torch.utils.data import DataLoader

from ..config import Stage2Config
from ..console import Progress
from ..embed import bgr_to_rgb, crop_rois
from ..images import read_image_bgr
from ..step import Context, Step
from .knn import checkpoint_id

ROI_DTYPES = ('float32', 'float16')


class RoICrops:
    """Dataset: per image, its RoI crops (decoded and cropped in DataLoader workers)."""

    def __init__(self, items, roi_size: int) -> None:
        self.items = items  # (image index, path, boxes)
        self.roi_size = roi_size

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        index, path, boxes = self.items[i]
        return index, crop_rois(bgr_to_rgb(read_image_bgr(path)), boxes, self.roi_size)


def valid_npy(path: str) -> bool:
    try:
        np.load(path, mmap_mode='r')
        return True
    except (ValueError, OSError):
        return False


class RoIStep(Step):
    """Crops are batched per image in chunks of ``batch_size`` (the chunking depends
    only on the image, so the numbers are the same as embedding it again on demand);
    stored as ``roi_dtype`` (float32, or float16 for half the disk)."""
    name = 'roi'
    inputs = ('proposals', )

    def settings(self, cfg: Stage2Config) -> Dict:
        if cfg.roi_dtype not in ROI_DTYPES:
            raise ValueError(f'roi_dtype must be one of {ROI_DTYPES}, got {cfg.roi_dtype!r}')
        return dict(checkpoint=checkpoint_id(cfg), roi_size=cfg.roi_size,
                    batch_size=cfg.batch_size, dtype=cfg.roi_dtype)

    def run(self, ctx: Context) -> Dict:
        cfg, work = ctx.cfg, ctx.work
        props = work.read_output('proposals', self.name)
        boxes = dict(zip(props['images'], props['boxes']))
        todo = [(i, ctx.images[i].path, boxes[i]) for i in ctx.mine(props['images'])
                if not valid_npy(work.image_file('roi', i))]
        t0, forwards = time.perf_counter(), 0
        if todo:
            encoder = ctx.get_encoder()
            before = encoder.forward_count
            loader = DataLoader(RoICrops(todo, cfg.roi_size), batch_size=None,
                                num_workers=cfg.loader_workers, shuffle=False)
            bar = Progress(len(todo), f'[rank {ctx.rank}] RoI embeddings', cfg.progress)
            bs = cfg.batch_size
            for index, crops in loader:
                feats = [encoder.embed_rois(crops[s:s + bs].to(cfg.device), cfg.channels_last)
                         for s in range(0, len(crops), bs)]
                work.save_npy(torch.cat(feats).cpu().numpy().astype(cfg.roi_dtype),
                              work.image_file('roi', index))
                bar()
            bar.close()
            forwards = encoder.forward_count - before
        barrier()
        return dict(seconds=time.perf_counter() - t0, forwards=forwards, computed=len(todo))
