"""Attention maps (ORL Fig. 4): res5 channel-mean activations of checkpoints, side by side.

Example::

    python tools/analysis/visualize_attention.py \
        --ckpt BYOL=work_dirs/byol/epoch_800.pth --ckpt ORL=work_dirs/orl/epoch_800.pth \
        --images data/coco/val2017 --num 8 --out work_dirs/attention.png

``--ckpt LABEL=PATH`` may be repeated (``LABEL=random`` for a random-init ResNet of
``--depth``); ``--images`` takes image files or folders (the first ``--num`` images, sorted).
"""
import argparse
import os
import os.path as osp
import time

import torch

from orl_mm.evaluation.checkpoints import WEIGHT_CHOICES, build_backbone, resolve_weights
from orl_mm.evaluation.labeled_images import IMAGE_EXTENSIONS
from orl_mm.visualization.attention import attention_sheet


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ckpt', action='append', required=True, metavar='LABEL=PATH',
                        help="a checkpoint to show (repeat), or LABEL=random")
    parser.add_argument('--images', nargs='+', required=True, help='image files or folders')
    parser.add_argument('--num', type=int, default=8, help='images taken from folders')
    parser.add_argument('--weights', choices=WEIGHT_CHOICES, default='auto',
                        help="auto: what each checkpoint's method transfers (SlotCon: "
                        'teacher; BYOL, ORL, SCRL: online network)')
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--depth', type=int, default=50, help='depth of random-init models')
    parser.add_argument('--out', required=True, help='output PNG')
    return parser.parse_args(argv)


def _images(items, num):
    paths = []
    for item in items:
        if osp.isdir(item):
            files = sorted(f for f in os.listdir(item) if f.lower().endswith(IMAGE_EXTENSIONS))
            paths += [osp.join(item, f) for f in files[:num]]
        elif osp.isfile(item):
            paths.append(item)
        else:
            raise FileNotFoundError(f'no image or folder at {item}')
    if not paths:
        raise FileNotFoundError(f'no images in {items}')
    return paths


def main(argv=None) -> str:
    args = parse_args(argv)
    start = time.perf_counter()
    models = []
    for spec in args.ckpt:
        if '=' not in spec:
            raise SystemExit(f'--ckpt takes LABEL=PATH, got {spec!r}')
        label, path = spec.split('=', 1)
        weights = args.weights
        if path == 'random':
            torch.manual_seed(0)
        else:
            weights, why = resolve_weights(path, args.weights)
            print(f'{label}: {why}')
        models.append((label, build_backbone(None if path == 'random' else path, weights,
                                             depth=args.depth)))
    paths = _images(args.images, args.num)
    sheet = attention_sheet(models, paths, args.out, args.size)
    print(f'{args.out}: {len(paths)} images x {len(models)} checkpoints, '
          f'{sheet.shape[1]}x{sheet.shape[0]} px, {time.perf_counter() - start:.1f} s')
    return args.out


if __name__ == '__main__':
    main()
