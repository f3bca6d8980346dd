"""SCRL's box pairs drawn in its two views of one image, from the config's own pipeline.

Example::

    python tools/analysis/visualize_scrl_boxes.py \
        configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py --images data/demo/train2017 \
        --out scrl_boxes.png [--index 0] [--seed 0] [--cfg-options ...]

Panels: the image with the two crops (1, 2), then view 1 and view 2 (augmented, as
trained) with the sampled boxes; box i has the same colour and number in both views.
"""
import argparse
import os.path as osp
import sys

from mmengine.config import DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from orl_mm.utils import load_config  # noqa: E402
from orl_mm.visualization.files import image_files  # noqa: E402
from orl_mm.visualization.scrl_boxes import draw_scrl_boxes, sample_scrl_views  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='an SCRL training config')
    p.add_argument('--images', nargs='+', required=True, help='image files or folders')
    p.add_argument('--index', type=int, default=0, help='which image (sorted) to draw')
    p.add_argument('--seed', type=int, default=0, help='seed of the view and box sampling')
    p.add_argument('--size', type=int, default=256, help='height of each panel')
    p.add_argument('--out', required=True, help='output PNG')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, help='config overrides')
    args = p.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    paths = image_files(args.images, args.index + 1)
    sample = sample_scrl_views(cfg, paths[args.index], args.seed)
    sheet = draw_scrl_boxes(sample, args.out, args.size)
    print(f'{args.out}: {int(sample["box_valid"].sum())} box pairs of {paths[args.index]}, '
          f'{sheet.shape[1]}x{sheet.shape[0]} px')
    return 0


if __name__ == '__main__':
    sys.exit(main())
