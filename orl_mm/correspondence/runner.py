"""The whole of ORL stage 2 as resumable steps over a work directory.

Steps (each re-runs alone from the files of the previous ones)::

    images.json                       the image list (file names, ids)
    proposals/parts/*/NNNNNNNN.json   per image: filtered selective-search boxes (or error)
    proposals.json                    all filtered boxes, in image order
    knn/embeddings_rank*.npy          image embeddings, per rank
    knn.json                          K neighbours per image and their cosines
    roi_feats/*/NNNNNNNN.npy          per image: (B, D) RoI embeddings, computed once
    pairs/parts/*/NNNNNNNN.json       per query image: pairs and scores per neighbour
    correspondence.json               the ORL reference layout (orl_mm.correspondence.io)
    pair_scores.json                  the cosine of every pair, same nesting

Every file is written atomically (temporary file + rename), and a per-image file that
exists is never recomputed, so a run killed at any moment and started again finishes
with byte-identical output without redoing finished images. Each step records its
settings; resuming with different settings stops with a message instead of mixing them.

Distributed: under ``torchrun`` every rank takes images ``rank::world_size`` for the
proposals, embeddings and pair mining; rank 0 runs the k-NN search and merges the files
(the work directory must be shared by the ranks). Gloo on CPU and NCCL on GPUs both work
because only barriers are exchanged.
"""
import hashlib
import json
import os
import os.path as osp
import sys
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from typing import Dict, List, Optional, Sequence

import numpy as np

from .images import ImageReadError, ImageRecord, build_image_list, read_image_bgr
from .io import (DEFAULT_INFO, Correspondence, atomic_save_npy, atomic_write_json, read_json,
                 save_correspondence)
from .proposals import (ProposalSettings, compute_proposals, init_proposal_worker,
                        proposal_part_path)


class Stage2Error(RuntimeError):
    """A clean stop of stage 2 (bad input, changed settings); finished work is kept."""


@dataclass
class Stage2Config:
    """Everything a stage-2 run needs.

    Attributes:
        img_dir: Image folder.
        work_dir: Where every intermediate and output file goes.
        ann_file: Optional COCO-layout JSON listing (and ordering) the images; with
            instances it also feeds the quality report.
        config: Stage-1 config (path) for the model.
        checkpoint: Stage-1 checkpoint (mmpretrain BYOL layout).
        proposal: Selective search and filter settings.
        knn_resize, knn_crop, roi_size, batch_size, channels_last: See ``EmbedSettings``.
        knn_k: Neighbours per image (K).
        pair_ratio: Pairs per (query, neighbour) = ``max(1, int(ratio * Bq))``.
        num_workers: Processes for selective search (per rank).
        loader_workers: DataLoader workers that decode and crop images for the backbone.
        device: Torch device of the model.
        skip_bad_images: Drop unreadable images (with a message) instead of stopping.
        progress: Show progress bars.
    """
    img_dir: str
    work_dir: str
    ann_file: Optional[str] = None
    config: Optional[str] = None
    checkpoint: Optional[str] = None
    proposal: ProposalSettings = field(default_factory=ProposalSettings)
    knn_resize: int = 256
    knn_crop: int = 224
    roi_size: int = 224
    batch_size: int = 64
    channels_last: bool = False
    knn_k: int = 10
    pair_ratio: float = 0.1
    num_workers: int = 1
    loader_workers: int = 0
    device: str = 'cpu'
    skip_bad_images: bool = False
    progress: bool = True

    def embed_settings(self):
        from .embed import EmbedSettings
        return EmbedSettings(self.knn_resize, self.knn_crop, self.roi_size, self.batch_size,
                             self.channels_last)


# ----------------------------------------------------------------------------- helpers


def _dist_info():
    try:
        import torch.distributed as dist
        if dist.is_available() and dist.is_initialized():
            return dist.get_rank(), dist.get_world_size()
    except ImportError:
        pass
    return 0, 1


def _barrier() -> None:
    rank, world = _dist_info()
    if world > 1:
        import torch.distributed as dist
        dist.barrier()


class _Progress:
    """mmengine's ProgressBar (rate and ETA) on rank 0, silent elsewhere."""

    def __init__(self, total: int, title: str, enabled: bool) -> None:
        self.bar = None
        if enabled and total > 0 and _dist_info()[0] == 0:
            from mmengine.utils import ProgressBar
            print(f'{title}: {total} to do', file=sys.stdout, flush=True)
            self.bar = ProgressBar(total)

    def __call__(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.file.write('\n')
            self.bar.file.flush()


def _check_settings(folder: str, settings: dict, step: str) -> None:
    """Record a step's settings; stop if a resumed run asks for different ones."""
    path = osp.join(folder, 'settings.json')
    old = read_json(path)
    if old is not None and old != settings:
        changed = sorted(k for k in set(old) | set(settings) if old.get(k) != settings.get(k))
        raise Stage2Error(
            f'{step}: {folder} was produced with other settings ({", ".join(changed)}: '
            f'{[old.get(k) for k in changed]} -> {[settings.get(k) for k in changed]}); '
            'use a new --work-dir or delete that folder')
    if old is None and _dist_info()[0] == 0:
        atomic_write_json(settings, path, indent=1, sort_keys=True)


def _image_list_digest(records: Sequence[ImageRecord]) -> str:
    h = hashlib.sha1()
    for r in records:
        h.update(f'{r.file_name}\0{r.image_id}\n'.encode())
    return h.hexdigest()


def _dump(obj, path: str) -> None:
    """Deterministic compact JSON (byte-identical across runs); an identical file is kept."""
    if osp.isfile(path):
        with open(path) as f:
            if f.read() == json.dumps(obj, separators=(',', ':')):
                return
    atomic_write_json(obj, path, separators=(',', ':'))


def _part(folder: str, index: int, ext: str = '.json') -> str:
    return proposal_part_path(folder, index)[:-5] + ext


# ----------------------------------------------------------------------------- step 0


def load_images(cfg: Stage2Config) -> List[ImageRecord]:
    """List the images and record them in ``images.json`` (a resumed run must match)."""
    try:
        records = build_image_list(cfg.img_dir, cfg.ann_file)
    except (FileNotFoundError, ValueError) as err:
        raise Stage2Error(str(err)) from err
    path = osp.join(cfg.work_dir, 'images.json')
    data = dict(file_name=[r.file_name for r in records], id=[r.image_id for r in records])
    old = read_json(path)
    if old is not None and old != data:
        raise Stage2Error(f'{path} lists other images than {cfg.img_dir}'
                          f'{" / " + cfg.ann_file if cfg.ann_file else ""}; '
                          'use a new --work-dir')
    if old is None and _dist_info()[0] == 0:
        _dump(data, path)
    return records


# ----------------------------------------------------------------------------- step 1


def _proposal_task(args):
    """Worker: selective search + filter of one image, written to its part file."""
    index, file_name, path, settings, part = args
    t0 = time.perf_counter()
    try:
        result = compute_proposals(path, settings)
        result = dict(file_name=file_name, **result)
    except ImageReadError as err:
        result = dict(file_name=file_name, error=str(err))
    except cv2_error() as err:
        result = dict(file_name=file_name, error=f'{path}: selective search failed ({err})')
    _dump(result, part)
    return index, result.get('error'), result.get('warning'), time.perf_counter() - t0


def cv2_error():
    import cv2
    return cv2.error


def run_proposals(cfg: Stage2Config, records: Sequence[ImageRecord]) -> Dict:
    """Step 1: selective search + filter on this rank's images, streamed to part files.

    A process pool of ``cfg.num_workers`` processes (one OpenCV thread each) takes the
    images not done yet; every result is written to its own file as soon as it is ready,
    so memory does not grow with the number of images and a killed run resumes.
    Rank 0 then merges ``proposals.json``.

    Returns:
        ``dict(done=int, computed=int, seconds=float)`` for this rank.
    """
    rank, world = _dist_info()
    folder = osp.join(cfg.work_dir, 'proposals')
    parts = osp.join(folder, 'parts')
    _check_settings(folder, dict(cfg.proposal.to_dict(), images=_image_list_digest(records)),
                    'proposals')
    _barrier()
    mine = records[rank::world]
    todo = [(r.index, r.file_name, r.path, cfg.proposal, proposal_part_path(parts, r.index))
            for r in mine if not _valid_part(proposal_part_path(parts, r.index), r.file_name)]
    t0 = time.perf_counter()
    bar = _Progress(len(todo), f'[rank {rank}] selective search', cfg.progress)
    if todo:
        if cfg.num_workers <= 1:
            init_proposal_worker(1)
            results = map(_proposal_task, todo)
            _consume(results, bar)
        else:
            ctx = get_context('fork' if sys.platform.startswith('linux') else 'spawn')
            with ctx.Pool(cfg.num_workers, initializer=init_proposal_worker,
                          initargs=(1, ), maxtasksperchild=200) as pool:
                _consume(pool.imap_unordered(_proposal_task, todo, chunksize=1), bar)
    bar.close()
    seconds = time.perf_counter() - t0
    _barrier()
    if rank == 0:
        merge_proposals(cfg, records)
    _barrier()
    return dict(done=len(mine), computed=len(todo), seconds=seconds)


def _valid_part(path: str, file_name: str) -> bool:
    data = read_json(path)
    return isinstance(data, dict) and data.get('file_name') == file_name


def _consume(results, bar) -> None:
    for _, error, warning, _ in results:
        if error:
            print(f'\nbad image: {error}', file=sys.stderr, flush=True)
        if warning:
            print(f'\nwarning: {warning}', file=sys.stderr, flush=True)
        bar()


def merge_proposals(cfg: Stage2Config, records: Sequence[ImageRecord]) -> dict:
    """Merge the part files into ``proposals.json``; stop (or skip) on bad images."""
    parts = osp.join(cfg.work_dir, 'proposals', 'parts')
    good, bad = [], []
    boxes, sizes, num_raw = [], [], []
    for r in records:
        data = read_json(proposal_part_path(parts, r.index))
        if not isinstance(data, dict) or data.get('file_name') != r.file_name:
            raise Stage2Error(f'proposals of {r.file_name} (image {r.index}) are missing; '
                              'run the proposals step again')
        if 'error' in data:
            bad.append(dict(file_name=r.file_name, index=r.index, error=data['error']))
            continue
        good.append(r)
        boxes.append(data['boxes'])
        sizes.append([data['width'], data['height']])
        num_raw.append(data['num_raw'])
    if bad and not cfg.skip_bad_images:
        listing = '\n  '.join(b['error'] for b in bad)
        raise Stage2Error(
            f'{len(bad)} image(s) cannot be read (their proposals are recorded, '
            f'nothing else is lost):\n  {listing}\nfix or remove them, or pass '
            '--skip-bad-images to leave them out of the correspondence file')
    out = dict(
        info=cfg.proposal.info(),
        images=dict(file_name=[r.file_name for r in good], id=[r.image_id for r in good],
                    index=[r.index for r in good]),
        bbox=boxes, image_size=sizes, num_raw_boxes=num_raw, skipped=bad)
    _dump(out, osp.join(cfg.work_dir, 'proposals.json'))
    return out


def load_proposals(cfg: Stage2Config) -> dict:
    path = osp.join(cfg.work_dir, 'proposals.json')
    data = read_json(path)
    if data is None:
        raise Stage2Error(f'{path} not found: run the proposals step first')
    return data


# ----------------------------------------------------------------------------- step 2


def run_knn(cfg: Stage2Config, encoder=None) -> dict:
    """Step 2: image embeddings (sharded by rank) and the faiss k-NN (rank 0)."""
    from .embed import build_stage1_encoder
    from .knn import embed_images, knn_search
    rank, world = _dist_info()
    props = load_proposals(cfg)
    names = props['images']['file_name']
    folder = osp.join(cfg.work_dir, 'knn')
    _check_settings(folder, dict(checkpoint=_ckpt_id(cfg), resize=cfg.knn_resize,
                                 crop=cfg.knn_crop, k=cfg.knn_k,
                                 images=hashlib.sha1('\n'.join(names).encode()).hexdigest()),
                    'knn')
    _barrier()
    out_path = osp.join(cfg.work_dir, 'knn.json')
    t0 = time.perf_counter()
    forwards = 0
    if read_json(out_path) is None:
        shard = osp.join(folder, f'embeddings_rank{rank}of{world}.npy')
        if not osp.isfile(shard):
            encoder = encoder or build_stage1_encoder(cfg.config, cfg.checkpoint, cfg.device)
            before = encoder.forward_count
            paths = [osp.join(cfg.img_dir, n) for n in names[rank::world]]
            bar = _Progress(len(paths), f'[rank {rank}] image embeddings', cfg.progress)
            feats = embed_images(encoder, paths, cfg.embed_settings(), cfg.loader_workers,
                                 bar)
            bar.close()
            forwards = encoder.forward_count - before
            atomic_save_npy(feats, shard)
        _barrier()
        if rank == 0:
            shards = [np.load(osp.join(folder, f'embeddings_rank{r}of{world}.npy'))
                      for r in range(world)]
            feats = np.zeros((len(names), shards[0].shape[1]), np.float32)
            for r in range(world):
                feats[r::world] = shards[r]
            idx, sims = knn_search(feats, cfg.knn_k)
            _dump(dict(file_name=names, knn_image_id=idx.tolist(),
                       similarity=[[float(s) for s in row] for row in sims]), out_path)
        _barrier()
    return dict(seconds=time.perf_counter() - t0, forwards=forwards)


def _ckpt_id(cfg: Stage2Config) -> str:
    if cfg.checkpoint is None:
        return 'random-init'
    st = os.stat(cfg.checkpoint)
    return f'{osp.abspath(cfg.checkpoint)}:{st.st_size}:{int(st.st_mtime)}'


# ----------------------------------------------------------------------------- step 3


class _RoICrops:
    """Dataset: per image, its RoI crops (decode and crop in DataLoader workers)."""

    def __init__(self, items, roi_size: int) -> None:
        self.items = items  # (position, path, boxes)
        self.roi_size = roi_size

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        from .embed import bgr_to_rgb, crop_rois
        pos, path, boxes = self.items[i]
        return pos, crop_rois(bgr_to_rgb(read_image_bgr(path)), boxes, self.roi_size)


def roi_feat_path(cfg: Stage2Config, position: int) -> str:
    return _part(osp.join(cfg.work_dir, 'roi_feats'), position, '.npy')


def run_roi_embeddings(cfg: Stage2Config, encoder=None) -> dict:
    """Step 3: RoI embeddings of every image, once, cached as one ``.npy`` per image.

    Crops are batched per image in chunks of ``batch_size`` (the chunking depends only on
    the image, so the numbers are the same as embedding it again on demand).
    """
    import torch
    from torch.utils.data import DataLoader

    from .embed import build_stage1_encoder
    rank, world = _dist_info()
    props = load_proposals(cfg)
    names, boxes = props['images']['file_name'], props['bbox']
    folder = osp.join(cfg.work_dir, 'roi_feats')
    _check_settings(folder, dict(checkpoint=_ckpt_id(cfg), roi_size=cfg.roi_size,
                                 batch_size=cfg.batch_size,
                                 proposals=_file_digest(osp.join(cfg.work_dir,
                                                                 'proposals.json'))),
                    'roi_feats')
    _barrier()
    todo = [(p, osp.join(cfg.img_dir, names[p]), boxes[p])
            for p in range(rank, len(names), world) if not _valid_npy(roi_feat_path(cfg, p))]
    t0 = time.perf_counter()
    forwards = 0
    if todo:
        encoder = encoder or build_stage1_encoder(cfg.config, cfg.checkpoint, cfg.device)
        before = encoder.forward_count
        loader = DataLoader(_RoICrops(todo, cfg.roi_size), batch_size=None,
                            num_workers=cfg.loader_workers, shuffle=False)
        bar = _Progress(len(todo), f'[rank {rank}] RoI embeddings', cfg.progress)
        bs = cfg.batch_size
        for pos, crops in loader:
            feats = [encoder.embed_rois(crops[s:s + bs].to(cfg.device), cfg.channels_last)
                     for s in range(0, len(crops), bs)]
            atomic_save_npy(torch.cat(feats).cpu().numpy().astype(np.float32),
                            roi_feat_path(cfg, pos))
            bar()
        bar.close()
        forwards = encoder.forward_count - before
    _barrier()
    return dict(seconds=time.perf_counter() - t0, forwards=forwards, computed=len(todo))


def _valid_npy(path: str) -> bool:
    if not osp.isfile(path):
        return False
    try:
        np.load(path, mmap_mode='r')
        return True
    except (ValueError, OSError):
        return False


def _file_digest(path: str) -> str:
    h = hashlib.sha1()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------- step 4


def run_pairs(cfg: Stage2Config) -> dict:
    """Step 4: pairs of every query (sharded by rank) from the cached RoI embeddings,
    then rank 0 writes ``correspondence.json`` and ``pair_scores.json``."""
    from .pairs import mine_image_pairs
    rank, world = _dist_info()
    props = load_proposals(cfg)
    knn = read_json(osp.join(cfg.work_dir, 'knn.json'))
    if knn is None:
        raise Stage2Error(f'{cfg.work_dir}/knn.json not found: run the knn step first')
    names, boxes = props['images']['file_name'], props['bbox']
    folder = osp.join(cfg.work_dir, 'pairs')
    _check_settings(folder, dict(ratio=cfg.pair_ratio,
                                 knn=_file_digest(osp.join(cfg.work_dir, 'knn.json')),
                                 roi=read_json(osp.join(cfg.work_dir, 'roi_feats',
                                                        'settings.json'))), 'pairs')
    _barrier()
    parts = osp.join(folder, 'parts')
    box_arrays = [np.asarray(b, dtype=np.int64).reshape(-1, 4) for b in boxes]

    @lru_cache(maxsize=64)
    def feats(p: int) -> np.ndarray:
        path = roi_feat_path(cfg, p)
        if not osp.isfile(path):
            raise Stage2Error(f'{path} missing: run the roi step first')
        return np.load(path)

    todo = [p for p in range(rank, len(names), world)
            if not _valid_part(_part(parts, p), names[p])]
    t0 = time.perf_counter()
    bar = _Progress(len(todo), f'[rank {rank}] pair mining', cfg.progress)
    for p in todo:
        pairs, scores = mine_image_pairs(p, knn['knn_image_id'][p], box_arrays, feats,
                                         cfg.pair_ratio)
        _dump(dict(file_name=names[p], pairs=pairs, scores=scores), _part(parts, p))
        bar()
    bar.close()
    seconds = time.perf_counter() - t0
    _barrier()
    if rank == 0:
        merge_pairs(cfg, props, knn)
    _barrier()
    return dict(seconds=seconds, computed=len(todo))


def merge_pairs(cfg: Stage2Config, props: dict, knn: dict) -> Correspondence:
    """Write the correspondence file (reference layout) and the pair scores."""
    names = props['images']['file_name']
    parts = osp.join(cfg.work_dir, 'pairs', 'parts')
    all_pairs, all_scores = [], []
    for p, name in enumerate(names):
        data = read_json(_part(parts, p))
        if not isinstance(data, dict) or data.get('file_name') != name:
            raise Stage2Error(f'pairs of {name} (image {p}) are missing; run the pairs step')
        all_pairs.append(data['pairs'])
        all_scores.append(data['scores'])
    info = dict(DEFAULT_INFO)
    info.update(cfg.proposal.info())
    info.update(knn_image_num=cfg.knn_k, knn_bbox_pair_ratio=cfg.pair_ratio)
    corr = Correspondence(
        file_names=list(names), image_ids=list(props['images']['id']), boxes=props['bbox'],
        knn_image_ids=knn['knn_image_id'], knn_box_pairs=all_pairs, info=info)
    corr.validate(image_sizes=[tuple(s) for s in props['image_size']],
                  source='correspondence.json')
    save_correspondence(corr, osp.join(cfg.work_dir, 'correspondence.json'))
    _dump(dict(file_name=list(names), scores=all_scores),
          osp.join(cfg.work_dir, 'pair_scores.json'))
    return corr


# ----------------------------------------------------------------------------- all


STEPS = ('proposals', 'knn', 'roi', 'pairs', 'quality')


def run_stage2(cfg: Stage2Config, steps: Sequence[str] = STEPS, encoder=None) -> dict:
    """Run the given steps in order; returns wall seconds and counters per step."""
    os.makedirs(cfg.work_dir, exist_ok=True)
    report = {}
    t = time.perf_counter()
    records = load_images(cfg)
    report['list'] = dict(images=len(records), seconds=time.perf_counter() - t)
    if 'proposals' in steps:
        report['proposals'] = run_proposals(cfg, records)
    need_model = any(s in steps for s in ('knn', 'roi'))
    if need_model and encoder is None:
        from .embed import build_stage1_encoder
        encoder = build_stage1_encoder(cfg.config, cfg.checkpoint, cfg.device)
    if 'knn' in steps:
        report['knn'] = run_knn(cfg, encoder)
    if 'roi' in steps:
        report['roi'] = run_roi_embeddings(cfg, encoder)
    if 'pairs' in steps:
        report['pairs'] = run_pairs(cfg)
    if 'quality' in steps and _dist_info()[0] == 0 and cfg.ann_file:
        from .quality import has_instances, quality_report
        if has_instances(cfg.ann_file):
            t = time.perf_counter()
            rep = quality_report(osp.join(cfg.work_dir, 'correspondence.json'), cfg.ann_file)
            atomic_write_json(rep, osp.join(cfg.work_dir, 'quality.json'), indent=1)
            report['quality'] = dict(rep, seconds=time.perf_counter() - t)
    return report


def config_from_dict(d: dict) -> Stage2Config:
    d = dict(d)
    d['proposal'] = ProposalSettings(**d.get('proposal', {}))
    return Stage2Config(**d)


def config_to_dict(cfg: Stage2Config) -> dict:
    return asdict(cfg)


__all__ = [
    'Stage2Config', 'Stage2Error', 'run_stage2', 'run_proposals', 'run_knn',
    'run_roi_embeddings', 'run_pairs', 'merge_proposals', 'merge_pairs', 'load_images',
    'STEPS'
]
