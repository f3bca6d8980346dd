"""Image-level k-NN of ORL stage 2 (Xie et al., NeurIPS 2021, Sec. 3.2).

Every image is embedded with the stage-1 online backbone -> projector (L2-normalised, see
:mod:`.embed`) and its top-K neighbours by cosine similarity are retrieved with an exact
faiss inner-product index (``faiss.IndexFlatIP``), excluding the image itself.

Ties: the candidates faiss returns are re-ordered by (similarity descending, image index
ascending) with a stable sort, so the neighbour order never depends on faiss internals.
"""
from typing import Tuple

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from .embed import EmbedSettings, Stage1Encoder, bgr_to_rgb, retrieval_transform
from .images import read_image_bgr


def search_neighbours(features: np.ndarray, k: int = 10) -> Tuple[np.ndarray, np.ndarray]:
    """Top-k cosine neighbours of every row among the others (self excluded).

    Args:
        features: (N, D) L2-normalised embeddings.
        k: Neighbours per image; clipped to ``N - 1``.

    Returns:
        ``(indices, similarities)``, each (N, min(k, N - 1)): int64 positions and float32
        cosines, best first; ties broken by the smaller index.

    Raises:
        ValueError: With fewer than two images.
    """
    import faiss
    features = np.ascontiguousarray(features, dtype=np.float32)
    n, dim = features.shape
    if n < 2:
        raise ValueError(f'k-NN needs at least 2 images, got {n}')
    k = min(k, n - 1)
    index = faiss.IndexFlatIP(dim)
    index.add(features)
    # a few extra candidates so that ties at the boundary and the self-match are handled
    num = min(n, k + 1 + 8)
    sims, idx = index.search(features, num)
    out_idx = np.empty((n, k), dtype=np.int64)
    out_sim = np.empty((n, k), dtype=np.float32)
    for i in range(n):
        cand, cs = idx[i], sims[i]
        mask = (cand != i) & (cand >= 0)
        cand, cs = cand[mask], cs[mask]
        order = np.lexsort((cand, -cs.astype(np.float64)))  # sim desc, then index asc
        out_idx[i] = cand[order[:k]]
        out_sim[i] = cs[order[:k]]
    return out_idx, out_sim


class _RetrievalImages(Dataset):
    """Decode + test transform, for a DataLoader with worker processes."""

    def __init__(self, paths, settings: EmbedSettings) -> None:
        self.paths = list(paths)
        self.settings = settings

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> torch.Tensor:
        rgb = bgr_to_rgb(read_image_bgr(self.paths[i]))
        return retrieval_transform(rgb, self.settings.retrieval_resize,
                                   self.settings.retrieval_crop)


def embed_images(encoder: Stage1Encoder, paths, settings: EmbedSettings,
                 loader_workers: int = 0, progress=None) -> np.ndarray:
    """(N, C) L2-normalised image embeddings for the files ``paths``, in order.

    ``loader_workers`` DataLoader workers decode and resize the images.
    """
    loader = DataLoader(_RetrievalImages(paths, settings), batch_size=settings.batch_size,
                        num_workers=loader_workers, shuffle=False)
    out = []
    device = next(encoder.parameters()).device
    for batch in loader:
        out.append(encoder.embed_images(batch.to(device), settings.channels_last).cpu().numpy())
        if progress is not None:
            progress(len(batch))
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 0), np.float32)
