"""Weighted k-nearest-neighbour classifier on frozen features (Wu et al., CVPR 2018).

The k-NN protocol of instance discrimination, used by BYOL/DINO-style evaluations: cosine
similarity between L2-normalised features, the top-k training neighbours of each test
image vote for their class with weight ``exp(sim / T)`` (T = 0.07), and the class with the
largest summed weight wins. Reported for k in {10, 20, 100, 200}.
"""
from typing import Dict, Sequence

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ['knn_scores', 'knn_accuracy', 'knn_benchmark', 'KNN_K', 'KNN_T']

KNN_K = (10, 20, 100, 200)
KNN_T = 0.07


@torch.no_grad()
def knn_scores(train_x: np.ndarray, train_t: np.ndarray, test_x: np.ndarray, k: int,
               num_classes: int, temperature: float = KNN_T, chunk: int = 1024) -> np.ndarray:
    """Summed vote weights per class.

    Args:
        train_x: (N, D) features.  train_t: (N,) class indices.
        test_x: (M, D) features.  k: Neighbours (clipped to N).
        num_classes: C.  temperature: T of ``exp(sim / T)``.

    Returns:
        (M, C) float array of class scores.
    """
    bank = F.normalize(torch.as_tensor(train_x, dtype=torch.float32), dim=1)
    targets = torch.as_tensor(train_t, dtype=torch.int64)
    k = min(k, len(bank))
    out = []
    for start in range(0, len(test_x), chunk):
        q = F.normalize(torch.as_tensor(test_x[start:start + chunk], dtype=torch.float32), dim=1)
        sim, idx = (q @ bank.T).topk(k, dim=1)
        weight = (sim / temperature).exp()
        votes = torch.zeros(len(q), num_classes)
        votes.scatter_add_(1, targets[idx], weight)
        out.append(votes)
    return torch.cat(out).numpy()


def knn_accuracy(train_x: np.ndarray, train_t: np.ndarray, test_x: np.ndarray,
                 test_t: np.ndarray, k: int, num_classes: int,
                 temperature: float = KNN_T) -> float:
    """Top-1 accuracy (%) of the weighted k-NN vote (ties: the lowest class index)."""
    scores = knn_scores(train_x, train_t, test_x, k, num_classes, temperature)
    return float(100. * (scores.argmax(1) == np.asarray(test_t)).mean())


def knn_benchmark(train_x: np.ndarray, train_t: np.ndarray, test_x: np.ndarray,
                  test_t: np.ndarray, num_classes: int, ks: Sequence[int] = KNN_K,
                  temperature: float = KNN_T) -> Dict[int, float]:
    """``{k: top-1 accuracy (%)}`` for every k."""
    return {int(k): knn_accuracy(train_x, train_t, test_x, test_t, k, num_classes, temperature)
            for k in ks}
