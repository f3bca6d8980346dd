"""BYOLLoss: the reference form 2 - 2cos, exact values."""
import torch

from orl_mm.models.losses import BYOLLoss, byol_distance


def test_distance_exact_values():
    p = torch.tensor([[1., 0.], [1., 0.], [1., 0.], [3., 4.]])
    z = torch.tensor([[2., 0.], [0., 5.], [-1., 0.], [3., 4.]])
    torch.testing.assert_close(byol_distance(p, z), torch.tensor([0., 2., 4., 0.]))
    torch.testing.assert_close(BYOLLoss()(p, z), torch.tensor(1.5))
    torch.testing.assert_close(BYOLLoss(loss_weight=2.)(p, z), torch.tensor(3.))
