"""Pixel-level grouping distillation of SlotCon, with an explicit centre update."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine import dist
from mmpretrain.registry import MODELS


@MODELS.register_module()
class GroupingDistillationLoss(nn.Module):
    """Cross-entropy from the teacher's to the student's prototype assignment of each pixel.

    SlotCon (Wen et al., NeurIPS 2022), Eq. 3: for student scores ``s`` and teacher scores
    ``t`` of the same pixels (aligned to the views' overlap),
    ``loss = mean_pixels sum_k -softmax((t - c) / T_t)_k * log_softmax(s / T_s)_k``,
    with ``c`` a centre: an EMA (momentum 0.9) of the teacher scores over all pixels, as in
    DINO. The centre moves only when :meth:`update_center` is called (once per step, by the
    algorithm), never inside :meth:`forward`.

    Works without a process group; with one and ``gather_distributed=True`` the centre
    averages the teacher scores of all ranks (all-reduce).

    Args:
        num_prototypes: K, the score dimension.
        student_temp: T_s (0.1).
        teacher_temp: T_t (0.07).
        center_momentum: EMA momentum of the centre (0.9).
        gather_distributed: All-reduce the centre statistics across ranks.
    """

    def __init__(self,
                 num_prototypes: int,
                 student_temp: float = 0.1,
                 teacher_temp: float = 0.07,
                 center_momentum: float = 0.9,
                 gather_distributed: bool = True) -> None:
        super().__init__()
        self.student_temp = student_temp
        self.teacher_temp = teacher_temp
        self.center_momentum = center_momentum
        self.gather_distributed = gather_distributed
        self.register_buffer('center', torch.zeros(1, num_prototypes))

    def forward(self, student_scores: torch.Tensor, teacher_scores: torch.Tensor) -> torch.Tensor:
        """Args: student and teacher scores of the same pixels, (N, K) each. Returns a scalar."""
        log_q = F.log_softmax(student_scores / self.student_temp, dim=-1)
        p = F.softmax((teacher_scores - self.center) / self.teacher_temp, dim=-1)
        return torch.sum(-p * log_q, dim=-1).mean()

    @torch.no_grad()
    def update_center(self, teacher_scores: torch.Tensor) -> None:
        """EMA of the mean teacher score over all pixels (of all ranks), (N, K) -> (1, K)."""
        batch_sum = teacher_scores.sum(dim=0, keepdim=True)
        count = teacher_scores.shape[0]
        if self.gather_distributed and dist.get_world_size() > 1:
            dist.all_reduce(batch_sum, op='sum')
            count *= dist.get_world_size()
        self.center.mul_(self.center_momentum).add_(batch_sum / count,
                                                    alpha=1 - self.center_momentum)
