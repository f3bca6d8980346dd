"""Pair selection: count, identity vs brute force, ties (cached vs naive mining of the
production steps: test_runner.py)."""
import numpy as np
import pytest

from orl_mm.correspondence.pairs import mine_image_pairs, num_pairs, select_pairs


def _normalize(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize('bq,bk,ratio,expected', [
    (100, 80, 0.1, 10), (37, 5, 0.1, 3), (9, 9, 0.1, 1), (1, 4, 0.1, 1), (20, 3, 0.5, 10)])
def test_count(bq, bk, ratio, expected):
    assert num_pairs(bq, ratio) == expected
    rng = np.random.default_rng(bq)
    q, k = _normalize(rng.standard_normal((bq, 8))), _normalize(rng.standard_normal((bk, 8)))
    qi, ki, s = select_pairs(q, k, ratio)
    assert len(qi) == len(ki) == len(s) == expected


def test_identity_vs_brute_force():
    rng = np.random.default_rng(1)
    q, k = _normalize(rng.standard_normal((50, 16))), _normalize(rng.standard_normal((30, 16)))
    qi, ki, s = select_pairs(q, k, 0.1)
    # brute force: every (a, b) with its cosine, sorted by cosine desc then flat index
    entries = sorted(((-float(np.dot(q[a], k[b])), a * 30 + b, a, b)
                      for a in range(50) for b in range(30)))
    top = entries[:5]
    assert list(zip(qi.tolist(), ki.tolist())) == [(a, b) for _, _, a, b in top]
    np.testing.assert_allclose(s, [-v for v, *_ in top], rtol=1e-5)
    assert (np.diff(s) <= 0).all()


def test_ties_keep_flat_order_and_no_mutual_nn():
    q = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]] * 4, np.float32)  # 12 boxes -> 1 pair
    k = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32)
    qi, ki, _ = select_pairs(q, k, 0.2)  # int(2.4) = 2 pairs, all ties at cosine 1
    assert list(zip(qi.tolist(), ki.tolist())) == [(0, 0), (0, 1)]  # same query box twice


def test_pairs_layout_boxes():
    boxes = [np.array([[0, 0, 10, 10], [5, 5, 20, 20]]), np.array([[1, 2, 3, 4]])]
    feats = {0: _normalize(np.array([[1.0, 0.0], [0.0, 1.0]])),
             1: _normalize(np.array([[0.1, 1.0]]))}
    pairs, scores = mine_image_pairs(0, [1], boxes, feats.__getitem__, 0.1)
    assert pairs == [[[5, 5, 20, 20, 1, 2, 3, 4]]]
    assert scores[0][0] == pytest.approx(1 / np.sqrt(1.01))
