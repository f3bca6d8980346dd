"""Slot-level InfoNCE of SlotCon over the slots that are used in both views."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine import dist
from mmpretrain.registry import MODELS


def slot_valid_mask(scores: torch.Tensor) -> torch.Tensor:
    """Which slots are used: prototype k is the arg-max of at least one pixel.

    Args:
        scores: Prototype scores of a full view, (B, K, H, W).

    Returns:
        (B, K) bool.
    """
    num_prototypes = scores.shape[1]
    winners = F.one_hot(scores.argmax(dim=1), num_prototypes)  # (B, H, W, K)
    return winners.flatten(1, 2).sum(dim=1) > 0


@MODELS.register_module()
class SlotContrastiveLoss(nn.Module):
    """InfoNCE between predicted student slots and teacher slots of the other view.

    SlotCon (Wen et al., NeurIPS 2022), Eq. 5. The positive of the student slot (b, k) is
    the teacher slot (b, k) — same image, same prototype — of the other view; the
    negatives are all other *valid* teacher slots of the batch (of all ranks when
    ``gather_distributed`` and a process group exist, of the local batch otherwise). A slot
    is valid where its prototype wins at least one pixel (:func:`slot_valid_mask`); the
    student slots that enter are those valid in both views. The loss is scaled by
    ``2 * temperature`` as in the reference.

    Args:
        temperature: tau (0.2).
        gather_distributed: Gather the teacher slots across ranks for negatives.
    """

    def __init__(self, temperature: float = 0.2, gather_distributed: bool = True) -> None:
        super().__init__()
        self.temperature = temperature
        self.gather_distributed = gather_distributed

    def forward(self, pred_q: torch.Tensor, k_slots: torch.Tensor, valid_q: torch.Tensor,
                valid_k: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            pred_q: Predicted student slots of the entries where ``valid_q`` is True, in
                flattened (b, k) order, (Nq, D).
            k_slots: All teacher slots of the other view, flattened, (B * K, D).
            valid_q: (B * K) bool, the entries of ``pred_q``; must imply ``valid_k``.
            valid_k: (B * K) bool, the valid teacher slots.

        Returns:
            A scalar (0 with a gradient path when no slot is valid in both views; the
            all-gathers run in every case, so no rank skips a collective).
        """
        k = F.normalize(k_slots.detach(), dim=1)
        valid_k = valid_k.long()
        offset = 0
        if self.gather_distributed and dist.get_world_size() > 1:
            offset = dist.get_rank() * k.shape[0]
            k = torch.cat(dist.all_gather(k))
            valid_k = torch.cat(dist.all_gather(valid_k))
        if pred_q.shape[0] == 0:  # after the gathers: every rank joins them
            return pred_q.sum() * 0.
        # the label of local entry i is its rank among the valid teacher slots
        labels = valid_k.cumsum(0)[valid_q.nonzero().squeeze(1) + offset] - 1
        logits = F.normalize(pred_q, dim=1) @ k[valid_k.bool()].t() / self.temperature
        return F.cross_entropy(logits, labels) * (2 * self.temperature)
