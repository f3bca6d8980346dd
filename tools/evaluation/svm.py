"""VOC07 linear-SVM benchmark of an orl_mm checkpoint (frozen conv1, res2..res5 features).

Examples::

    # VOC2007 (trainval -> test), the paper's Table 1 protocol
    python tools/evaluation/svm.py work_dirs/orl/epoch_800.pth --data data/VOCdevkit/VOC2007 \
        --work-dir work_dirs/svm_orl
    # a class-folder or multi-label CSV set (split 50/50 by --seed), small inputs on CPU
    python tools/evaluation/svm.py CKPT --data ../shared/data/scenes6 --img-size 112 \
        --depth 18 --work-dir work_dirs/svm_scenes6
    # a random-init baseline
    python tools/evaluation/svm.py random --depth 18 --data ... --work-dir ...

ORL's protocol (:data:`orl_mm.evaluation.voc07_protocol.REFERENCE_PROTOCOL`): shorter side
256 then the whole image to 224 x 224, the reference's pooling windows, features divided by
``norm + 1e-5``, 3-fold (unshuffled) cross-validation over the 19 costs 1, 10, 100,
0.5^4 .. 0.5^19. Prints the mAP (%) per layer and writes ``<work-dir>/svm.json`` with the
protocol, its ``deviations`` (e.g. another ``--img-size``), the input geometry and the
pooling of each layer; features are cached in ``<work-dir>/features`` and each finished
layer's result in ``svm.json``, so a re-run after a kill continues with the next layer.
"""
import argparse
import json
import os.path as osp

from orl_mm.evaluation.features import LAYERS
from orl_mm.evaluation.runner import (Timer, add_common_args, load_splits, protocol_from_args,
                                      protocol_record, split_features, write_json)
from orl_mm.evaluation.svm import svm_benchmark
from orl_mm.evaluation.voc07_protocol import REFERENCE_PROTOCOL


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_common_args(parser)
    parser.add_argument('--layers', nargs='+', default=list(LAYERS), choices=list(LAYERS) + ['gap'])
    parser.add_argument('--costs', nargs='+', type=float,
                        default=list(REFERENCE_PROTOCOL.costs),
                        help='cost grid of the cross-validation, in tie-breaking order '
                        '(default: the reference\'s 19: 1 10 100 0.5^4 .. 0.5^19)')
    parser.add_argument('--folds', type=int, default=REFERENCE_PROTOCOL.folds,
                        help='cross-validation folds')
    parser.add_argument('--jobs', type=int, default=-1,
                        help='worker processes for the per-class SVMs (joblib; -1: every '
                        'core, as the reference trainer); the result does not depend on it')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    timer = Timer()
    out_file = osp.join(args.work_dir, 'svm.json')
    protocol = protocol_from_args(args, costs=args.costs, folds=args.folds)
    settings = {'checkpoint': args.checkpoint, 'weights': args.weights, 'data': args.data,
                'img_size': args.img_size, 'seed': args.seed, 'protocol': protocol.to_dict()}
    result = {'settings': settings, 'layers': {}}
    if osp.isfile(out_file):
        with open(out_file) as f:
            previous = json.load(f)
        if previous.get('settings') == settings:
            result = previous
    train, test = load_splits(args.data, args.train_split, args.test_split, args.test_fraction,
                              args.seed)
    print(f'{len(train)} train / {len(test)} test images, {len(train.classes)} classes')
    with timer('features'):
        train_f, test_f, plan = split_features(args, train, test, args.layers, protocol)
    result.update(protocol_record(protocol, plan))
    for line in result['deviations']:
        print(f'deviation from the reference protocol: {line}')
    for layer in args.layers:
        if layer in result['layers']:
            print(f'{layer}: mAP {result["layers"][layer]["mAP"]:.2f} (done before)')
            continue
        with timer(f'svm_{layer}'):
            res = svm_benchmark(train_f[layer], train.labels, test_f[layer], test.labels,
                                protocol, args.seed, progress=True, n_jobs=args.jobs)
        print(f'\n{layer} ({train_f[layer].shape[1]} dims): mAP {res.mAP:.2f}  '
              f'costs {res.costs}', flush=True)
        result['layers'][layer] = dict(res.to_dict(), dims=int(train_f[layer].shape[1]))
        write_json(out_file, result)
    result['wall_s'] = {**result.get('wall_s', {}), **timer.times}  # earlier runs' steps kept
    write_json(out_file, result)
    print('SVM mAP (%): ' + '  '.join(f'{k} {v["mAP"]:.2f}' for k, v in result['layers'].items()))
    print(f'wall times (s): {timer.times}; results: {out_file}')
    return result


if __name__ == '__main__':
    main()
