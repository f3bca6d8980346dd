"""Low-shot VOC07 SVMs (ORL Table 2), as ORL's low-shot scripts sample, train and report them.

* Samples (``tools/prepare_data/create_voc_low_shot_challenge_samples.py``,
  ``generate_independent_sample``): for each k and each of 5 independent samples, every class
  draws, on its own, k of its positives and (C - 1) * k of its negatives (images where it is
  absent; difficult ones are never drawn), C being the number of classes (19 k for VOC's 20).
  The other images are left out of that class's SVM (``svm_helper.get_cls_feats_labels``
  drops the ignore label). :func:`low_shot_indices`.
* Training (``train_svm_low_shot.py``): one ``LinearSVC`` per class and cost, every cost of
  the grid (no cross-validation), features normalised as for the full benchmark.
* Test (``test_svm_low_shot.py``): per (sample, k, cost), the mean over classes of the test
  AP (difficult left out).
* Report (``aggregate_low_shot_svm_stats.py``): per k, over the samples, the mean, min, max
  and std (``np.std``, population) of that mAP for each cost; the cost with the best mean
  (the first of the list on ties, ``np.argmax``) gives the reported mean / min / max / std.
  :func:`aggregate_low_shot`.

The reference draws with Python's unseeded ``random.sample``; here the draw of (k, sample)
is fixed by ``numpy.random.default_rng([seed, k, sample])``. On small sets a class with
fewer positives or negatives than asked uses all it has (with a warning), where the
reference's ``random.sample`` would fail.
"""
import warnings
from typing import Dict, List, Optional

import numpy as np

from .svm import best_cost, evaluable, mean_average_precision, train_svm
from .voc07_protocol import REFERENCE_PROTOCOL, VOC07Protocol, normalize_features

__all__ = ['low_shot_negative_count', 'low_shot_indices', 'aggregate_low_shot',
           'low_shot_benchmark']


def low_shot_negative_count(k: int, num_classes: int, negatives: str = 'per_other_class'
                            ) -> Optional[int]:
    """Negatives a k-shot class draws: (C - 1) * k (``'per_other_class'``, the reference),
    k (``'k'``) or None (``'all'``: every negative)."""
    if negatives == 'per_other_class':
        return (num_classes - 1) * k
    if negatives == 'k':
        return k
    if negatives == 'all':
        return None
    raise ValueError(f"negatives must be 'per_other_class', 'k' or 'all', got {negatives!r}")


def _draw(rng: np.random.Generator, rows: np.ndarray, n: Optional[int], what: str
          ) -> np.ndarray:
    if n is None:
        return rows
    if len(rows) < n:
        warnings.warn(f'{what}: only {len(rows)} for {n} asked; using all')
        return rows
    return rng.choice(rows, size=n, replace=False)


def low_shot_indices(labels: np.ndarray, k: int, sample: int,
                     negatives: str = 'per_other_class', seed: int = 0,
                     num_classes: Optional[int] = None) -> List[np.ndarray]:
    """Training rows of each class for one low-shot sample.

    Args:
        labels: (N, C') training labels in {1, 0, -1}.
        k: Positives per class (all of them when a class has fewer, with a warning).
        sample: Index of the independent sample (0..4); (seed, k, sample) fixes the draw.
        negatives: See :func:`low_shot_negative_count`; negatives are label -1 (absent).
        seed: Seed of the draws.
        num_classes: C of (C - 1) * k; default ``C'`` (the label columns).

    Returns:
        One sorted index array per class (column).
    """
    num_classes = labels.shape[1] if num_classes is None else num_classes
    n_neg = low_shot_negative_count(k, num_classes, negatives)
    rng = np.random.default_rng([seed, k, sample])
    out = []
    for c in range(labels.shape[1]):
        pos = _draw(rng, np.flatnonzero(labels[:, c] == 1), k, f'class {c} positives')
        neg = _draw(rng, np.flatnonzero(labels[:, c] == -1), n_neg, f'class {c} negatives')
        out.append(np.sort(np.concatenate([pos, neg])))
    return out


def aggregate_low_shot(runs: Dict[str, float], k: int, samples: int,
                       costs) -> Dict[str, object]:
    """``aggregate_low_shot_svm_stats``: one k's statistics over the samples.

    Args:
        runs: ``{'k/sample/cost': mAP (%)}``.
        k: The shot.  samples: Number of samples.  costs: The grid, in tie-breaking order.

    Returns:
        ``{'mAP': mean at the best cost, 'min', 'max', 'std': at that cost, 'cost': it,
        'per_cost': {cost: mean}}`` (percent).
    """
    table = np.array([[runs[f'{k}/{s}/{float(c)}'] for c in costs] for s in range(samples)])
    means = table.mean(0)
    best = best_cost({float(c): m for c, m in zip(costs, means)})
    j = [float(c) for c in costs].index(best)
    return {'mAP': float(means[j]), 'min': float(table[:, j].min()),
            'max': float(table[:, j].max()), 'std': float(table[:, j].std()), 'cost': best,
            'per_cost': {str(float(c)): float(m) for c, m in zip(costs, means)}}


def low_shot_benchmark(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                       test_y: np.ndarray, protocol: VOC07Protocol = REFERENCE_PROTOCOL,
                       seed: int = 0, progress: bool = False, done: Optional[dict] = None,
                       on_result=None) -> dict:
    """Low-shot SVM mAP (%) for each k of ``protocol.low_shot_k``.

    Args:
        train_x: (N, D) features as extracted.  train_y: (N, C) labels in {1, 0, -1}.
        test_x: (M, D) features.  test_y: (M, C) labels.
        protocol: Shots, samples, negatives, costs, normalisation.
        seed: Seed of the draws.
        progress: Show mmengine's progress bar.
        done: Results already computed (``{'k/sample/cost': mAP}``), e.g. from a previous,
            interrupted run: they are reused, not recomputed.
        on_result: Called as ``on_result(key, mAP)`` after each new (k, sample, cost).

    Returns:
        ``{'runs': {'k/sample/cost': mAP}, 'per_k': {k: aggregate_low_shot(...)},
        'classes_scored': classes with a training and a test positive}``.
    """
    runs = dict(done or {})
    num_classes = train_y.shape[1]
    keep = [c for c in range(num_classes) if evaluable(train_y[:, c], test_y[:, c])]
    if not keep:
        raise ValueError('no class has both a training and a test positive')
    train_y, test_y = train_y[:, keep], test_y[:, keep]
    train_x = normalize_features(train_x, protocol.feature_eps)
    test_x = normalize_features(test_x, protocol.feature_eps)
    shots, samples = protocol.low_shot_k, protocol.low_shot_samples
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(shots) * samples)
    for k in shots:
        for s in range(samples):
            rows = None
            for cost in protocol.costs:
                key = f'{k}/{s}/{cost}'
                if key in runs:
                    continue
                if rows is None:
                    rows = low_shot_indices(train_y, k, s, protocol.low_shot_negatives, seed,
                                            num_classes)
                scores = np.zeros((len(test_x), len(keep)))
                for c, idx in enumerate(rows):
                    scores[:, c] = train_svm(train_x[idx], train_y[idx, c],
                                             cost).decision_function(test_x)
                runs[key] = 100. * mean_average_precision(scores, test_y)
                if on_result is not None:
                    on_result(key, runs[key])
            if bar is not None:
                bar.update()
    per_k = {int(k): aggregate_low_shot(runs, k, samples, protocol.costs) for k in shots}
    return {'runs': runs, 'per_k': per_k, 'classes_scored': len(keep)}
