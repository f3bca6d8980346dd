"""Attention maps (Fig. 4): the res5 channel-mean, upsampled and min-max scaled; the overlay."""
import numpy as np
import torch
import torch.nn.functional as F
from mmpretrain.models import ResNet

from orl_mm.visualization.attention import attention_map, overlay


def test_attention_map_is_the_res5_channel_mean():
    torch.manual_seed(0)
    net = ResNet(depth=18, out_indices=(3, ))
    net.init_weights()
    net.eval()
    x = torch.randn(3, 64, 96)
    heat = attention_map(net, x)
    assert heat.shape == (64, 96) and heat.min() == 0 and heat.max() == 1
    with torch.no_grad():
        ref = net(x[None])[0].mean(1, keepdim=True)
    ref = F.interpolate(ref, size=(64, 96), mode='bilinear', align_corners=False)[0, 0]
    ref = (ref - ref.min()) / (ref.max() - ref.min())
    np.testing.assert_allclose(heat, ref.numpy(), atol=1e-5)
    rgb = np.zeros((64, 96, 3), np.uint8)
    out = overlay(rgb, np.ones((64, 96), np.float32), alpha=1.0)
    assert (out == [128, 0, 0]).all()  # JET at 1.0 is dark red
