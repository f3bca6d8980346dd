"""Attention maps of a backbone (ORL paper, Fig. 4): where the res5 features fire.

The map of an image is the channel-mean of the final (res5) feature map, (h, w), upsampled
bilinearly to the input size and min-max normalised to [0, 1]; it is drawn as a JET heat map
blended over the image. :func:`attention_sheet` puts several checkpoints side by side
(e.g. BYOL vs ORL): one row per image, columns = the image, then one overlay per checkpoint.
"""
import os.path as osp
from typing import List, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from orl_mm.evaluation.features import layer_maps, load_image_tensor

from .image_io import save_png

__all__ = ['attention_map', 'overlay', 'attention_sheet', 'denormalise']


@torch.no_grad()
def attention_map(backbone: torch.nn.Module, image: torch.Tensor) -> np.ndarray:
    """Channel-mean res5 activation, upsampled to the input and scaled to [0, 1].

    Args:
        backbone: mmpretrain ResNet in eval mode.
        image: Normalised image (3, H, W).

    Returns:
        float32 array (H, W) in [0, 1] (all zeros for a constant map).
    """
    res5 = layer_maps(backbone, image[None], ('res5', ))['res5']  # (1, C, h, w)
    heat = res5.mean(dim=1, keepdim=True)
    heat = F.interpolate(heat, size=image.shape[-2:], mode='bilinear', align_corners=False)[0, 0]
    lo, hi = heat.min(), heat.max()
    heat = (heat - lo) / (hi - lo) if hi > lo else torch.zeros_like(heat)
    return heat.numpy().astype(np.float32)


def denormalise(image: torch.Tensor) -> np.ndarray:
    """(3, H, W) ImageNet-normalised RGB -> uint8 (H, W, 3) RGB."""
    from orl_mm.evaluation.features import IMAGENET_MEAN, IMAGENET_STD
    arr = image.numpy().transpose(1, 2, 0) * np.asarray(IMAGENET_STD) + np.asarray(IMAGENET_MEAN)
    return np.clip(arr * 255 + 0.5, 0, 255).astype(np.uint8)


def overlay(rgb: np.ndarray, heat: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Blend a [0, 1] heat map (H, W) as a JET colour map over a uint8 RGB image (H, W, 3)."""
    colour = cv2.applyColorMap((heat * 255).astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1]
    return (alpha * colour + (1 - alpha) * rgb).round().astype(np.uint8)


def _label(tile: np.ndarray, text: str) -> np.ndarray:
    bar = np.full((22, tile.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text[:max(1, tile.shape[1] // 8)], (3, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([bar, tile])


def attention_sheet(models: Sequence[Tuple[str, torch.nn.Module]], paths: Sequence[str],
                    out_file: str, size: int = 224) -> np.ndarray:
    """Write a PNG: one row per image, columns image | overlay of each model.

    Args:
        models: ``(label, backbone)`` pairs, e.g. ``[('BYOL', r1), ('ORL', r2)]``.
        paths: Image files.
        out_file: PNG path (written through a temporary file and a rename).
        size: Side of each tile (shorter side resized, centre crop).

    Returns:
        The sheet as uint8 RGB (rows * (size + 22), (1 + len(models)) * size, 3).
    """
    rows: List[np.ndarray] = []
    for path in paths:
        image = load_image_tensor(path, size)
        rgb = denormalise(image)
        tiles = [_label(rgb, osp.basename(path))]
        for label, backbone in models:
            tiles.append(_label(overlay(rgb, attention_map(backbone, image)), label))
        rows.append(np.concatenate(tiles, axis=1))
    sheet = np.concatenate(rows, axis=0)
    save_png(np.ascontiguousarray(sheet[..., ::-1]), out_file)
    return sheet
