"""Selective search on large photos: time and raw boxes vs megapixels, bounded vs full.

    python benchmarks/stage2_large_images.py curve --mp 0.3 1 2 4 8 16
    python benchmarks/stage2_large_images.py agreement --mp 0.3 1 2 4 8 16
    python benchmarks/stage2_large_images.py mixed --coco 8 --mp 4 16

The photos: the largest real photos at hand are 640-px COCO photos (coco128) and
scikit-image's ``retina.jpg`` (1411x1411, 2 MP), so the 0.3-16 MP series is one COCO photo
(``--photo``) resized with bicubic interpolation (an upscaled photo is smoother than a
real large one, which makes selective search faster and its box count lower than on
true high-resolution detail; ``retina.jpg`` is reported as the real 2 MP point).

``curve`` runs selective search at full resolution (one OpenCV thread) and prints, per
size, the seconds and the raw box count, and the same with the default bound
(``--max-pixels``). ``agreement`` prints, per size, the fraction of the full-resolution
filtered boxes that have a bounded-search box with IoU >= 0.7 (and the reverse), and,
as the scale of what to expect, the same between two full-resolution searches that
differ only in the seed of OpenCV's ``rand()`` (the box order, hence the greedy filter).
``mixed`` prints the worst per-image time on a folder of ``--coco`` COCO photos plus the
large ones, bounded vs full. Full-resolution results are cached in ``--cache`` (the
16 MP search takes 10-25 minutes of one core), so the three modes share them.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import cv2
import numpy as np

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
DATA = os.environ.get('ORL_MM_SHARED_DATA', osp.join(REPO, '..', 'shared', 'data'))

from orl_mm.correspondence.proposals import (ProposalSettings, filter_proposals,  # noqa
                                             init_proposal_worker, search_boxes)
from orl_mm.utils.boxes import box_iou_xywh  # noqa: E402


def photo_at(img: np.ndarray, mp: float) -> np.ndarray:
    h, w = img.shape[:2]
    s = (mp * 1e6 / (h * w))**0.5
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
    return cv2.resize(img, (round(w * s), round(h * s)), interpolation=interp)


def timed_search(img, max_pixels, cache, key, seed=0):
    """(seconds, raw count, filtered boxes); full-resolution results come from the cache."""
    path = osp.join(cache, f'{key}_{max_pixels}' + (f'_seed{seed}' if seed else '') + '.json')
    if osp.isfile(path):
        with open(path) as f:
            d = json.load(f)
        return d['seconds'], d['num_raw'], np.asarray(d['boxes']).reshape(-1, 4)
    settings = ProposalSettings(max_pixels=max_pixels, seed=seed)
    t = time.perf_counter()
    raw, _ = search_boxes(img, settings)
    sec = time.perf_counter() - t
    boxes = filter_proposals(raw, settings.min_size, settings.max_aspect_ratio,
                             settings.max_iou, settings.top_n)
    os.makedirs(cache, exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(seconds=sec, num_raw=len(raw), boxes=boxes.tolist(),
                       shape=list(img.shape[:2])), f)
    return sec, len(raw), boxes


def matched(a: np.ndarray, b: np.ndarray, thr: float = 0.7) -> float:
    """Fraction of boxes of ``a`` with an IoU >= thr match in ``b``."""
    if len(a) == 0:
        return float('nan')
    return float(np.mean([box_iou_xywh(x.astype(float), b.astype(float)).max() >= thr
                          for x in a]))


def gt_boxes(photo: str, shape) -> np.ndarray:
    """The COCO boxes of ``photo`` scaled to an image of ``shape`` (empty if unknown)."""
    ann = osp.join(osp.dirname(osp.dirname(photo)), 'annotations', 'instances_train2017.json')
    if not osp.isfile(ann):
        return np.zeros((0, 4))
    with open(ann) as f:
        data = json.load(f)
    im = next((i for i in data['images'] if i['file_name'] == osp.basename(photo)), None)
    if im is None:
        return np.zeros((0, 4))
    s = shape[1] / im['width']
    return np.array([a['bbox'] for a in data['annotations']
                     if a['image_id'] == im['id'] and not a.get('iscrowd')]).reshape(-1, 4) * s


def series(args):
    base = cv2.imread(args.photo)
    items = [(f'coco{mp:g}MP', photo_at(base, mp)) for mp in args.mp]
    retina = osp.join(osp.dirname(__import__('skimage').__file__), 'data', 'retina.jpg')
    if args.retina and osp.isfile(retina):
        items.append(('retina2MP_real', cv2.imread(retina)))
    return items


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('mode', choices=['curve', 'agreement', 'mixed'])
    p.add_argument('--mp', type=float, nargs='+', default=[0.3, 1, 2, 4, 8, 16])
    p.add_argument('--photo', default=osp.join(DATA, 'coco128', 'train2017',
                                               '000000000009.jpg'))
    p.add_argument('--coco', type=int, default=8, help='COCO photos in the mixed folder')
    p.add_argument('--max-pixels', type=int, default=ProposalSettings().max_pixels)
    p.add_argument('--no-retina', dest='retina', action='store_false')
    p.add_argument('--baseline-max-mp', type=float, default=2.1,
                   help='seed-0 vs seed-1 baseline for images up to this size')
    p.add_argument('--cache', default=osp.join(REPO, 'work_dirs', 'bench_large_images'))
    args = p.parse_args()
    init_proposal_worker(1)
    cv2.setNumThreads(1)
    if args.mode == 'curve':
        print('image            MP   full_s  full_raw  bounded_s  bounded_raw')
        for key, img in series(args):
            mp = img.shape[0] * img.shape[1] / 1e6
            fs, fr, _ = timed_search(img, 0, args.cache, key)
            bs, br, _ = timed_search(img, args.max_pixels, args.cache, key)
            print(f'{key:15s} {mp:5.2f} {fs:8.1f} {fr:9d} {bs:10.1f} {br:12d}', flush=True)
    elif args.mode == 'agreement':
        print(f'IoU>=0.7 agreement of filtered boxes, bound {args.max_pixels} px; GT: '
              'fraction of the COCO objects (w, h >= 96) hit by a box with IoU >= 0.5')
        print('image            MP  full_boxes  bounded_boxes  full->bounded  bounded->full'
              '  GT_full  GT_bounded')
        for key, img in series(args):
            mp = img.shape[0] * img.shape[1] / 1e6
            _, _, full = timed_search(img, 0, args.cache, key)
            _, _, bnd = timed_search(img, args.max_pixels, args.cache, key)
            gt = gt_boxes(args.photo, img.shape) if key.startswith('coco') else []
            gt = [g for g in gt if min(g[2], g[3]) >= 96]
            hit = (lambda b: float(np.mean([box_iou_xywh(g, b.astype(float)).max() >= 0.5
                                            for g in gt])) if len(gt) else float('nan'))
            print(f'{key:15s} {mp:5.2f} {len(full):11d} {len(bnd):14d} '
                  f'{matched(full, bnd):14.3f} {matched(bnd, full):14.3f} '
                  f'{hit(full):8.2f} {hit(bnd):11.2f}', flush=True)
        print('baseline: full resolution, seed 0 vs seed 1 (the same search with another '
              'rand() sequence)')
        for key, img in series(args):
            mp = img.shape[0] * img.shape[1] / 1e6
            if mp <= args.baseline_max_mp:
                _, _, s0 = timed_search(img, 0, args.cache, key)
                _, _, s1 = timed_search(img, 0, args.cache, key, seed=1)
                print(f'{key:15s} {mp:5.2f} {len(s0):11d} {len(s1):14d} '
                      f'{matched(s0, s1):14.3f} {matched(s1, s0):14.3f}', flush=True)
    else:
        folder = osp.join(DATA, 'coco128', 'train2017')
        names = sorted(os.listdir(folder))[:args.coco]
        items = [(n, cv2.imread(osp.join(folder, n))) for n in names] + series(args)
        worst = {}
        for bound in (args.max_pixels, 0):
            times = [timed_search(img, bound, args.cache, key)[0] for key, img in items]
            worst[bound] = (max(times), sum(times))
        print(f'{len(items)} images ({args.coco} COCO + {len(items) - args.coco} large)')
        for bound, (w, s) in worst.items():
            print(f'max_pixels={bound}: worst per-image {w:.1f} s, total {s:.1f} s')
        print(f'worst-case ratio full/bounded: {worst[0][0] / worst[args.max_pixels][0]:.1f}x')


if __name__ == '__main__':
    main()
