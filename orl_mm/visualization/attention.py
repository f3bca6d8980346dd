"""Attention maps of a backbone (ORL paper, Fig. 4): where the res5 features fire.

The map of an image is the channel-mean of the final (res5) feature map, (h, w), upsampled
bilinearly to the input size and min-max normalised to [0, 1]. The sheets draw it with
mmengine's ``Visualizer.draw_featmap`` (``channel_reduction='squeeze_mean'``: the same
channel mean, upsampled, min-max scaled, JET colour map blended over the image).
:func:`attention_sheet` puts several checkpoints side by side (e.g. BYOL, ORL, SCRL,
SlotCon): one row per image, columns = the image, then one overlay per checkpoint.
"""
import os.path as osp
import warnings
from typing import List, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.visualization import Visualizer

from orl_mm.evaluation.features import layer_maps, load_image_tensor
from .image_io import label_tile, save_png

__all__ = ['attention_map', 'attention_overlay', 'attention_sheet', 'denormalise']


@torch.no_grad()
def res5_map(backbone: torch.nn.Module, image: torch.Tensor) -> torch.Tensor:
    """The res5 feature map of one normalised image (3, H, W) -> (C, h, w)."""
    return layer_maps(backbone, image[None], ('res5', ))['res5'][0]


@torch.no_grad()
def attention_map(backbone: torch.nn.Module, image: torch.Tensor) -> np.ndarray:
    """Channel-mean res5 activation, upsampled to the input and scaled to [0, 1].

    Args:
        backbone: mmpretrain ResNet in eval mode.
        image: Normalised image (3, H, W).

    Returns:
        float32 array (H, W) in [0, 1] (all zeros for a constant map).
    """
    heat = res5_map(backbone, image).mean(dim=0)[None, None]
    heat = F.interpolate(heat, size=image.shape[-2:], mode='bilinear', align_corners=False)[0, 0]
    lo, hi = heat.min(), heat.max()
    heat = (heat - lo) / (hi - lo) if hi > lo else torch.zeros_like(heat)
    return heat.numpy().astype(np.float32)


def denormalise(image: torch.Tensor) -> np.ndarray:
    """(3, H, W) ImageNet-normalised RGB -> uint8 (H, W, 3) RGB."""
    from orl_mm.utils.images import IMAGENET_MEAN_01, IMAGENET_STD_01
    arr = (image.numpy().transpose(1, 2, 0) * np.asarray(IMAGENET_STD_01)
           + np.asarray(IMAGENET_MEAN_01))
    return np.clip(arr * 255 + 0.5, 0, 255).astype(np.uint8)


def attention_overlay(backbone: torch.nn.Module, image: torch.Tensor,
                      alpha: float = 0.5) -> np.ndarray:
    """The res5 channel-mean drawn over the image by ``Visualizer.draw_featmap``.

    Args:
        backbone: mmpretrain ResNet in eval mode.
        image: Normalised image (3, H, W).
        alpha: Weight of the heat map in the blend.

    Returns:
        uint8 RGB (H, W, 3).
    """
    rgb = denormalise(image)
    with warnings.catch_warnings():  # "will be interpolated": upsampling is the intent
        warnings.simplefilter('ignore', UserWarning)
        return Visualizer.draw_featmap(res5_map(backbone, image), rgb,
                                       channel_reduction='squeeze_mean', alpha=alpha)


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
        tiles = [label_tile(denormalise(image), osp.basename(path))]
        for label, backbone in models:
            tiles.append(label_tile(attention_overlay(backbone, image), label))
        rows.append(np.concatenate(tiles, axis=1))
    sheet = np.concatenate(rows, axis=0)
    save_png(np.ascontiguousarray(cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR)), out_file)
    return sheet
