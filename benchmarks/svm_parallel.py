"""Per-class VOC07-style SVMs trained by 1 joblib worker vs N: wall times and speed-up.

    python benchmarks/svm_parallel.py                      # scenes6, 2 workers
    python benchmarks/svm_parallel.py --jobs 4 --layers res4 res5 --checkpoint CKPT

Extracts frozen features of the shared scenes6 photos once (a random-init ResNet-18 unless
``--checkpoint``; 50/50 split, ``--img-size`` px), then runs
:func:`orl_mm.evaluation.svm.svm_benchmark` on the same features with ``n_jobs=1`` and with
``n_jobs=N`` (``--repeat`` times each, the best time kept), checks that both give the same
per-class APs and costs, and prints one JSON line with the times and the ratio.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
DEFAULT_DATA = os.environ.get('ORL_MM_SHARED_DATA', osp.join(REPO, '..', 'shared', 'data'))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=osp.join(DEFAULT_DATA, 'scenes6', 'train'))
    parser.add_argument('--checkpoint', default=None, help='orl_mm checkpoint (default: random)')
    parser.add_argument('--img-size', type=int, default=112)
    parser.add_argument('--layers', nargs='+', default=['res4'])
    parser.add_argument('--costs', nargs='+', type=float, default=[1.0, 10.0, 100.0],
                        help='cost grid (the reference protocol has 19: see voc07_protocol)')
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--repeat', type=int, default=1)
    args = parser.parse_args(argv)
    if not osp.isdir(args.data):
        raise SystemExit(f'no data at {args.data} (set ORL_MM_SHARED_DATA or pass --data)')

    import torch

    from orl_mm.evaluation.checkpoints import build_backbone
    from orl_mm.evaluation.features import extract_features
    from orl_mm.evaluation.labeled_images import read_class_folders, split_train_test
    from orl_mm.evaluation.svm import svm_benchmark
    from orl_mm.evaluation.voc07_protocol import protocol_for_size

    torch.manual_seed(0)
    torch.set_num_threads(1)
    train, test = split_train_test(read_class_folders(args.data), 0.5, 0)
    backbone = build_backbone(args.checkpoint, 'auto', depth=18)
    protocol = protocol_for_size(args.img_size, costs=args.costs)
    feats = [extract_features(backbone, split.paths, args.img_size, args.layers, progress=False)
             for split in (train, test)]
    result = {'images': len(train) + len(test), 'classes': len(train.classes),
              'cpu_count': os.cpu_count(), 'jobs': args.jobs, 'layers': {}}
    for layer in args.layers:
        times, results = {}, {}
        for jobs in (1, args.jobs):
            best = float('inf')
            for _ in range(args.repeat):
                start = time.perf_counter()
                results[jobs] = svm_benchmark(feats[0][layer], train.labels, feats[1][layer],
                                              test.labels, protocol, n_jobs=jobs)
                best = min(best, time.perf_counter() - start)
            times[jobs] = best
        same = (results[1].aps == results[args.jobs].aps
                and results[1].costs == results[args.jobs].costs)
        result['layers'][layer] = {
            'dims': int(feats[0][layer].shape[1]), 'mAP': round(results[1].mAP, 2),
            'seconds_1_job': round(times[1], 2), f'seconds_{args.jobs}_jobs': round(
                times[args.jobs], 2), 'speedup': round(times[1] / times[args.jobs], 2),
            'same_result': same}
        if not same:
            raise SystemExit(f'{layer}: the parallel result differs from the sequential one')
    print(json.dumps(result))
    return result


if __name__ == '__main__':
    main()
