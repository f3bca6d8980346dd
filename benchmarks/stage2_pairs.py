"""RoI pair mining of ORL stage 2: cached RoI embeddings vs the reference way.

    python benchmarks/stage2_pairs.py CONFIG CKPT --work-dir WORK_DIR [--images 16]

Takes the first ``--images`` images of a finished stage-2 work dir as a data set of its
own (their proposals; their K-NN recomputed among them from the work dir's image
embeddings), then mines all pairs twice on the same crops: embedding each image's RoIs
once (the cache) and, the reference way, the query's RoIs plus every neighbour's RoIs again
for every query. Prints backbone forwards (crops), wall times, their ratios, and whether
the pairs are identical; then the exact forward counts of both ways on the whole work dir
(all images, its real k-NN), from the proposals.
"""
import argparse
import json
import os.path as osp
import sys
import time

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from orl_mm.correspondence.embed import (EmbedSettings, bgr_to_rgb,  # noqa: E402
                                         build_stage1_encoder, embed_image_rois)
from orl_mm.correspondence.images import read_image_bgr  # noqa: E402
from orl_mm.correspondence.retrieval import search_neighbours  # noqa: E402
from orl_mm.testing.pair_mining import mine_pairs, mine_pairs_naive  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--work-dir', required=True, help='a finished stage-2 work dir')
    p.add_argument('--img-dir', required=True)
    p.add_argument('--images', type=int, default=24)
    p.add_argument('--num-neighbours', '--knn', type=int, default=10)
    p.add_argument('--roi-size', type=int, default=64,
                   help='crop size (the forward counts do not depend on it)')
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--ratio', type=float, default=0.1)
    args = p.parse_args()
    props = json.load(open(osp.join(args.work_dir, 'proposals.json')))
    knn_data = json.load(open(osp.join(args.work_dir, 'knn.json')))
    position = {i: p for p, i in enumerate(knn_data['images'])}
    knn_all = [[position[j] for j in row] for row in knn_data['neighbours']]
    n = args.images
    all_names = json.load(open(osp.join(args.work_dir, 'images.json')))['file_name']
    names = [all_names[i] for i in props['images'][:n]]
    boxes = [np.asarray(b) for b in props['boxes'][:n]]
    feats = np.load(osp.join(args.work_dir, 'knn', 'embeddings_rank0of1.npy'))[:n]
    knn = search_neighbours(feats, args.num_neighbours)[0].tolist()
    encoder = build_stage1_encoder(args.config, args.checkpoint)
    settings = EmbedSettings(roi_size=args.roi_size, batch_size=args.batch_size)
    rgbs = [bgr_to_rgb(read_image_bgr(osp.join(args.img_dir, f))) for f in names]

    def embed(i):
        return embed_image_rois(encoder, rgbs[i], boxes[i].tolist(), settings)

    torch.set_grad_enabled(False)
    embed(0)  # warm-up (allocator, kernel selection) outside both timings
    encoder.forward_count = 0
    t = time.perf_counter()
    cache = {i: embed(i) for i in range(n)}
    cached = mine_pairs(knn, boxes, cache.__getitem__, args.ratio)
    t_cached, f_cached = time.perf_counter() - t, encoder.forward_count
    encoder.forward_count = 0
    t = time.perf_counter()
    naive = mine_pairs_naive(knn, boxes, embed, args.ratio)
    t_naive, f_naive = time.perf_counter() - t, encoder.forward_count
    k = np.mean([len(x) for x in knn])
    print(f'{n} images, {sum(len(b) for b in boxes)} boxes, mean K {k:.2f}, '
          f'RoI size {args.roi_size}')
    print(f'cached: {f_cached} backbone forwards (crops), {t_cached:.1f} s')
    print(f'naive (reference): {f_naive} forwards, {t_naive:.1f} s')
    print(f'forwards ratio naive/cached: {f_naive / f_cached:.2f}x, '
          f'time ratio {t_naive / t_cached:.2f}x; pairs identical: {cached == naive}')
    sizes = [len(b) for b in props['boxes']]
    full_cached = sum(sizes)
    full_naive = sum(sizes[i] + sum(sizes[j] for j in knn_all[i]) for i in range(len(sizes)))
    print(f'whole work dir ({len(sizes)} images, K {len(knn_all[0])}): cached {full_cached} '
          f'forwards, naive {full_naive}, ratio {full_naive / full_cached:.2f}x')


if __name__ == '__main__':
    main()
