"""RoI pair mining of ORL stage 2: cached RoI embeddings vs the reference way.

    python benchmarks/stage2_pairs.py CONFIG CKPT --work-dir WORK_DIR [--images 16]

Takes the first ``--images`` images of a finished stage-2 work dir (their proposals and
k-NN restricted to those images: neighbours outside the subset are dropped), embeds the
RoIs once per image (the cache) and, the reference way, once per query plus once per
neighbour per query, on the same crops. Prints backbone forwards (crops), wall times,
their ratios, and whether the pairs are identical.
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
from orl_mm.correspondence.pairs import mine_pairs, mine_pairs_naive  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--work-dir', required=True, help='a finished stage-2 work dir')
    p.add_argument('--img-dir', required=True)
    p.add_argument('--images', type=int, default=16)
    p.add_argument('--roi-size', type=int, default=224)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--ratio', type=float, default=0.1)
    args = p.parse_args()
    props = json.load(open(osp.join(args.work_dir, 'proposals.json')))
    knn_all = json.load(open(osp.join(args.work_dir, 'knn.json')))['knn_image_id']
    n = args.images
    names = props['images']['file_name'][:n]
    boxes = [np.asarray(b) for b in props['bbox'][:n]]
    # neighbours within the subset (all images of the subset get their own k-NN order)
    knn = [[j for j in knn_all[i] if j < n] or [(i + 1) % n] for i in range(n)]
    encoder = build_stage1_encoder(args.config, args.checkpoint)
    settings = EmbedSettings(roi_size=args.roi_size, batch_size=args.batch_size)
    rgbs = [bgr_to_rgb(read_image_bgr(osp.join(args.img_dir, f))) for f in names]

    def embed(i):
        return embed_image_rois(encoder, rgbs[i], boxes[i].tolist(), settings)

    torch.set_grad_enabled(False)
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


if __name__ == '__main__':
    main()
