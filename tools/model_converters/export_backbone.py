"""Export the backbone of an orl_mm checkpoint for mmdet/torchvision or detectron2.

Examples::

    # mmdet / torchvision key layout (plain tensor dict)
    python tools/model_converters/export_backbone.py work_dirs/orl/epoch_800.pth r50_orl.pth
    # the EMA target instead of the online network (by default the tool takes what the
    # checkpoint's method transfers: the teacher for SlotCon, the online network otherwise)
    python tools/model_converters/export_backbone.py CKPT r50_orl_target.pth --weights target
    # detectron2 (res2..res5 names, matching_heuristics)
    python tools/model_converters/export_backbone.py CKPT r50_orl.pkl --format detectron2

The format defaults to the output suffix (``.pkl`` -> detectron2, else pth). The tool checks
the weights against the ResNet of the inferred depth and fails, listing the missing and
unexpected keys, when the checkpoint does not hold a complete backbone.
"""
import argparse
import sys

from orl_mm.evaluation.checkpoints import (WEIGHT_CHOICES, CheckpointMismatchError,
                                           load_backbone_state_dict, read_checkpoint,
                                           resolve_weights)
from orl_mm.evaluation.export import save_detectron2_pkl, save_pth


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='an orl_mm checkpoint (stage 1, ORL, SCRL, SlotCon)')
    parser.add_argument('output', help='output file (.pth or .pkl)')
    parser.add_argument('--weights', choices=WEIGHT_CHOICES, default='auto',
                        help='online network (backbone.*) or EMA target/teacher '
                        '(target_net.module.0.*); auto (default): the one the checkpoint\'s '
                        'method transfers (SlotCon: teacher; BYOL, ORL, SCRL: online)')
    parser.add_argument('--format', choices=['pth', 'detectron2'], default=None,
                        help='output layout (default: from the output suffix)')
    parser.add_argument('--depth', type=int, default=None,
                        help='ResNet depth to check against (default: inferred)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    fmt = args.format or ('detectron2' if args.output.endswith('.pkl') else 'pth')
    try:
        checkpoint = read_checkpoint(args.checkpoint)
        weights, why = resolve_weights(checkpoint, args.weights)
        print(f'taking the {why}')
        state, depth = load_backbone_state_dict(checkpoint, weights, args.depth)
    except CheckpointMismatchError as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 1
    if fmt == 'detectron2':
        save_detectron2_pkl(state, args.output)
    else:
        save_pth(state, args.output)
    print(f'exported ResNet-{depth} {weights} backbone of {args.checkpoint}: '
          f'{len(state)} tensors, 0 missing, 0 unexpected keys -> {args.output} ({fmt})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
