"""A PNG sheet of the top mined pairs of a correspondence file (cf. ORL Fig. 3).

    python tools/analysis/visualize_correspondence.py WORK_DIR/correspondence.json \\
        --img-dir data/coco/train2017 --out pairs.png [--scores WORK_DIR/pair_scores.json]

Rows: query image with its box (green) | query crop | neighbour crop | neighbour image
with its box (red). Without scores the first pair of each image is drawn.
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from orl_mm.structures.correspondence import load_correspondence  # noqa: E402
from orl_mm.visualization.pairs import draw_pair_sheet, top_pairs  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('correspondence')
    p.add_argument('--img-dir', required=True)
    p.add_argument('--out', default='correspondence_pairs.png')
    p.add_argument('--scores', help='pair_scores.json (default: beside the file if present)')
    p.add_argument('--num', type=int, default=8)
    p.add_argument('--tile', type=int, default=224)
    p.add_argument('--all-pairs', action='store_true',
                   help='allow several pairs of the same query image')
    args = p.parse_args(argv)
    corr = load_correspondence(args.correspondence, allow_empty_pairs=True)
    scores_file = args.scores or osp.join(osp.dirname(args.correspondence), 'pair_scores.json')
    scores = None
    if osp.isfile(scores_file):
        with open(scores_file) as f:
            scores = json.load(f)['scores']
    pairs = top_pairs(corr, scores, args.num, one_per_image=not args.all_pairs)
    sheet = draw_pair_sheet(corr, args.img_dir, pairs, args.out, args.tile)
    print(f'{len(pairs)} pairs -> {args.out} ({sheet.shape[1]}x{sheet.shape[0]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
