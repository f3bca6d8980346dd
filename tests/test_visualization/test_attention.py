"""Attention maps (Fig. 4): the res5 channel-mean, upsampled and min-max scaled, drawn over
the image by mmengine's Visualizer.draw_featmap."""
import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmpretrain.models import ResNet

from orl_mm.visualization.attention import attention_map, attention_overlay, denormalise


def _net():
    torch.manual_seed(0)
    net = ResNet(depth=18, out_indices=(3, ))
    net.init_weights()
    net.eval()
    return net


def test_attention_map_is_the_res5_channel_mean():
    net = _net()
    x = torch.randn(3, 64, 96)
    heat = attention_map(net, x)
    assert heat.shape == (64, 96) and heat.min() == 0 and heat.max() == 1
    with torch.no_grad():
        ref = net(x[None])[0].mean(1, keepdim=True)
    ref = F.interpolate(ref, size=(64, 96), mode='bilinear', align_corners=False)[0, 0]
    ref = (ref - ref.min()) / (ref.max() - ref.min())
    np.testing.assert_allclose(heat, ref.numpy(), atol=1e-5)


def test_overlay_is_the_jet_map_of_the_attention_blended_half_and_half():
    net = _net()
    x = torch.randn(3, 64, 96)
    out = attention_overlay(net, x, alpha=0.5)
    rgb = denormalise(x)
    jet = cv2.applyColorMap((attention_map(net, x) * 255).astype(np.uint8), cv2.COLORMAP_JET)
    ref = 0.5 * rgb + 0.5 * cv2.cvtColor(jet, cv2.COLOR_BGR2RGB)
    assert out.shape == (64, 96, 3) and out.dtype == np.uint8
    np.testing.assert_allclose(out, ref, atol=3)
    # the hottest pixel is dark red in the heat map, the coldest dark blue
    heat = attention_map(net, x)
    full = attention_overlay(net, x, alpha=1.0)
    assert tuple(full[np.unravel_index(heat.argmax(), heat.shape)]) == (128, 0, 0)
    assert tuple(full[np.unravel_index(heat.argmin(), heat.shape)]) == (0, 0, 128)
