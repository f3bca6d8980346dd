"""BYOLLoss / SymmetricBYOLLoss: the reference form 2 - 2cos, exact values."""
import torch

from orl_mm.models.losses import BYOLLoss, SymmetricBYOLLoss, byol_distance


def test_distance_exact_values():
    p = torch.tensor([[1., 0.], [1., 0.], [1., 0.], [3., 4.]])
    z = torch.tensor([[2., 0.], [0., 5.], [-1., 0.], [3., 4.]])
    torch.testing.assert_close(byol_distance(p, z), torch.tensor([0., 2., 4., 0.]))
    torch.testing.assert_close(BYOLLoss()(p, z), torch.tensor(1.5))
    torch.testing.assert_close(BYOLLoss(loss_weight=2.)(p, z), torch.tensor(3.))


def test_symmetric_is_the_sum_of_both_directions_and_detaches_targets():
    torch.manual_seed(0)
    pa, pb = torch.randn(5, 8, requires_grad=True), torch.randn(5, 8, requires_grad=True)
    za, zb = torch.randn(5, 8, requires_grad=True), torch.randn(5, 8, requires_grad=True)
    loss = SymmetricBYOLLoss()(pa, zb, pb, za)
    one_way = BYOLLoss()
    torch.testing.assert_close(loss, one_way(pa, zb) + one_way(pb, za))
    # in [0, 8], and equal to mmpretrain's 2 * (-cos - cos) + 4
    cos = torch.nn.functional.cosine_similarity
    torch.testing.assert_close(loss, 2 * (-cos(pa, zb).mean() - cos(pb, za).mean()) + 4)
    assert 0 <= loss.item() <= 8
    loss.backward()
    assert pa.grad is not None and pb.grad is not None
    assert za.grad is None and zb.grad is None
    # symmetric in the branches
    torch.testing.assert_close(SymmetricBYOLLoss()(pb, za, pa, zb), loss.detach())
