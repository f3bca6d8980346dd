"""Semantic grouping of a dense feature map against learnable prototypes (SlotCon)."""
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class SemanticGrouping(BaseModule):
    """Soft-assign every pixel to K learnable prototypes and pool one slot per prototype.

    From SlotCon (Wen et al., *Self-Supervised Visual Representation Learning with Semantic
    Grouping*, NeurIPS 2022):

    - scores ``s[b, k, h, w] = cos(prototype_k, x[b, :, h, w])``;
    - attention ``a = softmax_k(s / temp) + eps``;
    - slots ``z[b, k] = sum_hw x[b, :, h, w] a[b, k, h, w] / sum_hw a[b, k, h, w]`` — the
      attention-weighted mean of the *un-normalised* features.

    Args:
        num_prototypes: K (256 for COCO, 2048 for ImageNet in the paper).
        dim: Feature/prototype dimension D.
        temp: Temperature of the attention softmax (0.07).
        eps: Added to the attention before pooling, so empty slots stay finite.
    """

    def __init__(self, num_prototypes: int, dim: int, temp: float = 0.07,
                 eps: float = 1e-6) -> None:
        super().__init__()
        self.num_prototypes = num_prototypes
        self.temp = temp
        self.eps = eps
        self.prototypes = nn.Embedding(num_prototypes, dim)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Group a feature map.

        Args:
            x: Projected features, (B, D, H, W).

        Returns:
            slots (B, K, D) and scores (B, K, H, W) (cosine similarities in [-1, 1]).
        """
        protos = F.normalize(self.prototypes.weight, dim=1)  # (K, D)
        scores = torch.einsum('kd,bdhw->bkhw', protos, F.normalize(x, dim=1))
        attn = (scores / self.temp).softmax(dim=1) + self.eps
        slots = torch.einsum('bdhw,bkhw->bkd', x, attn / attn.sum(dim=(2, 3), keepdim=True))
        return slots, scores
