"""VOC07 SVMs on problems with known answers, and the reference's CV and tie rules."""
from dataclasses import replace

import numpy as np
import pytest

from orl_mm.evaluation.svm import (average_precision, best_cost, choose_cost, cv_splits,
                                   mean_average_precision, svm_benchmark)
from orl_mm.evaluation.voc07_protocol import REFERENCE_PROTOCOL


def test_average_precision_exact():
    # ranks: +, -, +, -  -> precision 1 at recall 1/2, 2/3 at recall 1
    assert average_precision([0.9, 0.8, 0.7, 0.6], [1, -1, 1, -1]) == pytest.approx(5 / 6)
    # a difficult (0) entry is ignored wherever it ranks
    assert average_precision([1.0, 0.9, 0.8, 0.7, 0.6], [0, 1, -1, 1, -1]) == pytest.approx(5 / 6)
    assert average_precision([0.1, 0.2, 0.3], [1, -1, -1]) == pytest.approx(1 / 3)
    assert average_precision([0.3, 0.2], [1, 1]) == 1.0
    assert np.isnan(average_precision([0.3, 0.2], [-1, -1]))
    scores = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4]])
    labels = np.array([[1, 1], [-1, -1], [1, -1], [-1, -1]])
    assert mean_average_precision(scores, labels) == pytest.approx((5 / 6 + 1 / 4) / 2)


def _toy(n_per_class=12, n_classes=4, dim=32, noise=0.3, seed=0):
    """Clusters around orthogonal directions: linearly separable, with noise."""
    rng = np.random.default_rng(seed)
    t = np.repeat(np.arange(n_classes), n_per_class)
    x = np.eye(dim)[t] + noise * rng.standard_normal((len(t), dim)) / np.sqrt(dim)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = -np.ones((len(t), n_classes), np.int8)
    y[np.arange(len(t)), t] = 1
    return x.astype(np.float32), y, t


def test_svm_separable_toy_is_perfect_and_random_labels_are_not():
    x, y, _ = _toy(seed=0)
    xt, yt, _ = _toy(seed=1)
    res = svm_benchmark(x, y, xt, yt)
    assert res.mAP == pytest.approx(100.0)
    assert res.aps == pytest.approx([100.0] * 4)
    assert all(c in (1.0, 10.0, 100.0) for c in res.costs)
    # every cost separates the toy perfectly in CV: ties go to the smallest cost
    assert res.costs == [1.0] * 4
    # labels unrelated to the features: far from perfect
    rng = np.random.default_rng(0)
    noise_x = rng.standard_normal((48, 32)).astype(np.float32)
    assert svm_benchmark(noise_x, y, xt, yt).mAP < 80


def test_parallel_svms_give_the_sequential_result():
    """joblib workers (n_jobs=2) reproduce the one-process result exactly, class by class."""
    rng = np.random.default_rng(3)
    x, y, _ = _toy(seed=0, noise=3.0)
    xt, yt, _ = _toy(seed=1, noise=3.0)
    y[rng.random(y.shape) < 0.05] = 0  # some difficult labels
    grid = replace(REFERENCE_PROTOCOL, costs=(0.01, 1.0, 100.0))
    one = svm_benchmark(x, y, xt, yt, grid)
    two = svm_benchmark(x, y, xt, yt, grid, n_jobs=2)
    assert 0 < one.mAP < 100  # a noisy problem: the costs matter
    assert two.aps == one.aps and two.costs == one.costs and two.cv == one.cv
    assert two.mAP == one.mAP


def test_cross_validation_grid_and_degenerate_folds():
    x, y, _ = _toy()
    cv = choose_cost(x, y[:, 0], replace(REFERENCE_PROTOCOL, costs=(0.5, 2.0)))
    assert set(cv) == {0.5, 2.0} and all(v == pytest.approx(1.0) for v in cv.values())
    one_pos = -np.ones(len(x), np.int8)
    one_pos[0] = 1
    assert all(np.isnan(v) for v in choose_cost(x, one_pos).values())


def test_classes_missing_on_one_side_are_not_scored():
    x, y, _ = _toy(seed=0)
    xt, yt, _ = _toy(seed=1)
    y[:, 3] = -1  # no training positive for class 3
    yt[:, 2] = -1  # no test positive for class 2
    res = svm_benchmark(x, y, xt, yt)
    assert np.isnan(res.aps[2]) and np.isnan(res.aps[3]) and res.aps[:2] == [100.0, 100.0]
    assert res.mAP == pytest.approx(100.0)
    d = res.to_dict()
    assert d['aps'][2] is None and d['classes_scored'] == 2


def test_cross_validation_ap_is_the_references_scorer():
    """Known answer: positives at ranks 2 and 3 -> (1/2 + 2/3) / 2 (no envelope, which
    average_precision applies: 2/3); difficult (0) counts as negative, as in the reference."""
    from orl_mm.evaluation.svm import cv_average_precision
    scores = np.array([0.9, 0.8, 0.7])
    assert cv_average_precision(scores, np.array([-1, 1, 1])) == pytest.approx(7 / 12, abs=1e-6)
    assert cv_average_precision(scores, np.array([0, 1, 1])) == pytest.approx(7 / 12, abs=1e-6)
    assert average_precision(scores, np.array([-1, 1, 1])) == pytest.approx(2 / 3)
    assert np.isnan(cv_average_precision(scores, np.array([-1, 0, -1])))
    # equals scikit-learn's average_precision_score (the reference's cross_val_score scorer)
    from sklearn.metrics import average_precision_score
    rng = np.random.default_rng(0)
    s, y = rng.standard_normal(200), rng.choice([1, -1, 0], 200)
    assert cv_average_precision(s, y) == pytest.approx(average_precision_score(y == 1, s),
                                                       abs=1e-6)


def test_default_cost_grid_is_the_references_19_in_order():
    """svm_helper.parse_cost_list('1.0,10.0,100.0'): 1, 10, 100, then 0.5^4 .. 0.5^19."""
    x, y, _ = _toy(n_per_class=6)
    cv = choose_cost(x, y[:, 0])
    assert list(cv) == [1.0, 10.0, 100.0] + [0.5 ** n for n in range(4, 20)]
    assert len(cv) == 19 and list(cv)[3] == 0.0625 and list(cv)[-1] == 2 ** -19


def test_folds_are_stratified_and_not_shuffled():
    """cross_val_score(cv=3) = StratifiedKFold(3) without shuffling: fold i holds the i-th
    third of each class, in row order."""
    labels = np.array([1, 1, 1, -1, -1, -1, 0, -1, -1])  # difficult (0) is a negative
    held_out = [va.tolist() for _, va in cv_splits(labels)]
    assert held_out == [[0, 3, 4], [1, 5, 6], [2, 7, 8]]
    assert [va.tolist() for _, va in cv_splits(labels, shuffle=True, seed=1)] != held_out


def test_ties_go_to_the_first_cost_of_the_list():
    """np.argmax over the reference's cost order: 1.0 beats 0.0625 on a tie (the smallest
    cost would be 0.0625); nan scores are skipped."""
    assert best_cost({1.0: 0.5, 10.0: 0.4, 0.0625: 0.5}) == 1.0
    assert best_cost({100.0: 0.7, 1.0: 0.7}) == 100.0
    assert best_cost({1.0: float('nan'), 0.0625: 0.2}) == 0.0625
    assert best_cost({1.0: float('nan'), 10.0: float('nan')}) == 1.0


def test_svm_normalises_the_features_as_the_reference():
    """Raw features are divided by |x| + 1e-5 (float64) before training: scaling every row
    by a different positive factor leaves the costs and APs unchanged (not so without it)."""
    x, y, _ = _toy(seed=0, noise=3.0)
    xt, yt, _ = _toy(seed=1, noise=3.0)
    grid = replace(REFERENCE_PROTOCOL, costs=(0.01, 1.0, 100.0))
    ref = svm_benchmark(x, y, xt, yt, grid)
    rng = np.random.default_rng(0)
    scale = rng.uniform(50, 500, (len(x), 1)).astype(np.float32)
    scaled = svm_benchmark(x * scale, y, xt * 300, yt, grid)
    assert scaled.costs == ref.costs
    assert scaled.aps == pytest.approx(ref.aps, abs=1e-6)


def test_cross_validation_is_the_references_cross_val_score():
    """train_svm_kfold.py: cross_val_score(LinearSVC(...), X, y, cv=3,
    scoring='average_precision').mean() on the normalised features, difficult as -1."""
    from sklearn.model_selection import cross_val_score
    from sklearn.svm import LinearSVC

    from orl_mm.evaluation.voc07_protocol import LINEAR_SVC_KWARGS, normalize_features
    x, y, _ = _toy(seed=2, noise=3.0)
    labels = y[:, 1].copy()
    labels[::7] = 0  # some difficult
    xn = normalize_features(x)
    grid = replace(REFERENCE_PROTOCOL, costs=(0.0625, 1.0, 100.0))
    ours = choose_cost(xn, labels, grid)
    for cost, value in ours.items():
        clf = LinearSVC(C=cost, random_state=0, **LINEAR_SVC_KWARGS)
        ref = cross_val_score(clf, xn, np.where(labels == 1, 1, -1), cv=3,
                              scoring='average_precision').mean()
        assert value == pytest.approx(ref, abs=1e-6)
    assert len(set(np.round(list(ours.values()), 6))) > 1  # the costs really differ here
