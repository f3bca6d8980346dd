"""Pair selection: count, identity vs brute force, ties; cached vs naive mining."""
import os.path as osp

import numpy as np
import pytest

from orl_mm.correspondence.pairs import mine_image_pairs, num_pairs, select_pairs
from orl_mm.testing.pair_mining import mine_pairs, mine_pairs_naive


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


def test_cached_equals_naive_with_real_crops_and_counts_forwards(coco128, tiny_encoder):
    """The cache (each image embedded once) gives exactly the pairs of the reference way."""
    from orl_mm.correspondence.embed import EmbedSettings, bgr_to_rgb, embed_image_rois
    from orl_mm.correspondence.images import read_image_bgr
    from orl_mm.correspondence.knn import knn_search
    names = ['000000000009.jpg', '000000000025.jpg', '000000000030.jpg', '000000000034.jpg',
             '000000000036.jpg']
    rgbs = [bgr_to_rgb(read_image_bgr(osp.join(coco128, 'train2017', n))) for n in names]
    rng = np.random.default_rng(0)
    boxes = []
    for rgb in rgbs:
        h, w = rgb.shape[:2]
        n = int(rng.integers(12, 25))
        x = rng.integers(0, w - 40, n)
        y = rng.integers(0, h - 40, n)
        boxes.append(np.stack([x, y, rng.integers(32, w - x + 1), rng.integers(32, h - y + 1)],
                              1))
    settings = EmbedSettings(roi_size=32, batch_size=8)

    def embed(i):
        return embed_image_rois(tiny_encoder, rgbs[i], boxes[i].tolist(), settings)

    tiny_encoder.forward_count = 0
    cache = {i: embed(i) for i in range(len(names))}
    cached_forwards = tiny_encoder.forward_count
    knn, _ = knn_search(_normalize(np.stack([c.mean(0) for c in cache.values()])), 3)
    cached = mine_pairs(knn.tolist(), boxes, cache.__getitem__, 0.1)
    tiny_encoder.forward_count = 0
    naive = mine_pairs_naive(knn.tolist(), boxes, embed, 0.1)
    naive_forwards = tiny_encoder.forward_count
    assert cached == naive
    total = sum(len(b) for b in boxes)
    assert cached_forwards == total
    assert naive_forwards == sum(len(boxes[i]) + sum(len(boxes[j]) for j in knn[i])
                                 for i in range(len(names)))
    assert all(len(p) == num_pairs(len(boxes[i])) for i in range(5) for p in cached[i])
