"""BYOLLoss: the reference form 2 - 2cos, exact values."""
import torch

from orl_mm.models.losses import BYOLLoss, byol_distance, symmetric_byol_loss


def test_distance_exact_values():
    p = torch.tensor([[1., 0.], [1., 0.], [1., 0.], [3., 4.]])
    z = torch.tensor([[2., 0.], [0., 5.], [-1., 0.], [3., 4.]])
    torch.testing.assert_close(byol_distance(p, z), torch.tensor([0., 2., 4., 0.]))
    torch.testing.assert_close(BYOLLoss()(p, z), torch.tensor(1.5))
    torch.testing.assert_close(BYOLLoss(loss_weight=2.)(p, z), torch.tensor(3.))


def test_symmetric_loss_pairs_each_view_with_the_other_views_target():
    p1 = torch.tensor([[1., 0.], [0., 1.]])
    p2 = torch.tensor([[1., 0.], [3., 4.]])
    z1 = torch.tensor([[-1., 0.], [4., -3.]])  # opposite of p2[0], orthogonal to p2[1]
    z2 = torch.tensor([[5., 0.], [0., -2.]])  # along p1[0], opposite of p1[1]
    # (2 - 2cos(p1, z2)) averaged: (0 + 4) / 2; (2 - 2cos(p2, z1)) averaged: (4 + 2) / 2
    torch.testing.assert_close(symmetric_byol_loss(BYOLLoss(), p1, p2, z1, z2),
                               torch.tensor(2. + 3.), rtol=0, atol=1e-6)
    # the pairing is view 1 with view 2's target: the same-view pairing gives another value
    torch.testing.assert_close(symmetric_byol_loss(BYOLLoss(), p1, p2, z2, z1),
                               torch.tensor((4. + 3.2) / 2 + (0. + 3.6) / 2), rtol=0, atol=1e-6)
