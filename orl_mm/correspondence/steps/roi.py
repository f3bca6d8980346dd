"""Step 'roi': the RoI embeddings of every image, once, one ``.npy`` per image."""
import time
from typing import Dict

import mmcv
import numpy as np
import torch
from torch.utils.data import DataLoader

from orl_mm.utils.images import normalize_to_tensor
from ..config import Stage2Config
from ..embed import bgr_to_rgb, crop_rois, embed_roi_crops
from ..images import read_image_bgr
from ..step import Context, Step
from ..sync import Tracker, wait_for
from .retrieval import checkpoint_id

ROI_DTYPES = ('float32', 'float16')
ROI_MODES = ('crop', 'align')


class RoICrops:
    """Dataset: per image, its RoI crops (decoded and cropped in DataLoader workers); in
    ``align`` mode the whole image (longer side at most ``max_side``) and its boxes as
    ``[x1, y1, x2, y2]`` in that image's pixels."""

    def __init__(self, items, roi_size: int, mode: str = 'crop', max_side: int = 1024):
        self.items = items  # (image index, path, boxes)
        self.roi_size, self.mode, self.max_side = roi_size, mode, max_side

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        index, path, boxes = self.items[i]
        rgb = bgr_to_rgb(read_image_bgr(path))
        if self.mode == 'crop':
            return index, crop_rois(rgb, boxes, self.roi_size)
        s = min(1.0, self.max_side / max(rgb.shape[:2]))
        if s < 1.0:
            rgb = mmcv.imrescale(rgb, s, interpolation='bilinear')
        b = torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4)
        b[:, 2:] += b[:, :2]
        return index, (normalize_to_tensor(rgb)[None], b * s)


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
        out = dict(checkpoint=checkpoint_id(cfg), roi_size=cfg.roi_size,
                   batch_size=cfg.batch_size, dtype=cfg.roi_dtype)
        if cfg.roi_mode != 'crop':  # absent for the reference mode (records stay as they were)
            if cfg.roi_mode not in ROI_MODES:
                raise ValueError(f'roi_mode must be one of {ROI_MODES}, got {cfg.roi_mode!r}')
            out['mode'] = cfg.roi_mode
        return out

    def run(self, ctx: Context) -> Dict:
        work = ctx.work
        props = work.read_output('proposals', self.name)
        boxes = dict(zip(props['images'], props['boxes']))
        todo = [(i, ctx.images[i].path, boxes[i]) for i in ctx.my_share(props['images'])
                if not valid_npy(work.image_file('roi', i))]
        t0, forwards = time.perf_counter(), 0
        title = f'[rank {ctx.rank}] RoI embeddings' if ctx.world == 1 else 'RoI embeddings'
        with Tracker(ctx, self.name, len(todo), title) as track:
            if todo:
                encoder = ctx.get_encoder()
                before = encoder.forward_count
                self._embed(ctx, encoder, todo, track)
                forwards = encoder.forward_count - before
        wait_for(ctx, self.name, range(ctx.world), track.job)  # every RoI file exists
        return dict(seconds=time.perf_counter() - t0, forwards=forwards, computed=len(todo))

    @staticmethod
    def _embed(ctx: Context, encoder, todo, track) -> None:
        cfg, work = ctx.cfg, ctx.work
        loader = DataLoader(RoICrops(todo, cfg.roi_size, cfg.roi_mode), batch_size=None,
                            num_workers=cfg.loader_workers, shuffle=False)
        for index, crops in loader:
            if cfg.roi_mode == 'align':
                image, boxes_xyxy = crops
                feats = encoder.embed_rois_aligned(image.to(cfg.device), boxes_xyxy,
                                                   cfg.channels_last)
            else:
                feats = embed_roi_crops(encoder, crops, cfg.batch_size, cfg.channels_last,
                                        cfg.device)
            work.save_npy(feats.cpu().numpy().astype(cfg.roi_dtype),
                          work.image_file('roi', index))
            track()
