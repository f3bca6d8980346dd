"""SlotCon's losses: exact values, centre update, valid-slot mask, no process group."""
import math

import torch
import torch.nn.functional as F

from orl_mm.models.losses import GroupingDistillationLoss, SlotContrastiveLoss, slot_valid_mask


def test_grouping_distillation_value_and_center():
    torch.manual_seed(0)
    loss_fn = GroupingDistillationLoss(num_prototypes=4, student_temp=0.1, teacher_temp=0.07,
                                       center_momentum=0.9)
    s, t = torch.randn(6, 4), torch.randn(6, 4)
    loss_fn.center.fill_(0.25)
    expected = 0.
    for i in range(6):
        p = [math.exp((t[i, k] - 0.25) / 0.07) for k in range(4)]
        q = [math.exp(s[i, k] / 0.1) for k in range(4)]
        expected += -sum(p[k] / sum(p) * math.log(q[k] / sum(q)) for k in range(4))
    torch.testing.assert_close(loss_fn(s, t), torch.tensor(expected / 6), rtol=1e-5, atol=1e-5)
    loss_fn.update_center(t)
    torch.testing.assert_close(loss_fn.center, 0.9 * 0.25 + 0.1 * t.mean(0, keepdim=True))


def test_slot_valid_mask():
    scores = torch.zeros(2, 3, 2, 2)
    scores[0, 0] = 1.  # image 0: prototype 0 wins every pixel
    scores[1, 1, 0, 0] = 1.  # image 1: prototype 1 wins one pixel, prototype 2 the others
    scores[1, 2] = 0.5
    scores[1, 2, 0, 0] = 0.
    assert slot_valid_mask(scores).tolist() == [[True, False, False], [False, True, True]]


def test_slot_contrastive_matches_brute_force():
    torch.manual_seed(1)
    b, k, d, tau = 2, 3, 5, 0.2
    q_all, k_slots = torch.randn(b * k, d), torch.randn(b * k, d)
    valid_k = torch.tensor([True, False, True, True, True, False])
    valid_q = torch.tensor([True, False, False, True, True, False])  # subset of valid_k
    loss = SlotContrastiveLoss(temperature=tau)(q_all[valid_q], k_slots, valid_q, valid_k)
    keys = [i for i in range(b * k) if valid_k[i]]
    expected = 0.
    for i in [i for i in range(b * k) if valid_q[i]]:
        sims = [float(F.cosine_similarity(q_all[i], k_slots[j], dim=0)) / tau for j in keys]
        expected += -(sims[keys.index(i)] - math.log(sum(math.exp(v) for v in sims)))
    expected = expected / int(valid_q.sum()) * 2 * tau
    torch.testing.assert_close(loss, torch.tensor(expected), rtol=1e-5, atol=1e-5)


def test_slot_contrastive_empty_is_zero_with_grad():
    pred = torch.randn(0, 4, requires_grad=True)
    loss = SlotContrastiveLoss()(pred, torch.randn(6, 4), torch.zeros(6, dtype=torch.bool),
                                 torch.ones(6, dtype=torch.bool))
    assert loss.item() == 0 and loss.requires_grad
