"""SlotCon's GELU MLP (reference init) and SCRL's flat NonLinearNeck (empty batches)."""
import torch
from mmpretrain.registry import MODELS


def test_gelu_mlp_starts_truncated_normal_with_zero_biases():
    """Reference DINOHead/DINOHead2d: trunc_normal_(std=.02) weights, zero biases."""
    torch.manual_seed(0)
    for spatial in (False, True):
        neck = MODELS.build(dict(type='GELUMLPNeck', in_channels=1024, hid_channels=1024,
                                 out_channels=64, num_layers=3, spatial=spatial))
        neck.init_weights()
        layers = [m for m in neck.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
        assert len(layers) == 3
        for layer in layers:
            w = layer.weight.detach().double().flatten().numpy()
            assert abs(w.std() - 0.02) < 0.02 * 0.03 and abs(w.mean()) < 1e-3
            # a normal's kurtosis is 3 (PyTorch's default uniform init gives 1.8)
            assert abs(((w - w.mean()) ** 4).mean() / w.var() ** 2 - 3) < 0.15
            assert torch.count_nonzero(layer.bias) == 0
        bns = [m for m in neck.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        assert len(bns) == 2 and all(torch.all(b.weight == 1) for b in bns)
        assert isinstance(bns[0], torch.nn.BatchNorm2d if spatial else torch.nn.BatchNorm1d)


def test_gelu_mlp_norm_cfg():
    neck = MODELS.build(dict(type='GELUMLPNeck', in_channels=8, hid_channels=16,
                             out_channels=4, norm_cfg=dict(type='SyncBN')))
    assert sum(isinstance(m, torch.nn.SyncBatchNorm) for m in neck.modules()) == 2
    assert neck(torch.randn(5, 8)).shape == (5, 4)  # falls back to BN without a group


def test_flat_nonlinear_neck_equals_nonlinear_neck_and_takes_empty_batches():
    cfg = dict(in_channels=8, hid_channels=16, out_channels=4, with_bias=False,
               with_last_bn=False, with_avg_pool=False, norm_cfg=dict(type='BN1d'))
    torch.manual_seed(0)
    flat = MODELS.build(dict(type='FlatNonLinearNeck', **cfg))
    plain = MODELS.build(dict(type='NonLinearNeck', **cfg))
    plain.load_state_dict(flat.state_dict())
    x = torch.randn(6, 8, 1, 1)
    torch.testing.assert_close(flat([x])[0], plain([x])[0])
    torch.testing.assert_close(flat([x.flatten(1)])[0], plain([x])[0])
    out = flat([torch.zeros(0, 8, 1, 1, requires_grad=True)])[0]
    assert out.shape == (0, 4)
    out.sum().backward()
    assert all(p.grad is not None and not p.grad.any() for p in flat.parameters())
    assert torch.equal(flat.bn0.running_mean, plain.bn0.running_mean)  # empty: no update
