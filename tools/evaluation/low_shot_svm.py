"""Low-shot VOC07 SVM benchmark (ORL Table 2): k in {1..96} positives per class, 5 samples.

Example::

    python tools/evaluation/low_shot_svm.py CKPT --data data/VOCdevkit/VOC2007 \
        --layer res5 --work-dir work_dirs/lowshot_orl

As ORL's low-shot scripts: for each k and each of 5 samples, one SVM per class is trained on
k positives and (C - 1) * k negatives (``--negatives per_other_class``; ``k`` and ``all`` are
recorded deviations) of the training split with each of the 19 costs; per k, the cost with
the best mean test mAP (%) over the samples gives the reported mean / min / max / std.
Finished (k, sample, cost) runs are saved in ``<work-dir>/low_shot_svm.json`` as they
complete, so a re-run after a kill does only what is missing; the JSON also holds the
protocol, its deviations, the input geometry and the pooling.
"""
import argparse
import json
import os.path as osp

from orl_mm.evaluation.features import LAYERS
from orl_mm.evaluation.runner import (Timer, add_common_args, load_splits, protocol_from_args,
                                      protocol_record, split_features, write_json)
from orl_mm.evaluation.svm_low_shot import low_shot_benchmark
from orl_mm.evaluation.voc07_protocol import LOW_SHOT_NEGATIVES, REFERENCE_PROTOCOL


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_common_args(parser)
    parser.add_argument('--layer', default='res5', choices=list(LAYERS) + ['gap'])
    ref = REFERENCE_PROTOCOL
    parser.add_argument('--shots', nargs='+', type=int, default=list(ref.low_shot_k))
    parser.add_argument('--samples', type=int, default=ref.low_shot_samples)
    parser.add_argument('--costs', nargs='+', type=float, default=list(ref.costs))
    parser.add_argument('--negatives', choices=list(LOW_SHOT_NEGATIVES),
                        default=ref.low_shot_negatives,
                        help='negatives per class: per_other_class ((C - 1) * k, ORL), k, all')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    timer = Timer()
    out_file = osp.join(args.work_dir, 'low_shot_svm.json')
    protocol = protocol_from_args(args, costs=args.costs, low_shot_k=args.shots,
                                  low_shot_samples=args.samples,
                                  low_shot_negatives=args.negatives)
    settings = {'checkpoint': args.checkpoint, 'weights': args.weights, 'data': args.data,
                'img_size': args.img_size, 'layer': args.layer, 'seed': args.seed,
                'protocol': protocol.to_dict()}
    state = {'settings': settings, 'runs': {}}
    if osp.isfile(out_file):
        with open(out_file) as f:
            previous = json.load(f)
        if previous.get('settings') == settings:
            state['runs'] = previous.get('runs', {})
    train, test = load_splits(args.data, args.train_split, args.test_split, args.test_fraction,
                              args.seed)
    print(f'{len(train)} train / {len(test)} test images, {len(train.classes)} classes; '
          f'{len(state["runs"])} runs done before')
    with timer('features'):
        train_f, test_f, plan = split_features(args, train, test, [args.layer], protocol)
    state.update(protocol_record(protocol, plan))
    for line in state['deviations']:
        print(f'deviation from the reference protocol: {line}')

    def save(key, value):
        state['runs'][key] = value
        write_json(out_file, state)

    with timer('svm'):
        res = low_shot_benchmark(train_f[args.layer], train.labels, test_f[args.layer],
                                 test.labels, protocol, args.seed, progress=True,
                                 done=state['runs'], on_result=save)
    state.update(per_k={str(k): v for k, v in res['per_k'].items()}, runs=res['runs'],
                 wall_s=timer.times)
    write_json(out_file, state)
    print(f'\nlow-shot SVM mAP (%) on {args.layer}: ' + '  '.join(
        f'k={k}: {v["mAP"]:.2f}±{v["std"]:.2f} [{v["min"]:.2f}, {v["max"]:.2f}]'
        for k, v in res['per_k'].items()))
    print(f'wall times (s): {timer.times}; results: {out_file}')
    return state


if __name__ == '__main__':
    main()
