"""Weighted k-NN classification (T = 0.07, cosine) on frozen res5 features of a checkpoint.

Example::

    python tools/evaluation/knn.py CKPT --data ../shared/data/scenes6 --img-size 112 \
        --work-dir work_dirs/knn_scenes6

Single-label sets (class folders) report the top-1 accuracy (%) for each k; a multi-label set
(CSV, VOC) reports the mAP (%) of the normalised per-class vote weights instead. Writes
``<work-dir>/knn.json``: the score per k, ``k_used`` (the neighbours really taken: a k above
the number of training images is clipped to it), the input geometry and pooling.
"""
import argparse
import os.path as osp

from orl_mm.evaluation.knn_classifier import KNN_K, KNN_T, k_used, knn_benchmark, multilabel_knn_map
from orl_mm.evaluation.runner import (Timer, add_common_args, load_splits, protocol_from_args,
                                      protocol_record, split_features, write_json)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_common_args(parser)
    parser.add_argument('--ks', nargs='+', type=int, default=list(KNN_K))
    parser.add_argument('--temperature', type=float, default=KNN_T)
    parser.add_argument('--layer', default='gap', help="feature: 'gap' (res5 average) or a "
                        'pooled layer (conv1, res2..res5)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    timer = Timer()
    train, test = load_splits(args.data, args.train_split, args.test_split, args.test_fraction,
                              args.seed)
    print(f'{len(train)} train / {len(test)} test images, {len(train.classes)} classes')
    with timer('features'):
        train_f, test_f, plan = split_features(args, train, test, [args.layer])
    x_tr, x_te = train_f[args.layer], test_f[args.layer]
    with timer('knn'):
        if train.single_label and test.single_label:
            metric = 'top1_acc'
            scores = knn_benchmark(x_tr, train.targets, x_te, test.targets, len(train.classes),
                                   args.ks, args.temperature)
        else:
            metric = 'mAP'
            scores = {int(k): multilabel_knn_map(x_tr, train.labels, x_te, test.labels, k,
                                                 args.temperature) for k in args.ks}
    record = protocol_record(protocol_from_args(args), plan)
    result = {'settings': {'checkpoint': args.checkpoint, 'weights': args.weights,
                           'data': args.data, 'img_size': args.img_size,
                           'layer': args.layer, 'temperature': args.temperature},
              'metric': metric, 'scores': {str(k): v for k, v in scores.items()},
              'k_used': {str(k): k_used(k, len(x_tr)) for k in scores},
              'input': record['input'], 'pooling': record['pooling'], 'wall_s': timer.times}
    out_file = osp.join(args.work_dir, 'knn.json')
    write_json(out_file, result)
    print(f'k-NN {metric} (%): ' + '  '.join(
        f'k={k} (used {result["k_used"][str(k)]}): {v:.2f}' for k, v in scores.items()))
    print(f'wall times (s): {timer.times}; results: {out_file}')
    return result


if __name__ == '__main__':
    main()
