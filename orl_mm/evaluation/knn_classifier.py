"""Weighted k-nearest-neighbour classifier on frozen features (Wu et al., CVPR 2018).

The k-NN protocol of instance discrimination, used by BYOL/DINO-style evaluations: cosine
similarity between L2-normalised features, the top-k training neighbours of each test
image vote for their class with weight ``exp(sim / T)`` (T = 0.07), and the class with the
largest summed weight wins. Reported for k in {10, 20, 100, 200}; a k larger than the
training set is clipped to it (:func:`k_used`, which the tools record next to each score).

Multi-label sets (VOC, CSV) use the same vote per class: :func:`multilabel_knn_scores` is
each class's weighted share of the k neighbours that contain it, scored by mAP
(:func:`multilabel_knn_map`).
"""
from typing import Dict, Sequence

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ['knn_scores', 'knn_accuracy', 'knn_benchmark', 'k_used', 'multilabel_knn_scores',
           'multilabel_knn_map', 'KNN_K', 'KNN_T']

KNN_K = (10, 20, 100, 200)
KNN_T = 0.07


def k_used(k: int, bank_size: int) -> int:
    """The number of neighbours a k-NN over ``bank_size`` training images really takes."""
    if k < 1:
        raise ValueError(f'k must be at least 1, got {k}')
    return min(int(k), int(bank_size))


def _unit(x: np.ndarray) -> torch.Tensor:
    return F.normalize(torch.as_tensor(x, dtype=torch.float32), dim=1)


def _neighbours(bank: torch.Tensor, query: np.ndarray, k: int):
    """Cosine similarities and indices of the top-k rows of the unit-norm ``bank`` (N, D)
    for each query row: (M, k) each."""
    return (_unit(query) @ bank.T).topk(k_used(k, len(bank)), dim=1)


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
    bank, targets = _unit(train_x), torch.as_tensor(train_t, dtype=torch.int64)
    out = []
    for start in range(0, len(test_x), chunk):
        sim, idx = _neighbours(bank, test_x[start:start + chunk], k)
        weight = (sim / temperature).exp()
        votes = torch.zeros(len(sim), num_classes)
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


@torch.no_grad()
def multilabel_knn_scores(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, k: int,
                          temperature: float = KNN_T) -> np.ndarray:
    """Per-class vote of a multi-label k-NN: the ``exp(sim / T)``-weighted share of the k
    nearest training images (cosine) in which the class is present.

    Args:
        train_x: (N, D) features.  train_y: (N, C) labels in {1, 0, -1} (only 1 votes).
        test_x: (M, D) features.  k: Neighbours (clipped to N).  temperature: T.

    Returns:
        (M, C) float64 scores in [0, 1].
    """
    sim, idx = _neighbours(_unit(train_x), test_x, k)
    weight = (sim.double() / temperature).exp()
    present = torch.as_tensor(np.asarray(train_y) == 1, dtype=torch.float64)[idx]  # (M, k, C)
    return ((weight[..., None] * present).sum(1) / weight.sum(1, keepdim=True)).numpy()


def multilabel_knn_map(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                       test_y: np.ndarray, k: int, temperature: float = KNN_T) -> float:
    """mAP (%) of :func:`multilabel_knn_scores` over the classes present in training (the
    others cannot be voted for); VOC AP, difficult (0) left out."""
    from .svm import mean_average_precision
    scores = multilabel_knn_scores(train_x, train_y, test_x, k, temperature)
    voted = (np.asarray(train_y) == 1).any(0)
    return 100. * mean_average_precision(scores[:, voted], np.asarray(test_y)[:, voted])
