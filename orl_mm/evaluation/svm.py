"""VOC07-style linear SVMs on frozen features, and the low-shot variant.

The protocol of Goyal et al. (ICCV 2019), used in ORL's Tables 1, 2 and 5: one linear SVM
per class (one-vs-rest) on L2-normalised features, ``LinearSVC`` with the squared hinge loss
and class weights {1: 2, -1: 1}; the cost of each class is chosen by 3-fold cross-validation
over a grid, {1, 10, 100} by default, scored as the reference scores it (scikit-learn's
non-interpolated average precision on the held-out folds, difficult counted as negative:
:func:`cv_average_precision`, mmpretrain's ``AveragePrecision``); the score is the mAP over
classes on the test split with VOC's interpolated AP (:func:`average_precision`, the
reference's ``svm_helper.calculate_ap``, which no library metric reproduces).

Labels follow :mod:`orl_mm.evaluation.labeled_images`: 1 present, -1 absent, 0 difficult;
0 counts as a negative in training and in the cross-validation AP and is ignored by the test AP.

The per-class SVMs are independent: :func:`svm_benchmark` trains them in parallel with
joblib (``n_jobs``), one task per (class, cost) cross-validation and one per final fit, as
the reference's ``benchmarks/svm_tools/train_svm_kfold_parallel.py`` spreads (class, cost)
pairs over a process pool. Each ``LinearSVC`` has a fixed ``random_state`` (its dual
coordinate descent shuffles the samples), so the result does not depend on ``n_jobs``.

Low-shot (ORL Table 2): for k in {1, 2, 4, 8, 16, 32, 64, 96} and 5 random samples, each
class is trained on k of its positives and k negatives (``negatives='k'``; ``'all'`` keeps
every negative) drawn from the training split, with every cost of the grid; the score of a
(k, cost) pair is the mean test mAP over the samples, and the reported number for k is the
best cost's.
"""
import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

__all__ = ['average_precision', 'cv_average_precision', 'mean_average_precision', 'train_svm',
           'choose_cost', 'SVMResult', 'svm_benchmark', 'low_shot_indices', 'low_shot_benchmark',
           'DEFAULT_COSTS', 'LOW_SHOT_K']

DEFAULT_COSTS = (1.0, 10.0, 100.0)
LOW_SHOT_K = (1, 2, 4, 8, 16, 32, 64, 96)
CLASS_WEIGHT = {1: 2, -1: 1}


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """VOC (2010+) average precision: area under the monotone precision-recall envelope.

    Args:
        scores: (N,) classifier scores.
        labels: (N,) in {1, -1, 0}; entries with label 0 are ignored.

    Returns:
        AP in [0, 1]; ``nan`` when there is no positive.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    keep = labels != 0
    scores, labels = scores[keep], labels[keep]
    n_pos = int((labels == 1).sum())
    if n_pos == 0:
        return float('nan')
    order = np.argsort(-scores, kind='stable')
    tp = np.cumsum(labels[order] == 1)
    fp = np.cumsum(labels[order] != 1)
    recall = tp / n_pos
    precision = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    mrec = np.concatenate([[0.], recall, [1.]])
    mpre = np.concatenate([[0.], precision, [0.]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    idx = np.flatnonzero(mrec[1:] != mrec[:-1])
    return float(((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]).sum())


def cv_average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """The cross-validation score of the reference: non-interpolated AP, difficult = negative.

    The reference scores each cost with scikit-learn's ``cross_val_score(...,
    scoring='average_precision')`` on labels where difficult (and absent) are -1: the mean,
    over the positives, of the precision at each positive (no monotone envelope). This is
    mmpretrain's ``AveragePrecision`` metric, used here.

    Args:
        scores: (N,) classifier scores.
        labels: (N,) in {1, -1, 0}; only 1 counts as positive.

    Returns:
        AP in [0, 1]; ``nan`` when there is no positive.
    """
    import torch
    from mmpretrain.evaluation import AveragePrecision
    target = (np.asarray(labels) == 1).astype(np.int64)
    if not target.any():
        return float('nan')
    pred = torch.as_tensor(np.asarray(scores, dtype=np.float64))[:, None]
    return float(AveragePrecision.calculate(pred, torch.as_tensor(target)[:, None])) / 100.


def mean_average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean over classes (columns) of :func:`average_precision`, skipping classes without
    positives."""
    aps = [average_precision(scores[:, c], labels[:, c]) for c in range(labels.shape[1])]
    aps = [a for a in aps if not np.isnan(a)]
    return float(np.mean(aps)) if aps else float('nan')


def _binary(labels: np.ndarray) -> np.ndarray:
    y = np.where(np.asarray(labels) == 1, 1, -1)
    return y.astype(np.int64)


def train_svm(features: np.ndarray, labels: np.ndarray, cost: float, max_iter: int = 2000):
    """One ``LinearSVC`` (squared hinge, class weight {1: 2, -1: 1}) on labels in {1, 0, -1}."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC
    clf = LinearSVC(C=cost, class_weight=CLASS_WEIGHT, loss='squared_hinge', penalty='l2',
                    dual=True, intercept_scaling=1.0, tol=1e-4, max_iter=max_iter,
                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        clf.fit(features, _binary(labels))
    return clf


def _cv_splits(labels: np.ndarray, folds: int, seed: int):
    """Stratified splits of one class's labels, or None when fewer than 2 folds fit."""
    from sklearn.model_selection import StratifiedKFold
    y = _binary(labels)
    n_splits = min(folds, int((y == 1).sum()), int((y == -1).sum()))
    if n_splits < 2:
        return None
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


def _cv_ap(features: np.ndarray, labels: np.ndarray, cost: float, folds: int,
           seed: int) -> float:
    """Mean held-out-fold AP of one cost (``nan`` when the labels allow no 2 folds)."""
    splits = _cv_splits(labels, folds, seed)
    if splits is None:
        return float('nan')
    aps = []
    for tr, va in splits:
        clf = train_svm(features[tr], labels[tr], cost)
        aps.append(cv_average_precision(clf.decision_function(features[va]), labels[va]))
    return float(np.nanmean(aps))


def _fit_and_score(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                   test_y: np.ndarray, cost: float) -> float:
    """Test AP (%) of one class's SVM trained on the whole training split."""
    clf = train_svm(train_x, train_y, cost)
    return 100. * average_precision(clf.decision_function(test_x), test_y)


def choose_cost(features: np.ndarray, labels: np.ndarray, costs: Sequence[float] = DEFAULT_COSTS,
                folds: int = 3, seed: int = 0) -> Dict[float, float]:
    """Mean held-out-fold AP of each cost (stratified ``folds``-fold cross-validation).

    Returns:
        ``{cost: mean AP}``; with fewer than ``folds`` positives or negatives the folds are
        reduced to what the labels allow (minimum 2), and with fewer than 2 every cost scores
        ``nan``.
    """
    return {float(c): _cv_ap(features, labels, c, folds, seed) for c in costs}


def _best_cost(cv: Dict[float, float], costs: Sequence[float]) -> float:
    """The cost of the best CV AP; ties and no-CV cases: the smallest of the best."""
    valid = {k: v for k, v in cv.items() if not np.isnan(v)}
    return max(valid, key=lambda k: (valid[k], -k)) if valid else float(costs[0])


@dataclass
class SVMResult:
    """Per-class APs, chosen costs and the mAP (in percent, as the paper reports)."""
    mAP: float
    aps: List[float]
    costs: List[float]
    cv: List[Dict[float, float]] = field(default_factory=list)

    def to_dict(self) -> dict:
        def clean(values):  # JSON has no NaN: unscored classes are null
            return [None if np.isnan(v) else v for v in values]

        return {'mAP': self.mAP, 'aps': clean(self.aps), 'costs': clean(self.costs),
                'classes_scored': int(np.sum(~np.isnan(self.aps))),
                'cv': [{str(k): v for k, v in d.items()} for d in self.cv]}


def _evaluable(train_labels: np.ndarray, test_labels: np.ndarray) -> bool:
    """A class can be scored when training has a positive and a negative and the test split
    has a positive (e.g. small multi-label sets miss some classes on one side)."""
    return bool((train_labels == 1).any() and (train_labels != 1).any()
                and (test_labels == 1).any())


def svm_benchmark(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                  test_y: np.ndarray, costs: Sequence[float] = DEFAULT_COSTS, folds: int = 3,
                  seed: int = 0, progress: bool = False, n_jobs: int = 1) -> SVMResult:
    """One-vs-rest SVMs with per-class cost by cross-validation; test mAP (%).

    Classes without a training positive (or negative) or without a test positive get AP
    ``nan`` and are left out of the mAP (``SVMResult.aps`` says which).

    Args:
        train_x: (N, D) features.  train_y: (N, C) labels in {1, 0, -1}.
        test_x: (M, D) features.  test_y: (M, C) labels.
        costs: Cost grid.  folds: Cross-validation folds.
        progress: Let joblib report the finished tasks.
        n_jobs: Worker processes (joblib; -1 = every core). The result does not depend on it.

    Returns:
        :class:`SVMResult` with ``mAP`` and per-class ``aps`` in percent.
    """
    from joblib import Parallel, delayed
    n_classes = train_y.shape[1]
    scored = [c for c in range(n_classes) if _evaluable(train_y[:, c], test_y[:, c])]
    with Parallel(n_jobs=n_jobs, verbose=5 if progress else 0) as parallel:
        cv_aps = parallel(delayed(_cv_ap)(train_x, train_y[:, c], float(cost), folds, seed)
                          for c in scored for cost in costs)
        cvs = {c: {float(cost): cv_aps[i * len(costs) + j] for j, cost in enumerate(costs)}
               for i, c in enumerate(scored)}
        chosen = {c: _best_cost(cvs[c], costs) for c in scored}
        test_aps = parallel(delayed(_fit_and_score)(train_x, train_y[:, c], test_x,
                                                    test_y[:, c], chosen[c]) for c in scored)
    aps = [float('nan')] * n_classes
    for c, ap in zip(scored, test_aps):
        aps[c] = ap
    valid_aps = [a for a in aps if not np.isnan(a)]
    return SVMResult(float(np.mean(valid_aps)) if valid_aps else float('nan'), aps,
                     [chosen.get(c, float('nan')) for c in range(n_classes)],
                     [cvs.get(c, {}) for c in range(n_classes)])


def low_shot_indices(labels: np.ndarray, k: int, sample: int, negatives: str = 'k',
                     seed: int = 0) -> List[np.ndarray]:
    """Training rows of each class for one low-shot sample.

    Args:
        labels: (N, C) training labels in {1, 0, -1}.
        k: Positives per class (all of them when a class has fewer, with a warning).
        sample: Index of the random sample (0..4); (seed, k, sample) fixes the draw.
        negatives: ``'k'`` (k negatives, label -1) or ``'all'``.

    Returns:
        One sorted index array per class.
    """
    if negatives not in ('k', 'all'):
        raise ValueError(f"negatives must be 'k' or 'all', got {negatives!r}")
    rng = np.random.default_rng([seed, k, sample])
    out = []
    for c in range(labels.shape[1]):
        pos = np.flatnonzero(labels[:, c] == 1)
        neg = np.flatnonzero(labels[:, c] == -1)
        if len(pos) < k:
            warnings.warn(f'class {c}: only {len(pos)} positives for {k}-shot; using all')
        chosen = [rng.choice(pos, size=min(k, len(pos)), replace=False)]
        chosen.append(neg if negatives == 'all' else
                      rng.choice(neg, size=min(k, len(neg)), replace=False))
        out.append(np.sort(np.concatenate(chosen)))
    return out


def low_shot_benchmark(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                       test_y: np.ndarray, shots: Sequence[int] = LOW_SHOT_K,
                       samples: int = 5, costs: Sequence[float] = DEFAULT_COSTS,
                       negatives: str = 'k', seed: int = 0, progress: bool = False,
                       done: Optional[dict] = None, on_result=None) -> dict:
    """Low-shot SVM mAP (%) for each k: mean over samples, best cost.

    Args:
        done: Results already computed (``{'k/sample/cost': mAP}``), e.g. from a previous,
            interrupted run: they are reused, not recomputed.
        on_result: Called as ``on_result(key, mAP)`` after each new (k, sample, cost).

    Returns:
        ``{'runs': {'k/sample/cost': mAP}, 'per_k': {k: {'mAP': best mean, 'cost': c,
        'per_cost': {cost: mean}, 'std': std over samples at the best cost}},
        'classes_scored': number of classes with a training and a test positive}``.
    """
    runs = dict(done or {})
    keep = [c for c in range(train_y.shape[1]) if _evaluable(train_y[:, c], test_y[:, c])]
    if not keep:
        raise ValueError('no class has both a training and a test positive')
    train_y, test_y = train_y[:, keep], test_y[:, keep]
    n_classes = len(keep)
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(shots) * samples)
    for k in shots:
        for s in range(samples):
            rows = None
            for cost in costs:
                key = f'{k}/{s}/{float(cost)}'
                if key in runs:
                    continue
                if rows is None:
                    rows = low_shot_indices(train_y, k, s, negatives, seed)
                scores = np.zeros((len(test_x), n_classes))
                for c in range(n_classes):
                    clf = train_svm(train_x[rows[c]], train_y[rows[c], c], cost)
                    scores[:, c] = clf.decision_function(test_x)
                runs[key] = 100. * mean_average_precision(scores, test_y)
                if on_result is not None:
                    on_result(key, runs[key])
            if bar is not None:
                bar.update()
    per_k = {}
    for k in shots:
        per_cost = {float(c): float(np.mean([runs[f'{k}/{s}/{float(c)}'] for s in range(samples)]))
                    for c in costs}
        best = max(per_cost, key=lambda c: (per_cost[c], -c))
        std = float(np.std([runs[f'{k}/{s}/{best}'] for s in range(samples)]))
        per_k[int(k)] = {'mAP': per_cost[best], 'cost': best, 'std': std,
                         'per_cost': {str(c): v for c, v in per_cost.items()}}
    return {'runs': runs, 'per_k': per_k, 'classes_scored': n_classes}
