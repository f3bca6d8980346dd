"""Semantic and instance masks of the demo scenes, in PASCAL VOC's PNG layout.

The demo builder pastes each object photograph as a rectangle, later ones over earlier ones,
so it knows the object visible at every pixel: the last one pasted there. These masks are
written beside the images as VOC writes its ``SegmentationClass`` / ``SegmentationObject``
PNGs (8-bit palette images; the pixel value is the index, the palette only shows it), which
mmseg's ``BaseSegDataset`` and ``LoadAnnotations`` read as label maps:

* semantic: 0 = background, ``k`` = ``CLASSES[k - 1]`` (the COCO ``category_id``);
* instance: 0 = background, ``i`` = the ``i``-th object pasted on the image (the image's
  ``i``-th annotation in ``instances_train2017.json``).
"""
from typing import List, Sequence, Tuple

import numpy as np
from PIL import Image

__all__ = ['voc_palette', 'paint_masks', 'write_label_png', 'read_label_png']


def voc_palette(num: int = 256) -> List[int]:
    """PASCAL VOC's colour map (``VOCdevkit``'s ``labelcolormap``): the bits of each index,
    three at a time, spread over the high bits of R, G and B.

    Args:
        num: Number of colours.

    Returns:
        ``3 * num`` values ``[r0, g0, b0, r1, ...]`` as ``PIL.Image.putpalette`` takes them.
    """
    palette = []
    for index in range(num):
        rgb = [0, 0, 0]
        value = index
        for shift in range(7, -1, -1):
            for channel in range(3):
                rgb[channel] |= ((value >> channel) & 1) << shift
            value >>= 3
        palette.extend(rgb)
    return palette


def paint_masks(placed: Sequence[Tuple[int, Sequence[int]]], height: int,
                width: int) -> Tuple[np.ndarray, np.ndarray]:
    """The semantic and instance masks of rectangles pasted in order.

    Args:
        placed: ``(label, [x, y, w, h])`` of each pasted object, in paste order (a later one
            covers an earlier one); ``label`` >= 1.
        height: Image height.
        width: Image width.

    Returns:
        ``(semantic, instance)``, each (height, width) uint8: the label, and the 1-based
        position in ``placed``, of the object visible at each pixel (0: none).

    Raises:
        ValueError: On a label outside 1-254 or more than 254 objects (255 is VOC's
            "ignore").
    """
    if len(placed) > 254:
        raise ValueError(f'{len(placed)} objects do not fit in an 8-bit instance mask (254 most)')
    semantic = np.zeros((height, width), np.uint8)
    instance = np.zeros((height, width), np.uint8)
    for order, (label, (x, y, w, h)) in enumerate(placed, 1):
        if not 1 <= label <= 254:
            raise ValueError(f'object label {label} is outside 1-254 (0 is the background, '
                             f'255 the ignore value)')
        semantic[y:y + h, x:x + w] = label
        instance[y:y + h, x:x + w] = order
    return semantic, instance


def write_label_png(path: str, labels: np.ndarray) -> None:
    """Write a (H, W) uint8 label map as an 8-bit palette PNG with VOC's colours."""
    image = Image.fromarray(np.asarray(labels, np.uint8), mode='P')
    image.putpalette(voc_palette())
    image.save(path)


def read_label_png(path: str) -> np.ndarray:
    """The (H, W) uint8 label indices of a palette PNG (not its colours)."""
    with Image.open(path) as image:
        if image.mode != 'P':
            raise ValueError(f'{path} is a {image.mode} image, not a palette (label) PNG')
        return np.array(image)
