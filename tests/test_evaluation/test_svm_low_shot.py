"""Low-shot SVMs: the reference's (C - 1) * k negatives, its per-k statistics, resuming."""
from dataclasses import replace

import numpy as np
import pytest

from orl_mm.evaluation.svm_low_shot import aggregate_low_shot, low_shot_benchmark, low_shot_indices
from orl_mm.evaluation.voc07_protocol import REFERENCE_PROTOCOL


def _toy(n_per_class=12, n_classes=4, dim=32, noise=0.3, seed=0):
    """Clusters around orthogonal directions: linearly separable, with noise."""
    rng = np.random.default_rng(seed)
    t = np.repeat(np.arange(n_classes), n_per_class)
    x = np.eye(dim)[t] + noise * rng.standard_normal((len(t), dim)) / np.sqrt(dim)
    y = -np.ones((len(t), n_classes), np.int8)
    y[np.arange(len(t)), t] = 1
    return x.astype(np.float32), y


def test_a_k_shot_class_takes_k_positives_and_c_minus_1_times_k_negatives():
    _, y = _toy(n_per_class=10, n_classes=4)
    y[0, 1] = 0  # a difficult image of class 1 is never drawn as its negative
    for k in (1, 2, 3):
        for c, idx in enumerate(low_shot_indices(y, k, sample=0)):
            assert (y[idx, c] == 1).sum() == k and (y[idx, c] == -1).sum() == 3 * k
            assert len(idx) == 4 * k and (y[idx, c] == 0).sum() == 0
    # C is the number of classes of the label file, even when fewer columns are trained
    rows = low_shot_indices(y[:, :2], 2, 0, num_classes=8)
    assert [(y[i, c] == -1).sum() for c, i in enumerate(rows)] == [14, 14]  # (8 - 1) * 2
    with pytest.warns(UserWarning, match='class 1 negatives: only 29 for 38 asked'):
        rows = low_shot_indices(y[:, :2], 2, 0, num_classes=20)
    assert [(y[i, c] == -1).sum() for c, i in enumerate(rows)] == [30, 29]  # all there are
    assert [(y[i, c] == -1).sum() for c, i in enumerate(low_shot_indices(y, 2, 0, 'k'))] == [2] * 4
    everything = low_shot_indices(y, 2, 0, negatives='all')
    assert [(y[i, c] == -1).sum() for c, i in enumerate(everything)] == [30, 29, 30, 30]


def test_samples_are_deterministic_and_independent():
    _, y = _toy(n_per_class=10, n_classes=3)
    a = low_shot_indices(y, 2, 0)
    assert all(np.array_equal(p, q) for p, q in zip(a, low_shot_indices(y, 2, 0)))
    assert any(not np.array_equal(p, q) for p, q in zip(a, low_shot_indices(y, 2, 1)))
    with pytest.warns(UserWarning, match='only 10 for 16 asked'):
        rows = low_shot_indices(y, 16, 0)
    assert (y[rows[0], 0] == 1).sum() == 10
    with pytest.raises(ValueError, match="negatives must be 'per_other_class', 'k' or 'all'"):
        low_shot_indices(y, 1, 0, negatives='some')


def test_aggregate_is_the_references_mean_min_max_std_at_the_best_mean_cost():
    """aggregate_low_shot_svm_stats: per cost, statistics over the samples; the cost of
    the best mean (first on ties) reports mean / min / max / np.std."""
    runs = {'1/0/1.0': 50., '1/1/1.0': 70., '1/2/1.0': 60.,
            '1/0/0.0625': 80., '1/1/0.0625': 40., '1/2/0.0625': 60.,
            '1/0/10.0': 10., '1/1/10.0': 20., '1/2/10.0': 30.}
    out = aggregate_low_shot(runs, 1, 3, (1.0, 10.0, 0.0625))
    assert out['cost'] == 1.0  # means 60 / 20 / 60: the tie goes to the first listed
    assert (out['mAP'], out['min'], out['max']) == (60., 50., 70.)
    assert out['std'] == pytest.approx(np.sqrt(200 / 3))  # population std of 50, 70, 60
    assert out['per_cost'] == {'1.0': 60., '10.0': 20., '0.0625': 60.}
    swapped = aggregate_low_shot(runs, 1, 3, (0.0625, 10.0, 1.0))
    assert swapped['cost'] == 0.0625 and swapped['std'] == pytest.approx(np.sqrt(800 / 3))


def test_low_shot_benchmark_and_resume():
    x, y = _toy(seed=0)
    xt, yt = _toy(seed=1)
    proto = replace(REFERENCE_PROTOCOL, costs=(1.0, 10.0), low_shot_k=(1, 2),
                    low_shot_samples=2)
    res = low_shot_benchmark(x, y, xt, yt, proto)
    assert set(res['runs']) == {f'{k}/{s}/{c}' for k in (1, 2) for s in (0, 1)
                                for c in (1.0, 10.0)}
    assert res['per_k'][2]['mAP'] == pytest.approx(100.0)
    assert set(res['per_k'][1]) == {'mAP', 'min', 'max', 'std', 'cost', 'per_cost'}
    # finished runs are reused, not recomputed
    seen = []
    done = {'1/0/1.0': 0.0, '1/0/10.0': 0.0}
    again = low_shot_benchmark(x, y, xt, yt, replace(proto, low_shot_k=(1, )), done=done,
                               on_result=lambda k, v: seen.append(k))
    assert sorted(seen) == ['1/1/1.0', '1/1/10.0']
    assert again['per_k'][1]['min'] == 0.0
    assert again['per_k'][1]['mAP'] == pytest.approx(max(res['runs']['1/1/1.0'],
                                                         res['runs']['1/1/10.0']) / 2)
    y[:, 3] = -1  # no training positive for class 3: not scored
    assert low_shot_benchmark(x, y, xt, yt, replace(proto, low_shot_k=(1, ),
                                                    low_shot_samples=1))['classes_scored'] == 3
