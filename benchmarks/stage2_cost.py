"""Stage-2 cost on real photos: P4, float16 RoI cache, and a COCO / COCO+ projection.

    python benchmarks/stage2_cost.py --images 8 \
        --config configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py

Runs the whole of stage 2 (one selective-search process, CPU model unless ``--device``)
on the first ``--images`` coco128 photos, then measures on the same images:

* ``ss``: selective search + filter alone (one core);
* ``backbone``: the bare backbone forwards on the same RoI crops and the k-NN images
  (crops prepared beforehand, batches of ``--batch-size``);

and prints ``P4 = stage-2 wall time / (ss + backbone)``: what the tool adds on top of the
two unavoidable computations (decoding, cropping, k-NN, pair mining, file writes).

float16 cache: each image's float32 RoI embeddings are rounded to float16 (what
``--roi-dtype float16`` stores) and the pairs are mined again; prints the fraction of
identical (query, neighbour) pair lists, of identical top pairs, and the disk per image.

Projection: ``images x (ss per image / cores) + images x (crops per image / GPU crops
per second) + images x (the rest per image / cores)`` for COCO train2017 (118,287 images)
and COCO+ (+ 123,403 unlabeled2017), with ``--gpu-crops-per-s`` (an assumption unless
measured on the GPU: the throughput of the backbone on 224x224 crops).

Imported proposals (``--proposals-from``, ORL's released file): the raw boxes of the same
images are written in the reference layout and imported (one process); the main process's
serial part (cutting the file into images, ``--stream-copies`` copies of it, and writing
the part files) and the pool's part (parsing, decoding, checking, filtering) are projected
separately: ``images x (pool part per image / cores) + images x serial part per image``,
in place of selective search.

CPU farm projection (``--farm-nodes N --farm-cores C``): the proposals step as a slurm job
array of N tasks (``--steps proposals --shard I/N``) of C cores each, then the other steps
on one GPU node of ``--node-gpus`` GPUs and ``--cores`` cores: ``images x ss / (N x C)``,
then the merge of the proposal files (serial, timed here), then ``images x crops /
(GPUs x GPU crops per second)`` and ``images x the rest / cores``. Measured here: selective
search per image on one core, crops per image, the merge and the rest per image (all on
this machine, with its load); assumed: the GPU throughput, the node sizes, scaling linear
in cores and nodes, and a shared filesystem that keeps up.
"""
import argparse
import dataclasses
import json
import os
import os.path as osp
import sys
import tempfile
import time

import numpy as np
import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
DATA = os.environ.get('ORL_MM_SHARED_DATA', osp.join(REPO, '..', 'shared', 'data'))

from orl_mm.correspondence import ProposalSettings, Stage2Config, run_stage2  # noqa: E402
from orl_mm.correspondence.embed import (bgr_to_rgb, build_stage1_encoder, crop_rois,  # noqa: E402
                                         retrieval_transform)
from orl_mm.correspondence.images import read_image_bgr  # noqa: E402
from orl_mm.correspondence.pairs import mine_image_pairs  # noqa: E402
from orl_mm.correspondence.proposal_import import _Stream  # noqa: E402
from orl_mm.correspondence.proposals import filter_proposals  # noqa: E402
from orl_mm.correspondence.proposals import init_proposal_worker, search_boxes  # noqa: E402
from orl_mm.correspondence.workdir import WorkDir  # noqa: E402
from orl_mm.utils.io import read_json  # noqa: E402

COCO_TRAIN, COCO_UNLABELED = 118_287, 123_403


def farm_projection(args, cfg, per_img_ss: float, crops_per_img: float, rest: float) -> None:
    """Print the projection with the proposals on a CPU farm (see the module docstring)."""
    from orl_mm.correspondence.runner import load_images
    from orl_mm.correspondence.step import Context
    from orl_mm.correspondence.steps.proposals import ProposalsStep
    work = WorkDir(cfg.work_dir)
    ctx = Context(cfg, work, load_images(cfg, work), rank=0, world=1)
    t = time.perf_counter()
    ProposalsStep.merge(ctx)  # what the first later step does after the array
    merge = (time.perf_counter() - t) / len(ctx.images)
    nodes, cores, gpus = args.farm_nodes, args.farm_cores, args.node_gpus
    print(f'CPU farm projection: proposals on {nodes} CPU nodes x {cores} cores (job array), '
          f'the rest on 1 node of {gpus} GPUs at an assumed {args.gpu_crops_per_s:.0f} '
          f'crops/s each + {args.cores} cores. Measured here: selective search '
          f'{per_img_ss:.2f} s/image/core, {crops_per_img:.0f} crops/image, proposal merge '
          f'{merge * 1e3:.2f} ms/image, other CPU work {rest:.2f} s/image:')
    for label, count in (('COCO train2017', COCO_TRAIN),
                         ('COCO+', COCO_TRAIN + COCO_UNLABELED)):
        ss = count * per_img_ss / (nodes * cores)
        serial = count * merge
        gpu = count * crops_per_img / (gpus * args.gpu_crops_per_s)
        other = count * max(rest - merge, 0.0) / args.cores
        alone = count * per_img_ss / args.cores  # selective search on the GPU node only
        print(f'  {label}: selective search {ss / 3600:.2f} h ({nodes * ss / 3600:.0f} CPU '
              f'node-hours) + merge {serial / 60:.1f} min + GPU {gpu / 3600:.2f} h + other '
              f'CPU {other / 3600:.2f} h = {(ss + serial + gpu + other) / 3600:.1f} h '
              f'(the GPU node alone: {(alone + serial + gpu + other) / 3600:.1f} h)')


def _parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=osp.join(
        REPO, 'configs', 'orl', 'byol_resnet50_8xb64-coslr-800e_coco.py'))
    p.add_argument('--checkpoint', default=None, help='default: random init')
    p.add_argument('--data', default=osp.join(DATA, 'coco128'))
    p.add_argument('--images', type=int, default=8)
    p.add_argument('--num-neighbours', '--knn', type=int, default=5)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--device', default='cpu')
    p.add_argument('--cores', type=int, default=16)
    p.add_argument('--farm-nodes', type=int, default=16, help='CPU nodes (array tasks)')
    p.add_argument('--farm-cores', type=int, default=32, help='cores per CPU node')
    p.add_argument('--node-gpus', type=int, default=8, help='GPUs of the GPU node')
    p.add_argument('--gpu-crops-per-s', type=float, default=2000.0,
                   help='ResNet-50 224x224 inference throughput assumed for the projection')
    p.add_argument('--ss-per-image', type=float, default=None,
                   help='selective-search seconds per image for the projection (default: '
                   'the one measured here; give a quiet-machine figure when this one is '
                   'loaded)')
    p.add_argument('--stream-copies', type=int, default=200,
                   help='images of the (repeated) reference-layout file cut by the stream')
    p.add_argument('--work-dir', default=None)
    return p.parse_args()


def _compare_pairs(knn: dict, box_of: dict, feats_a: dict, feats_b: dict) -> dict:
    """Pairs mined from two sets of RoI embeddings: identical lists and top pairs per
    (query, neighbour), and pairs shared."""
    out = dict(same_lists=0, same_top=0, total=0, pairs_same=0, pairs_total=0)
    for i, nbrs in zip(knn['images'], knn['neighbours']):
        a, _ = mine_image_pairs(i, nbrs, box_of, feats_a.__getitem__)
        b, _ = mine_image_pairs(i, nbrs, box_of, feats_b.__getitem__)
        for x, y in zip(a, b):
            out['total'] += 1
            out['same_lists'] += x == y
            out['same_top'] += x[0] == y[0]
            out['pairs_total'] += len(x)
            out['pairs_same'] += len({tuple(v) for v in x} & {tuple(v) for v in y})
    return out


def _link_images(args) -> tuple:
    """The first ``--images`` photos, linked into a work folder: (names, folder, work)."""
    img_dir = osp.abspath(osp.join(args.data, 'train2017'))  # the links must resolve
    names = sorted(os.listdir(img_dir))[:args.images]
    work = args.work_dir or tempfile.mkdtemp(prefix='stage2_cost_')
    folder = osp.join(work, 'images')
    os.makedirs(folder, exist_ok=True)
    for n in names:
        if not osp.exists(osp.join(folder, n)):
            os.symlink(osp.join(img_dir, n), osp.join(folder, n))
    return names, folder, work


def _time_selective_search(names: list, folder: str) -> tuple:
    """Selective search + filter alone: (raw boxes, filtered boxes, seconds)."""
    settings = ProposalSettings()
    t = time.perf_counter()
    raws, boxes = [], []
    for n in names:  # what compute_proposals does, keeping the raw boxes
        raw = search_boxes(read_image_bgr(osp.join(folder, n)), settings)[0]
        raws.append(raw.tolist())
        boxes.append(filter_proposals(raw, settings.min_size, settings.max_aspect_ratio,
                                      settings.max_iou, settings.top_n).tolist())
    return raws, boxes, time.perf_counter() - t


def _time_import(args, cfg, work: str, raws: list, n_images: int) -> tuple:
    """The same raw boxes imported from a file in ORL's layout (one process), and the
    stream over ``--stream-copies`` images: (pool part, serial part) seconds per image."""
    src = osp.join(work, 'train2017_selective_search_proposal.json')
    with open(src, 'w') as f:
        json.dump(dict(bbox=raws), f)
    imp = run_stage2(dataclasses.replace(cfg, work_dir=osp.join(work, 'imported'),
                                         proposals_from=[src], proposal_workers=1),
                     steps=['proposals'])['proposals']
    big = osp.join(work, 'stream.json')
    with open(big, 'w') as f:
        f.write('{"bbox": [' + ', '.join(json.dumps(raws[i % len(raws)])
                                         for i in range(args.stream_copies)) + ']}')
    t = time.perf_counter()
    chars = sum(len(text) for text in _Stream(big).images())
    t_stream = time.perf_counter() - t
    stream_per_img = t_stream / args.stream_copies
    serial_imp = stream_per_img + imp['write_seconds'] / n_images
    pool_imp = max(imp['seconds'] - imp['write_seconds'], 0.0) / n_images - stream_per_img
    print(f'import of {n_images} images (one process): {imp["seconds"]:.2f} s (writes '
          f'{imp["write_seconds"]:.3f} s); stream {chars / t_stream / 1e6:.0f} M chars/s '
          f'({chars / args.stream_copies / 1e3:.0f} K chars per image); measured per image: '
          f'pool part {pool_imp * 1e3:.1f} ms, serial part {serial_imp * 1e3:.1f} ms '
          '(assumed: the pool part divides by the cores; not measured: passing the text to '
          'the pool)')
    return pool_imp, serial_imp


def _time_backbone(args, encoder, names: list, folder: str, boxes: list) -> tuple:
    """The bare backbone on the same crops and k-NN inputs (prepared beforehand):
    (seconds, decode+crop seconds, number of crops, exact embeddings per position)."""
    rgbs = [bgr_to_rgb(read_image_bgr(osp.join(folder, n))) for n in names]
    t = time.perf_counter()
    crops = [crop_rois(rgb, b) for rgb, b in zip(rgbs, boxes)]
    knn_in = torch.stack([retrieval_transform(rgb) for rgb in rgbs])
    t_crop = time.perf_counter() - t
    allc = torch.cat(crops)
    backbone = encoder.backbone
    with torch.inference_mode():
        backbone(allc[:2].to(args.device))  # warm-up
        t = time.perf_counter()
        pooled = []
        for s in range(0, len(allc), args.batch_size):
            res5 = backbone(allc[s:s + args.batch_size].to(args.device))[-1]
            pooled.append(res5.float().mean(dim=(2, 3)))
        for s in range(0, len(knn_in), args.batch_size):
            backbone(knn_in[s:s + args.batch_size].to(args.device))
        t_bb = time.perf_counter() - t
    pooled = torch.nn.functional.normalize(torch.cat(pooled), dim=1).cpu().numpy()
    ends = np.cumsum([len(c) for c in crops])
    exact = {p: pooled[e - len(c):e] for p, (c, e) in enumerate(zip(crops, ends))}
    return t_bb, t_crop, len(allc), exact


def _float16_cache(wd: WorkDir, props: dict, knn: dict, box_of: dict) -> tuple:
    """Pairs from float16-rounded embeddings vs float32: prints the agreement and returns
    the mean disk per image (float32, float16) in bytes."""
    f32 = {i: np.load(wd.image_file('roi', i)) for i in props['images']}
    f16 = {i: f.astype(np.float16).astype(np.float32) for i, f in f32.items()}
    c = _compare_pairs(knn, box_of, f32, f16)
    disk32 = np.mean([os.path.getsize(wd.image_file('roi', i)) for i in props['images']])
    dim = next(iter(f32.values())).shape[1]
    disk16 = np.mean([128 + 2 * dim * len(f) for f in f32.values()])
    print(f'float16 cache: identical pair lists {c["same_lists"]}/{c["total"]}, identical '
          f'top pair {c["same_top"]}/{c["total"]}, pairs kept '
          f'{c["pairs_same"]}/{c["pairs_total"]}; disk per image '
          f'{disk32 / 1e3:.0f} KB (float32) vs {disk16 / 1e3:.0f} KB (float16)')
    return disk32, disk16


def _approximate_mode(args, encoder, folder: str, names: list, props: dict, knn: dict,
                      box_of: dict, exact: dict, t_bb: float) -> None:
    """One forward per image + RoIAlign on res5 (``--roi-mode align``) vs the exact crops."""
    from orl_mm.correspondence.steps.roi import RoICrops
    items = [(i, osp.join(folder, names[p]), props['boxes'][p])
             for p, i in enumerate(props['images'])]
    data = RoICrops(items, 224, 'align')
    inputs = [data[k] for k in range(len(items))]
    t = time.perf_counter()
    approx = {i: encoder.embed_rois_aligned(img.to(args.device), b).cpu().numpy()
              for i, (img, b) in inputs}
    t_align = time.perf_counter() - t
    # exact embeddings from the timed forwards (same model, same boxes)
    exact = {i: exact[p] for p, i in enumerate(props['images'])}
    c = _compare_pairs(knn, box_of, exact, approx)
    print(f'approximate mode (--roi-mode align): RoI embeddings {t_align:.1f} s vs bare '
          f'backbone on the crops {t_bb:.1f} s ({t_bb / t_align:.1f}x faster); identical '
          f'top pair {c["same_top"]}/{c["total"]}, pairs shared with exact mining '
          f'{c["pairs_same"]}/{c["pairs_total"]}')


def _project(args, per_img_ss: float, crops_per_img: float, rest: float, disk: tuple,
             imports: tuple) -> None:
    """COCO and COCO+ on ``--cores`` cores + 1 GPU, with selective search or the import."""
    disk32, disk16 = disk
    pool_imp, serial_imp = imports
    print(f'projection on {args.cores} cores + 1 GPU at an assumed '
          f'{args.gpu_crops_per_s:.0f} crops/s (selective search {per_img_ss:.1f} s/image '
          f'on one core, {crops_per_img:.0f} crops/image, other CPU work '
          f'{rest:.1f} s/image):')
    for label, count in (('COCO train2017', COCO_TRAIN),
                         ('COCO+', COCO_TRAIN + COCO_UNLABELED)):
        ss = count * per_img_ss / args.cores
        gpu = count * crops_per_img / args.gpu_crops_per_s
        other = count * rest / args.cores
        imported = count * (max(pool_imp, 0.0) / args.cores + serial_imp)
        print(f'  {label} ({count} images): selective search {ss / 3600:.1f} h + GPU '
              f'{gpu / 3600:.1f} h + other CPU {other / 3600:.1f} h = '
              f'{(ss + gpu + other) / 3600:.1f} h; RoI cache {count * disk32 / 1e9:.0f} GB '
              f'(float32) / {count * disk16 / 1e9:.0f} GB (float16)')
        print(f'    with --proposals-from (ORL\'s file): import {imported / 60:.1f} min '
              f'({count * serial_imp / 60:.1f} min of it serial) instead of selective '
              f'search: {(imported + gpu + other) / 3600:.1f} h')


def main():
    args = _parse_args()
    torch.set_num_threads(1)
    init_proposal_worker(1)
    names, folder, work = _link_images(args)
    torch.manual_seed(0)  # the same random init in every run when no checkpoint is given
    encoder = build_stage1_encoder(args.config, args.checkpoint, args.device)
    cfg = Stage2Config(img_dir=folder, work_dir=osp.join(work, 'run'), config=args.config,
                       checkpoint=args.checkpoint, num_neighbours=args.num_neighbours,
                       batch_size=args.batch_size, device=args.device, progress=False)
    t = time.perf_counter()
    run_stage2(cfg, encoder=encoder)
    wall = time.perf_counter() - t

    raws, boxes, t_ss = _time_selective_search(names, folder)
    imports = _time_import(args, cfg, work, raws, len(names))
    t_bb, t_crop, n_crops, exact = _time_backbone(args, encoder, names, folder, boxes)
    n = len(names)
    print(f'{n} coco128 photos, {n_crops} RoI crops + {n} k-NN images, '
          f'{osp.basename(args.config)}, device {args.device}, 1 core')
    print(f'stage-2 wall {wall:.1f} s; selective search {t_ss:.1f} s; bare backbone '
          f'{t_bb:.1f} s; decode+crop {t_crop:.1f} s')
    print(f'P4 = {wall:.1f} / ({t_ss:.1f} + {t_bb:.1f}) = {wall / (t_ss + t_bb):.2f}')

    wd = WorkDir(cfg.work_dir)
    props = read_json(wd.output('proposals'))
    knn = read_json(wd.output('knn'))
    box_of = {i: np.asarray(b).reshape(-1, 4) for i, b in zip(props['images'], props['boxes'])}
    disk = _float16_cache(wd, props, knn, box_of)
    _approximate_mode(args, encoder, folder, names, props, knn, box_of, exact, t_bb)

    per_img_ss = args.ss_per_image or t_ss / n
    crops_per_img = (n_crops + n) / n
    rest = max(wall - t_ss - t_bb, 0.0) / n  # decode, crop, k-NN, mining, writes (CPU)
    farm_projection(args, cfg, per_img_ss, crops_per_img, rest)
    _project(args, per_img_ss, crops_per_img, rest, disk, imports)


if __name__ == '__main__':
    main()
