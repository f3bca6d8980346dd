"""SCRL's box pairs drawn in its two views of one image (cf. SCRL, Roh et al., Fig. 2).

The views and boxes come from the config's own training pipeline
(``MultiViewWithGeometry`` + ``SCRLBoxSampler``, without ``PackInputs``), so the figure
shows exactly what the model is trained on: the original image with the two crops, then
each augmented view with the sampled boxes; box ``i`` has the same colour and number in
both views (the same image region, located in each view, mirrored in a flipped view).
"""
import random
from typing import Dict, List, Sequence

import cv2
import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.visualization import Visualizer

from .image_io import label_tile, save_png

__all__ = ['sample_scrl_views', 'draw_scrl_boxes']


def _palette(num: int) -> List[tuple]:
    """``num`` well separated RGB colours (hue wheel, full saturation)."""
    hues = (np.arange(num) * 180 / max(num, 1)).astype(np.uint8)
    hsv = np.stack([hues, np.full(num, 255, np.uint8), np.full(num, 230, np.uint8)], 1)
    rgb = cv2.cvtColor(hsv[None], cv2.COLOR_HSV2RGB)[0]
    return [tuple(int(c) for c in colour) for colour in rgb]


def _box_pipeline(cfg: Config) -> Compose:
    """The config's training pipeline up to (and including) ``SCRLBoxSampler``."""
    steps = list(cfg.train_dataloader.dataset.pipeline)
    names = [step['type'] for step in steps]
    if 'SCRLBoxSampler' not in names:
        raise ValueError(f'the config has no SCRLBoxSampler in its pipeline: {names}')
    from mmpretrain.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    import orl_mm  # noqa: F401  (registers orl_mm's transforms)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpretrain')):
        return Compose(steps[:names.index('SCRLBoxSampler') + 1])


def sample_scrl_views(cfg: Config, image_path: str, seed: int = 0,
                      min_boxes: int = 3, max_tries: int = 20) -> Dict[str, np.ndarray]:
    """Run the config's view and box sampling on one image.

    Draws again (next seed) until at least ``min_boxes`` boxes are valid.

    Returns:
        ``image`` (H, W, 3) RGB, ``views`` list of 2 (h, w, 3) RGB, ``crop_box`` (2, 4)
        [x1, y1, x2, y2] in the image, ``flip`` (2,) bool, ``view_boxes`` (2, N, 4) in each
        view's pixels, ``box_valid`` (N,) bool.

    Raises:
        RuntimeError: If no draw gives ``min_boxes`` boxes.
    """
    pipeline = _box_pipeline(cfg)
    image = cv2.cvtColor(cv2.imread(image_path, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION),
                         cv2.COLOR_BGR2RGB)  # the stored pixels, as the pipeline decodes them
    for attempt in range(max_tries):
        random.seed(seed + attempt)
        np.random.seed(seed + attempt)
        torch.manual_seed(seed + attempt)
        out = pipeline(dict(img_path=image_path))
        valid = np.asarray(out['box_valid'], bool)
        if valid.sum() >= min_boxes:
            views = [cv2.cvtColor(np.ascontiguousarray(v), cv2.COLOR_BGR2RGB)
                     for v in out['img']]
            return dict(image=image, views=views, crop_box=np.asarray(out['crop_box']),
                        flip=np.asarray(out['flip'], bool),
                        view_boxes=np.asarray(out['view_boxes']), box_valid=valid)
    raise RuntimeError(f'{image_path}: fewer than {min_boxes} SCRL boxes in {max_tries} draws')


def _draw(image: np.ndarray, boxes: np.ndarray, colours: Sequence[tuple],
          numbers: Sequence[int], width: int) -> np.ndarray:
    vis = Visualizer(image=image)
    vis.draw_bboxes(boxes, edge_colors=list(colours), line_widths=width)
    vis.draw_texts([str(n) for n in numbers], boxes[:, :2] + width, colors=list(colours),
                   font_sizes=max(8, image.shape[0] // 22))
    return vis.get_image()


def draw_scrl_boxes(sample: Dict[str, np.ndarray], out_file: str, size: int = 256) -> np.ndarray:
    """Write [image with both crops | view 1 with boxes | view 2 with boxes] as a PNG.

    Args:
        sample: From :func:`sample_scrl_views`.
        out_file: PNG path.
        size: Height of each panel (views are scaled up to it for legibility).

    Returns:
        The figure, uint8 RGB.
    """
    valid = sample['box_valid']
    colours = _palette(int(valid.sum()))
    numbers = list(range(1, int(valid.sum()) + 1))
    image = sample['image']
    scale = size / image.shape[0]
    image = cv2.resize(image, (round(image.shape[1] * scale), size), interpolation=cv2.INTER_AREA)
    crops = sample['crop_box'].astype(np.float64) * scale
    panels = [label_tile(_draw(image, crops, [(255, 255, 255), (255, 255, 0)], [1, 2], 2),
                         'image, crops 1 and 2')]
    for v, view in enumerate(sample['views']):
        s = size / view.shape[0]
        big = cv2.resize(view, (round(view.shape[1] * s), size), interpolation=cv2.INTER_CUBIC)
        boxes = sample['view_boxes'][v][valid].astype(np.float64) * s
        panels.append(label_tile(_draw(big, boxes, colours, numbers, 2), f'view {v + 1}'))
    gap = np.full((panels[0].shape[0], 8, 3), 255, np.uint8)
    sheet = np.concatenate([panels[0], gap, panels[1], gap, panels[2]], axis=1)
    save_png(cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), out_file)
    return sheet
