"""SlotCon's prototype assignment maps: each pixel coloured by its winning prototype.

As SlotCon's ``viz_slots.py`` (Wen et al., NeurIPS 2022) does with the teacher: the
projected dense features (teacher backbone -> teacher projector) are L2-normalised, scored
against the L2-normalised teacher prototypes (cosine, (K, h, w)), the scores are resized
bilinearly to the image and each pixel takes the prototype with the highest score. The
sheet shows each image beside its assignment map (one colour per prototype, drawn with
mmengine's ``Visualizer.draw_binary_masks``).
"""
import os.path as osp
from typing import List, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.visualization import Visualizer

from orl_mm.evaluation.features import load_image_tensor
from .attention import denormalise
from .image_io import label_tile, save_png

__all__ = ['prototype_scores', 'assignment_map', 'prototype_palette', 'prototype_sheet']


@torch.no_grad()
def prototype_scores(model: torch.nn.Module, image: torch.Tensor) -> torch.Tensor:
    """Teacher scores of a normalised image (3, H, W) against the K prototypes.

    Args:
        model: A ``SlotCon`` model (its ``target_net.module`` = backbone, projector,
            grouping), in eval mode.
        image: Normalised image (3, H, W).

    Returns:
        (K, h, w) cosine similarities at the res5 resolution.
    """
    backbone, neck, grouping = model.target_net.module
    _, scores = grouping(neck(backbone(image[None])[-1]))
    return scores[0]


def assignment_map(scores: torch.Tensor, size: Sequence[int]) -> np.ndarray:
    """Winning prototype per pixel: scores (K, h, w) resized bilinearly to ``size`` (H, W),
    then argmax over K. Returns int64 (H, W)."""
    up = F.interpolate(scores[None].float(), size=tuple(size), mode='bilinear',
                       align_corners=False)[0]
    return up.argmax(0).numpy()


def prototype_palette(num: int) -> np.ndarray:
    """(num, 3) uint8 RGB colours, fixed per prototype index: golden-ratio hues (neighbouring
    indices far apart on the colour wheel), four saturation/brightness levels."""
    from matplotlib.colors import hsv_to_rgb
    index = np.arange(num)
    hsv = np.stack([(index * 0.6180339887) % 1., np.where(index % 2, 0.95, 0.6),
                    np.where(index // 2 % 2, 0.75, 1.)], 1)
    return np.round(hsv_to_rgb(hsv) * 255).astype(np.uint8)


def _colour_assignments(rgb: np.ndarray, winners: np.ndarray, palette: np.ndarray,
                        alpha: float) -> np.ndarray:
    present = np.unique(winners)
    masks = np.stack([winners == k for k in present])
    vis = Visualizer(image=rgb)
    vis.draw_binary_masks(masks, colors=[tuple(int(c) for c in palette[k]) for k in present],
                          alphas=alpha)
    return vis.get_image()


def prototype_sheet(model: torch.nn.Module, paths: Sequence[str], out_file: str,
                    size: int = 224, alpha: float = 0.7) -> np.ndarray:
    """Write a PNG with one row per image: the image | its prototype assignment map.

    Args:
        model: A ``SlotCon`` model in eval mode.
        paths: Image files.
        out_file: PNG path.
        size: Side of each tile (shorter side resized, centre crop).
        alpha: Opacity of the prototype colours over the image.

    Returns:
        The sheet, uint8 RGB (rows * (size + 22), 2 * size, 3).
    """
    palette = prototype_palette(int(model.target_net.module[2].num_prototypes))
    rows: List[np.ndarray] = []
    for path in paths:
        image = load_image_tensor(path, size)
        rgb = denormalise(image)
        winners = assignment_map(prototype_scores(model, image), rgb.shape[:2])
        used = len(np.unique(winners))
        rows.append(np.concatenate([
            label_tile(rgb, osp.basename(path)),
            label_tile(_colour_assignments(rgb, winners, palette, alpha),
                       f'{used} prototypes')], axis=1))
    sheet = np.concatenate(rows, axis=0)
    save_png(cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), out_file)
    return sheet


def load_slotcon(cfg, checkpoint: str) -> torch.nn.Module:
    """Build ``cfg.model`` (a SlotCon) and load a checkpoint into it, strictly; eval mode.

    Raises:
        ValueError: If the model has no EMA teacher with prototypes.
    """
    from mmengine.registry import DefaultScope
    from mmengine.runner import load_checkpoint
    from mmpretrain.registry import MODELS
    from mmpretrain.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    import orl_mm  # noqa: F401  (registers SlotCon)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpretrain')):
        model = MODELS.build(cfg.model)
    teacher = getattr(getattr(model, 'target_net', None), 'module', None)
    if teacher is None or len(teacher) != 3 or not hasattr(teacher[2], 'prototypes'):
        raise ValueError(f'{type(model).__name__} has no SlotCon teacher '
                         '(target_net.module = backbone, projector, grouping)')
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True, logger='silent')
    return model.eval()
