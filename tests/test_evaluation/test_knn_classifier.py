"""Weighted k-NN: exact vote weights and accuracy on a toy problem."""
import numpy as np
import pytest

from orl_mm.evaluation.knn_classifier import knn_accuracy, knn_benchmark, knn_scores


def test_weighted_vote_exact_and_temperature():
    train = np.array([[1., 0.], [1., 0.], [0., 1.]])
    t = np.array([0, 0, 1])
    q = np.array([[0.6, 0.8]])
    s = knn_scores(train, t, q, k=3, num_classes=2, temperature=0.07)
    np.testing.assert_allclose(s, [[2 * np.exp(0.6 / 0.07), np.exp(0.8 / 0.07)]], rtol=1e-5)
    assert s.argmax() == 1  # sharp T: the closest neighbour outweighs two farther ones
    s1 = knn_scores(train, t, q, k=3, num_classes=2, temperature=1.0)
    assert s1.argmax() == 0  # soft T: two neighbours outvote one
    # k=1 keeps only the nearest; k larger than the bank is clipped
    np.testing.assert_allclose(knn_scores(train, t, q, 1, 2), [[0., np.exp(0.8 / 0.07)]],
                               rtol=1e-5)
    assert knn_scores(train, t, q, 200, 2).shape == (1, 2)


def test_knn_toy_accuracy():
    rng = np.random.default_rng(0)
    centers = np.eye(8)[:4]
    t = np.repeat(np.arange(4), 25)
    x = centers[t] + 0.2 * rng.standard_normal((100, 8))
    tt = np.repeat(np.arange(4), 10)
    xt = centers[tt] + 0.2 * rng.standard_normal((40, 8))
    assert knn_accuracy(x, t, xt, tt, k=10, num_classes=4) == pytest.approx(100.0)
    res = knn_benchmark(x, t, xt, tt, 4)
    assert set(res) == {10, 20, 100, 200} and res[20] == pytest.approx(100.0)
    # shuffled labels: chance level, not 100
    assert knn_accuracy(x, rng.permutation(t), xt, tt, 10, 4) < 60
