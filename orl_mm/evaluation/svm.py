"""VOC07 linear SVMs on frozen features, as ORL's ``benchmarks/svm_tools`` train and test them.

The settings are :class:`~orl_mm.evaluation.voc07_protocol.VOC07Protocol` (default: the
reference's): features normalised as ``svm_helper.normalize_features`` (float64,
``x / (|x| + 1e-5)``); one ``LinearSVC`` per class (one-vs-rest, squared hinge, class weights
{1: 2, -1: 1}, :data:`~orl_mm.evaluation.voc07_protocol.LINEAR_SVC_KWARGS`); the cost of each
class chosen by 3-fold cross-validation (``StratifiedKFold(3)``, not shuffled, as
``cross_val_score(cv=3)``) over the 19 costs 1, 10, 100, 0.5^4 .. 0.5^19, scored as the
reference scores it (scikit-learn's non-interpolated average precision on the held-out
folds, difficult counted as negative: :func:`cv_average_precision`); ties go to the first
cost of the list (``np.argmax``). The score is the mAP over classes on the test split with
VOC's interpolated AP (:func:`average_precision`, the reference's
``svm_helper.calculate_ap``), difficult images left out.

Labels follow :mod:`orl_mm.evaluation.labeled_images`: 1 present, -1 absent, 0 difficult
(the reference's files say 1, 0 and -1); 0 counts as a negative in training and in the
cross-validation AP and is ignored by the test AP.

The per-class SVMs are independent: :func:`svm_benchmark` trains them in parallel with
joblib (``n_jobs``), one task per (class, cost) cross-validation and one per final fit, as
``train_svm_kfold_parallel.py`` spreads (class, cost) pairs over a process pool. Each
``LinearSVC`` has ``random_state=0`` (its dual coordinate descent shuffles the samples; the
reference leaves it unseeded), so the result does not depend on ``n_jobs``.

Guards for small sets (never met on VOC07): a class with fewer than ``folds`` training
positives (or negatives) is cross-validated on as many folds as it allows (at least 2, else
every cost scores ``nan`` and the first cost is used); a class without a training positive
or a test positive is not scored. The low-shot variant is :mod:`.svm_low_shot`.
"""
import warnings
from dataclasses import dataclass, field
from typing import Dict, List

import numpy as np

from .voc07_protocol import LINEAR_SVC_KWARGS, REFERENCE_PROTOCOL, VOC07Protocol, normalize_features

__all__ = ['average_precision', 'cv_average_precision', 'mean_average_precision', 'train_svm',
           'cv_splits', 'choose_cost', 'best_cost', 'SVMResult', 'svm_benchmark', 'evaluable']


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


def train_svm(features: np.ndarray, labels: np.ndarray, cost: float):
    """One ``LinearSVC`` with the reference's settings (:data:`LINEAR_SVC_KWARGS`,
    ``random_state=0``) on (N, D) features and (N,) labels in {1, 0, -1} (0 -> -1)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC
    clf = LinearSVC(C=cost, random_state=0, **LINEAR_SVC_KWARGS)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        clf.fit(features, _binary(labels))
    return clf


def cv_splits(labels: np.ndarray, folds: int = 3, shuffle: bool = False, seed: int = 0):
    """``StratifiedKFold`` splits of one class's labels (not shuffled by default, as
    ``cross_val_score(cv=3)``), or None when fewer than 2 folds fit.

    Returns:
        ``[(train rows, held-out rows), ...]``.
    """
    from sklearn.model_selection import StratifiedKFold
    y = _binary(labels)
    n_splits = min(folds, int((y == 1).sum()), int((y == -1).sum()))
    if n_splits < 2:
        return None
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=shuffle,
                               random_state=seed if shuffle else None)
    return list(splitter.split(np.zeros(len(y)), y))


def _cv_ap(features: np.ndarray, labels: np.ndarray, cost: float, folds: int,
           shuffle: bool = False, seed: int = 0) -> float:
    """Mean held-out-fold AP of one cost (``nan`` when the labels allow no 2 folds)."""
    splits = cv_splits(labels, folds, shuffle, seed)
    if splits is None:
        return float('nan')
    aps = []
    for tr, va in splits:
        clf = train_svm(features[tr], labels[tr], cost)
        aps.append(cv_average_precision(clf.decision_function(features[va]), labels[va]))
    return float(np.mean(aps))


def _fit_and_score(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                   test_y: np.ndarray, cost: float) -> float:
    """Test AP (%) of one class's SVM trained on the whole training split."""
    clf = train_svm(train_x, train_y, cost)
    return 100. * average_precision(clf.decision_function(test_x), test_y)


def choose_cost(features: np.ndarray, labels: np.ndarray,
                protocol: VOC07Protocol = REFERENCE_PROTOCOL, seed: int = 0) -> Dict[float, float]:
    """Mean held-out-fold AP of each cost of ``protocol.costs`` (stratified
    ``protocol.folds``-fold cross-validation on (N, D) ``features``, (N,) ``labels``).

    Returns:
        ``{cost: mean AP}``, in the order of the costs; with fewer than ``folds`` positives
        or negatives the folds are reduced to what the labels allow (minimum 2), and with
        fewer than 2 every cost scores ``nan``.
    """
    return {float(c): _cv_ap(features, labels, c, protocol.folds, protocol.shuffle_folds, seed)
            for c in protocol.costs}


def best_cost(scores: Dict[float, float]) -> float:
    """The cost of the best score, the first in the dict's (the cost list's) order on ties,
    as ``np.argmax``; ``nan`` scores are skipped, and with none left the first cost."""
    costs = list(scores)
    values = np.array([scores[c] for c in costs], dtype=np.float64)
    if np.isnan(values).all():
        return float(costs[0])
    return float(costs[int(np.nanargmax(values))])


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


def evaluable(train_labels: np.ndarray, test_labels: np.ndarray) -> bool:
    """A class can be scored when training has a positive and a negative and the test split
    has a positive (e.g. small multi-label sets miss some classes on one side)."""
    return bool((train_labels == 1).any() and (train_labels != 1).any()
                and (test_labels == 1).any())


def svm_benchmark(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                  test_y: np.ndarray, protocol: VOC07Protocol = REFERENCE_PROTOCOL,
                  seed: int = 0, progress: bool = False, n_jobs: int = 1) -> SVMResult:
    """One-vs-rest SVMs with per-class cost by cross-validation; test mAP (%).

    Classes without a training positive (or negative) or without a test positive get AP
    ``nan`` and are left out of the mAP (``SVMResult.aps`` says which).

    Args:
        train_x: (N, D) features as extracted (normalised here, ``protocol.feature_eps``).
        train_y: (N, C) labels in {1, 0, -1}.
        test_x: (M, D) features.  test_y: (M, C) labels.
        protocol: Costs, folds, normalisation.
        seed: Fold shuffling seed (only with ``protocol.shuffle_folds``).
        progress: Let joblib report the finished tasks.
        n_jobs: Worker processes (joblib; -1 = every core). The result does not depend on it.

    Returns:
        :class:`SVMResult` with ``mAP`` and per-class ``aps`` in percent.
    """
    from joblib import Parallel, delayed
    train_x = normalize_features(train_x, protocol.feature_eps)
    test_x = normalize_features(test_x, protocol.feature_eps)
    costs, n_classes = protocol.costs, train_y.shape[1]
    scored = [c for c in range(n_classes) if evaluable(train_y[:, c], test_y[:, c])]
    with Parallel(n_jobs=n_jobs, verbose=5 if progress else 0) as parallel:
        cv_aps = parallel(delayed(_cv_ap)(train_x, train_y[:, c], cost, protocol.folds,
                                          protocol.shuffle_folds, seed)
                          for c in scored for cost in costs)
        cvs = {c: {cost: cv_aps[i * len(costs) + j] for j, cost in enumerate(costs)}
               for i, c in enumerate(scored)}
        chosen = {c: best_cost(cvs[c]) for c in scored}
        test_aps = parallel(delayed(_fit_and_score)(train_x, train_y[:, c], test_x,
                                                    test_y[:, c], chosen[c]) for c in scored)
    aps = [float('nan')] * n_classes
    for c, ap in zip(scored, test_aps):
        aps[c] = ap
    valid_aps = [a for a in aps if not np.isnan(a)]
    return SVMResult(float(np.mean(valid_aps)) if valid_aps else float('nan'), aps,
                     [chosen.get(c, float('nan')) for c in range(n_classes)],
                     [cvs.get(c, {}) for c in range(n_classes)])
