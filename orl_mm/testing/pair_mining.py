"""Whole-dataset pair mining, two ways, for tests and the ``benchmarks/stage2_pairs.py`` timing.

Both give identical pairs: :func:`mine_pairs` reads each image's RoI embeddings from a
cache (every image embedded once, as stage 2's pairs step does), :func:`mine_pairs_naive`
re-embeds the neighbour's RoIs for every query as the reference tool does (11x more
backbone forwards for K = 10).
"""
from typing import Callable, List, Sequence

import numpy as np

from orl_mm.correspondence.pairs import mine_image_pairs


def mine_pairs(knn: Sequence[Sequence[int]], boxes: Sequence[np.ndarray],
               feats: Callable[[int], np.ndarray], ratio: float = 0.1,
               queries: Sequence[int] = None) -> List[List[List[List[int]]]]:
    """Pairs for every query, reading RoI embeddings through ``feats`` (a cache)."""
    queries = range(len(knn)) if queries is None else queries
    return [mine_image_pairs(i, knn[i], boxes, feats, ratio)[0] for i in queries]


def mine_pairs_naive(knn: Sequence[Sequence[int]], boxes: Sequence[np.ndarray],
                     embed: Callable[[int], np.ndarray], ratio: float = 0.1,
                     queries: Sequence[int] = None) -> List[List[List[List[int]]]]:
    """The reference way: per query, embed the query's RoIs and re-embed every neighbour's.

    ``embed(i)`` runs the backbone on image i's crops, so this costs
    ``(1 + K)`` image embeddings per query instead of one per image.
    """
    queries = range(len(knn)) if queries is None else queries
    out = []
    for i in queries:
        q_feats = embed(i)
        per_image = {i: q_feats}

        def lookup(j: int) -> np.ndarray:
            # the query itself is embedded once; each neighbour is embedded again per query
            return per_image[j] if j == i else embed(j)

        out.append(mine_image_pairs(i, knn[i], boxes, lookup, ratio)[0])
    return out
