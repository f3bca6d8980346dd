"""Attention maps (ORL Fig. 4): res5 channel-mean activations of checkpoints, side by side.

Example::

    python tools/analysis/visualize_attention.py \
        --ckpt BYOL=work_dirs/byol/epoch_800.pth --ckpt ORL=work_dirs/orl/epoch_800.pth \
        --images data/coco/val2017 --num 8 --out work_dirs/attention.png

``--ckpt LABEL=PATH`` may be repeated (``LABEL=random`` for a random-init ResNet of
``--depth``); ``LABEL:WEIGHTS=PATH`` picks the weights of that checkpoint (``online`` or
``target``, e.g. ``--ckpt SlotCon:target=...``; default ``--weights``, whose ``auto``
takes what each checkpoint's method transfers). ``--images`` takes
image files or folders (the first ``--num`` images, sorted). The heat maps are drawn with
mmengine's ``Visualizer.draw_featmap``.
"""
import argparse
import time

import torch

from orl_mm.evaluation.checkpoints import WEIGHT_CHOICES, build_backbone, resolve_weights
from orl_mm.visualization.attention import attention_sheet
from orl_mm.visualization.files import image_files


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ckpt', action='append', required=True, metavar='LABEL=PATH',
                        help="a checkpoint to show (repeat): LABEL[:WEIGHTS]=PATH, or LABEL=random")
    parser.add_argument('--images', nargs='+', required=True, help='image files or folders')
    parser.add_argument('--num', type=int, default=8, help='images taken from folders')
    parser.add_argument('--weights', choices=WEIGHT_CHOICES, default='auto',
                        help="auto: what each checkpoint's method transfers (SlotCon: "
                        'teacher; BYOL, ORL, SCRL: online network)')
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--depth', type=int, default=50, help='depth of random-init models')
    parser.add_argument('--out', required=True, help='output PNG')
    return parser.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    start = time.perf_counter()
    models = []
    for spec in args.ckpt:
        if '=' not in spec:
            raise SystemExit(f'--ckpt takes LABEL=PATH, got {spec!r}')
        label, path = spec.split('=', 1)
        label, _, weights = label.partition(':')
        weights = weights or args.weights
        if weights not in WEIGHT_CHOICES:
            raise SystemExit(f'--ckpt {spec}: weights must be one of {list(WEIGHT_CHOICES)}')
        if path == 'random':
            torch.manual_seed(0)
        else:
            weights, why = resolve_weights(path, weights)
            print(f'{label}: {why}')
        models.append((label, build_backbone(None if path == 'random' else path, weights,
                                             depth=args.depth)))
    paths = image_files(args.images, args.num)
    sheet = attention_sheet(models, paths, args.out, args.size)
    print(f'{args.out}: {len(paths)} images x {len(models)} checkpoints, '
          f'{sheet.shape[1]}x{sheet.shape[0]} px, {time.perf_counter() - start:.1f} s')
    return args.out


if __name__ == '__main__':
    main()
