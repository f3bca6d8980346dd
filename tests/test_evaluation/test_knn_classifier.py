"""Weighted k-NN: exact vote weights (single- and multi-label), the k used, a toy problem."""
import numpy as np
import pytest

from orl_mm.evaluation.knn_classifier import (k_used, knn_accuracy, knn_benchmark, knn_scores,
                                              multilabel_knn_map, multilabel_knn_scores)


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


def test_multilabel_vote_exact():
    """Each class's score is the exp(sim / T)-weighted share of the k nearest images that
    contain it (cosine: the bank need not be normalised; difficult (0) does not vote)."""
    train = np.array([[2., 0.], [0., 3.], [1., 1.]])  # unit: (1, 0), (0, 1), (.707, .707)
    labels = np.array([[1, 1], [-1, 1], [0, -1]])
    q = np.array([[0.6, 0.8]])
    sims = np.array([0.6, 0.8, 1.4 / np.sqrt(2)])
    w = np.exp(sims / 0.07)
    s = multilabel_knn_scores(train, labels, q, k=3)
    np.testing.assert_allclose(s, [[w[0] / w.sum(), (w[0] + w[1]) / w.sum()]], rtol=1e-5)
    # k = 2 keeps the two nearest: (.707, .707) and (0, 1)
    s2 = multilabel_knn_scores(train, labels, q, k=2, temperature=1.0)
    w2 = np.exp(sims[[1, 2]])
    np.testing.assert_allclose(s2, [[0., w2[0] / w2.sum()]], rtol=1e-5)
    # mAP over classes present in training; a class never present there is left out
    xt = np.array([[1., 0.], [0., 1.]])
    yt = np.array([[1, 1, -1], [-1, 1, 1]])  # class 2 would score AP 0.5 (tied scores)
    padded = np.concatenate([labels, -np.ones((3, 1), np.int64)], 1)
    assert multilabel_knn_map(train, padded, xt, yt, k=1) == pytest.approx(100.0)


def test_k_used_is_clipped_to_the_training_set():
    assert [k_used(k, 32) for k in (10, 20, 100, 200)] == [10, 20, 32, 32]
    with pytest.raises(ValueError, match='k must be at least 1'):
        k_used(0, 5)
