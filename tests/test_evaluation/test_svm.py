"""VOC07 SVM protocol and the low-shot sampling on problems with known answers."""
import numpy as np
import pytest

from orl_mm.evaluation.svm import (average_precision, choose_cost, low_shot_benchmark,
                                   low_shot_indices, mean_average_precision, svm_benchmark)


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
    one = svm_benchmark(x, y, xt, yt, costs=(0.01, 1.0, 100.0))
    two = svm_benchmark(x, y, xt, yt, costs=(0.01, 1.0, 100.0), n_jobs=2)
    assert 0 < one.mAP < 100  # a noisy problem: the costs matter
    assert two.aps == one.aps and two.costs == one.costs and two.cv == one.cv
    assert two.mAP == one.mAP


def test_cross_validation_grid_and_degenerate_folds():
    x, y, _ = _toy()
    cv = choose_cost(x, y[:, 0], costs=(0.5, 2.0), folds=3)
    assert set(cv) == {0.5, 2.0} and all(v == pytest.approx(1.0) for v in cv.values())
    one_pos = -np.ones(len(x), np.int8)
    one_pos[0] = 1
    assert all(np.isnan(v) for v in choose_cost(x, one_pos).values())


def test_low_shot_sampling():
    _, y, _ = _toy(n_per_class=10, n_classes=3)
    for k in (1, 2, 4, 8):
        rows = low_shot_indices(y, k, sample=0)
        for c, idx in enumerate(rows):
            assert (y[idx, c] == 1).sum() == k and (y[idx, c] == -1).sum() == k
            assert len(set(idx.tolist())) == 2 * k
    # deterministic in (seed, k, sample); samples differ
    a = low_shot_indices(y, 2, 0)
    assert all((p == q).all() for p, q in zip(a, low_shot_indices(y, 2, 0)))
    assert any(not np.array_equal(p, q) for p, q in zip(a, low_shot_indices(y, 2, 1)))
    all_neg = low_shot_indices(y, 2, 0, negatives='all')
    assert [(y[i, c] == -1).sum() for c, i in enumerate(all_neg)] == [20, 20, 20]
    with pytest.warns(UserWarning, match='only 10 positives'):
        rows = low_shot_indices(y, 16, 0)
    assert (y[rows[0], 0] == 1).sum() == 10


def test_low_shot_benchmark_and_resume():
    x, y, _ = _toy(seed=0)
    xt, yt, _ = _toy(seed=1)
    res = low_shot_benchmark(x, y, xt, yt, shots=(1, 4), samples=2, costs=(1.0, 10.0))
    assert set(res['runs']) == {f'{k}/{s}/{c}' for k in (1, 4) for s in (0, 1)
                                for c in (1.0, 10.0)}
    assert res['per_k'][4]['mAP'] == pytest.approx(100.0)
    # finished runs are reused, not recomputed
    seen = []
    done = {'1/0/1.0': 0.0, '1/0/10.0': 0.0}
    again = low_shot_benchmark(x, y, xt, yt, shots=(1, ), samples=2, costs=(1.0, 10.0),
                               done=done, on_result=lambda k, v: seen.append(k))
    assert sorted(seen) == ['1/1/1.0', '1/1/10.0']
    assert again['per_k'][1]['mAP'] == pytest.approx(res['runs']['1/1/1.0'] / 2)


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
    low = low_shot_benchmark(x, y, xt, yt, shots=(1, ), samples=1, costs=(1.0, ))
    assert low['classes_scored'] == 2


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
