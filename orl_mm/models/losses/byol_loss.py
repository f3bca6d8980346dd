"""BYOL's regression loss in the reference form ``2 - 2 cos``.

Grill et al., *Bootstrap Your Own Latent*, NeurIPS 2020, Eq. 2: the normalised squared
error between a prediction ``p`` and a target projection ``z`` is
``|| p/|p| - z/|z| ||^2 = 2 - 2 cos(p, z)``, in [0, 4]. The symmetric form adds both
directions, ``(2 - 2 cos(p1, z2)) + (2 - 2 cos(p2, z1))``, in [0, 8]; ORL (Xie et al.,
NeurIPS 2021) uses it for each of its three terms, and SCRL (Roh et al., CVPR 2021) for its
RoI pairs.

mmpretrain's ``BYOL`` with its default ``CosineSimilarityLoss`` returns
``2 * (-cos(p1, z2) - cos(p2, z1))``, i.e. the symmetric form minus the constant 4: the
values differ by 4 and the gradients are identical.

:func:`symmetric_byol_loss` is the one place the symmetric form is written; ORL's three terms
and SCRL's box (and image) terms call it. This module works without a process group (the
batch mean is local to the process, as in mmpretrain's BYOL).
"""
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS


def byol_distance(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``2 - 2 cos(pred, target)`` per sample.

    Args:
        pred: Predictions, shape (N, C).
        target: Targets, shape (N, C); not detached here.

    Returns:
        Shape (N,), each value in [0, 4].
    """
    pred = F.normalize(pred, dim=-1)
    target = F.normalize(target, dim=-1)
    return 2. - 2. * (pred * target).sum(dim=-1)


def symmetric_byol_loss(one_direction: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                        online1: torch.Tensor, online2: torch.Tensor,
                        target1: torch.Tensor, target2: torch.Tensor) -> torch.Tensor:
    """BYOL's symmetric term: ``one_direction(online1, target2) + one_direction(online2, target1)``.

    With ``one_direction`` a :class:`BYOLLoss` on predictions this is
    ``mean_n (2 - 2 cos(p1_n, z2_n)) + mean_n (2 - 2 cos(p2_n, z1_n))``, in [0, 8].

    Args:
        one_direction: The loss of one direction, called as ``(online, target)``: a
            ``LatentPredictHead.loss`` (which runs the predictor and detaches the target),
            or a loss module on predictions (then detach the targets before calling).
        online1: View 1's online projections or predictions, (N, C) or as
            ``one_direction`` takes them.
        online2: View 2's, same shape.
        target1: View 1's target projections, (N, C).
        target2: View 2's target projections, (N, C).

    Returns:
        A scalar.
    """
    return one_direction(online1, target2) + one_direction(online2, target1)


@MODELS.register_module()
class BYOLLoss(nn.Module):
    """One direction of BYOL's loss: ``mean_n (2 - 2 cos(p_n, z_n))``, in [0, 4].

    Usable as the ``loss`` of mmpretrain's ``LatentPredictHead`` (which detaches the
    target before calling it).

    Args:
        loss_weight: Multiplies the loss.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Args: pred, target of shape (N, C). Returns a scalar."""
        return self.loss_weight * byol_distance(pred, target).mean()
