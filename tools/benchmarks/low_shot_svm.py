"""Low-shot VOC07 SVM benchmark (ORL Table 2): k in {1..96} positives per class, 5 samples.

Example::

    python tools/benchmarks/low_shot_svm.py CKPT --data data/VOCdevkit/VOC2007 \
        --layer res5 --work-dir work_dirs/lowshot_orl

For each k and sample, one SVM per class is trained on k positives and k negatives (or all
negatives, ``--negatives all``) of the training split with each cost of the grid; the
reported mAP (%) for k is the mean over the samples at the best cost. Finished (k, sample,
cost) runs are saved in ``<work-dir>/low_shot_svm.json`` as they complete, so a re-run after
a kill does only what is missing.
"""
import argparse
import json
import os.path as osp

from orl_mm.evaluation.features import LAYERS
from orl_mm.evaluation.runner import Timer, add_common_args, load_splits, split_features
from orl_mm.evaluation.runner import write_json
from orl_mm.evaluation.svm import DEFAULT_COSTS, LOW_SHOT_K, low_shot_benchmark


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_common_args(parser)
    parser.add_argument('--layer', default='res5', choices=list(LAYERS) + ['gap'])
    parser.add_argument('--shots', nargs='+', type=int, default=list(LOW_SHOT_K))
    parser.add_argument('--samples', type=int, default=5)
    parser.add_argument('--costs', nargs='+', type=float, default=list(DEFAULT_COSTS))
    parser.add_argument('--negatives', choices=['k', 'all'], default='k')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    timer = Timer()
    out_file = osp.join(args.work_dir, 'low_shot_svm.json')
    settings = {'checkpoint': args.checkpoint, 'weights': args.weights, 'data': args.data,
                'img_size': args.img_size, 'layer': args.layer, 'costs': args.costs,
                'samples': args.samples, 'negatives': args.negatives, 'seed': args.seed}
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
        train_f, test_f = split_features(args, train, test, [args.layer])

    def save(key, value):
        state['runs'][key] = value
        write_json(out_file, state)

    with timer('svm'):
        res = low_shot_benchmark(train_f[args.layer], train.labels, test_f[args.layer],
                                 test.labels, args.shots, args.samples, args.costs,
                                 args.negatives, args.seed, progress=True, done=state['runs'],
                                 on_result=save)
    state.update(per_k={str(k): v for k, v in res['per_k'].items()}, runs=res['runs'],
                 wall_s=timer.times)
    write_json(out_file, state)
    print(f'\nlow-shot SVM mAP (%) on {args.layer}: ' + '  '.join(
        f'k={k}: {v["mAP"]:.2f}±{v["std"]:.2f}' for k, v in res['per_k'].items()))
    print(f'wall times (s): {timer.times}; results: {out_file}')
    return state


if __name__ == '__main__':
    main()
