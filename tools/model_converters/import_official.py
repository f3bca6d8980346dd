"""Import a checkpoint released by ORL, SCRL or SlotCon as an orl_mm checkpoint.

Examples::

    # ORL (Jiahao000/ORL): its training checkpoint or its backbone-only file
    python tools/model_converters/import_official.py orl_coco_800ep.pth \\
        work_dirs/imported/orl_coco_800ep.pth --method orl
    # SCRL (kakaobrain/scrl): its trainer checkpoint (scrl_200ep.pth, scrl_1000ep.pth)
    python tools/model_converters/import_official.py scrl_200ep.pth \\
        work_dirs/imported/scrl_200ep.pth --method scrl
    # SlotCon (CVMI-Lab/SlotCon): its full checkpoint or its backbone-only file (teacher)
    python tools/model_converters/import_official.py slotcon_coco_r50_800ep.pth \\
        work_dirs/imported/slotcon_coco_800ep.pth --method slotcon

Every key of the file is mapped to our model of the method's paper config (or
``--config``); a file with unknown or missing keys is refused, naming them, and nothing is
written. The output holds our state dict and the config in ``meta`` (so the evaluation
tools, ``export_backbone.py`` and ``OrlPretrained`` read it as one of ours) and
``meta['imported']``: the source, the parts it had and those it lacks (a backbone-only file
has no projector, predictors or second network).
"""
import argparse
import sys

from orl_mm.models.converters import IMPORTERS, OfficialCheckpointError, import_official


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='the file the reference released (or saved)')
    parser.add_argument('dst', help='the orl_mm checkpoint to write')
    parser.add_argument('--method', required=True, choices=sorted(IMPORTERS),
                        help='the reference that wrote SRC')
    parser.add_argument('--config', default=None,
                        help='our config whose model takes the weights (path, or relative '
                        'to configs/); default: ' + ', '.join(
                            f'{m}: {i.default_config}' for m, i in sorted(IMPORTERS.items())))
    parser.add_argument('--bare-weights', choices=['online', 'target'], default=None,
                        help='for a backbone-only file: which backbone it is (default: what '
                        "the reference's exporter keeps: ORL online, SlotCon the teacher)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        converted = import_official(args.src, args.dst, args.method, config=args.config,
                                    bare_weights=args.bare_weights)
    except (OfficialCheckpointError, FileNotFoundError, ValueError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 1
    print(f'{args.src}: {IMPORTERS[args.method].reference} {converted.layout}')
    print(f'  imported: {", ".join(converted.present)} '
          f'({len(converted.state_dict)} tensors)')
    if converted.absent:
        print(f'  lacks: {", ".join(converted.absent)} (evaluation and transfer work; '
              f'training cannot continue from it)')
    if converted.dropped:
        print(f'  left out (no part of the model): {", ".join(converted.dropped)}')
    for note in converted.notes:
        print(f'  note: {note}')
    print(f'-> {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
