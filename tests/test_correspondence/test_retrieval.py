"""faiss k-NN against a brute-force search, self exclusion, ties."""
import numpy as np
import pytest

from orl_mm.correspondence.retrieval import search_neighbours


def _normalize(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_matches_brute_force_and_excludes_self():
    rng = np.random.default_rng(0)
    feats = _normalize(rng.standard_normal((40, 16))).astype(np.float32)
    idx, sims = search_neighbours(feats, k=5)
    assert idx.shape == sims.shape == (40, 5)
    full = feats @ feats.T
    for i in range(40):
        assert i not in idx[i]
        order = [j for j in np.argsort(-full[i], kind='stable') if j != i][:5]
        assert idx[i].tolist() == order
        np.testing.assert_allclose(sims[i], full[i, order], rtol=1e-5, atol=1e-6)


def test_ties_are_ordered_by_index_and_k_is_clipped():
    # images 1, 2, 3 are identical: for image 0 they tie, and the smaller index goes first
    base = _normalize(np.array([[1.0, 0.2], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]]))
    idx, sims = search_neighbours(base.astype(np.float32), k=10)
    assert idx.shape == (4, 3)
    assert idx[0].tolist() == [1, 2, 3]
    assert idx[2].tolist() == [1, 3, 0]  # self (2) excluded, tie 1 < 3, then 0
    np.testing.assert_allclose(sims[2, :2], [1.0, 1.0], atol=1e-6)


def test_needs_two_images():
    with pytest.raises(ValueError, match='at least 2'):
        search_neighbours(np.ones((1, 4), np.float32), 3)
