"""RoI pair mining of ORL stage 2 (Xie et al., NeurIPS 2021, Sec. 3.2).

For a query image with Bq proposals and each of its K nearest images (Bk proposals), the
Bq x Bk cosine matrix of the RoI embeddings is formed, and the top
``max(1, int(ratio * Bq))`` entries of the flattened matrix become pairs
(query box, neighbour box); there is no mutual-nearest-neighbour constraint.

Ties: entries are ordered by similarity descending with a stable sort on the flattened
(row-major) index, so equal similarities keep the smaller ``q * Bk + k`` first.

Stage 2 embeds every image once and reads the embeddings from a cache; the reference tool
re-embeds the neighbour's RoIs for every query (11x more backbone forwards for K = 10).
:mod:`orl_mm.testing.pair_mining` holds the reference way; the tests show that the roi and
pairs steps give exactly its pairs.
"""
from typing import Callable, List, Sequence, Tuple

import numpy as np


def num_pairs(num_query_boxes: int, ratio: float = 0.1) -> int:
    """Pairs kept per (query, neighbour): ``max(1, int(ratio * Bq))``."""
    return max(1, int(ratio * num_query_boxes))


def select_pairs(query_feats: np.ndarray, key_feats: np.ndarray,
                 ratio: float = 0.1) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top entries of the flattened query x key cosine matrix.

    Args:
        query_feats: (Bq, D) L2-normalised RoI embeddings of the query image.
        key_feats: (Bk, D) L2-normalised RoI embeddings of the neighbour.
        ratio: Fraction of Bq kept (at least one pair).

    Returns:
        ``(q_idx, k_idx, sims)``: (n,) box indices into query and key and their cosines,
        best first, with ``n = min(max(1, int(ratio * Bq)), Bq * Bk)``.
    """
    sim = query_feats.astype(np.float32) @ key_feats.astype(np.float32).T
    flat = sim.reshape(-1)
    n = min(num_pairs(len(query_feats), ratio), flat.size)
    order = np.argsort(-flat, kind='stable')[:n]
    q_idx, k_idx = np.divmod(order, sim.shape[1])
    return q_idx, k_idx, flat[order]


def mine_image_pairs(query: int, neighbours: Sequence[int], boxes: Sequence[np.ndarray],
                     feats: Callable[[int], np.ndarray],
                     ratio: float = 0.1) -> Tuple[List[List[List[int]]], List[List[float]]]:
    """Pairs of one query image with each of its neighbours.

    Args:
        query: Position of the query image.
        neighbours: Positions of its K neighbours.
        boxes: Per image, (B, 4) ``[x, y, w, h]`` proposals.
        feats: Returns the (B, D) RoI embeddings of an image position.
        ratio: See :func:`select_pairs`.

    Returns:
        ``(pairs, scores)``: per neighbour, the pairs ``[qx, qy, qw, qh, kx, ky, kw, kh]``
        (the reference layout) and their cosines.
    """
    q_feats = feats(query)
    q_boxes = np.asarray(boxes[query])
    all_pairs, all_scores = [], []
    for j in neighbours:
        qi, ki, sims = select_pairs(q_feats, feats(j), ratio)
        k_boxes = np.asarray(boxes[j])
        pairs = np.concatenate([q_boxes[qi], k_boxes[ki]], axis=1)
        all_pairs.append([[int(v) for v in p] for p in pairs])
        all_scores.append([float(s) for s in sims])
    return all_pairs, all_scores
