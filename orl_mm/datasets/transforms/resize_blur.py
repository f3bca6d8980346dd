"""SCRL's resize blur: a cheap blur made of a bicubic down- and up-scaling."""
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS
from PIL import Image


def resize_blur_pil(img: Image.Image, factor: float) -> Image.Image:
    """:func:`resize_blur` on a PIL image (the PIL path); returns a PIL image."""
    w, h = img.size
    small = (int(w // factor), int(h // factor))
    if min(small) < 1:
        raise ValueError(f'a {w}x{h} image cannot be shrunk by {factor}')
    return img.resize(small, Image.BICUBIC).resize((w, h), Image.BICUBIC)


def resize_blur(img: np.ndarray, factor: float) -> np.ndarray:
    """Shrink an image by ``factor`` and enlarge it back, both with PIL bicubic.

    The small size is ``(floor(h / factor), floor(w / factor))``, as SCRL's
    ``augment/gaussian_blur.py`` (``ResizeBlur``) computes it with ``//``.

    Args:
        img: (H, W, C) or (H, W) uint8 image (channel order does not matter: PIL resizes
            each channel on its own).
        factor: Down-scaling factor (> 1 blurs).

    Returns:
        The blurred image, same shape and dtype.
    """
    if img.dtype != np.uint8:
        raise TypeError(f'ResizeBlur expects a uint8 image, got {img.dtype}')
    h, w = img.shape[:2]
    small = (int(w // factor), int(h // factor))  # PIL sizes are (width, height)
    if min(small) < 1:
        raise ValueError(f'a {w}x{h} image cannot be shrunk by {factor}')
    pil = Image.fromarray(img)
    pil = pil.resize(small, Image.BICUBIC).resize((w, h), Image.BICUBIC)
    return np.asarray(pil).reshape(img.shape)


@TRANSFORMS.register_module()
class ResizeBlur(BaseTransform):
    """Blur by bicubic down- then up-scaling (SCRL, Roh et al., CVPR 2021).

    SCRL's reference replaces BYOL's Gaussian blur with this ``ResizeBlur``
    (``augment/getters.py``: ``BLUR_METHOD = 'resized'``, ``max_level=3``,
    ``Image.BICUBIC``): with probability ``prob`` the image is shrunk by a factor drawn
    uniformly from ``factors`` and enlarged back to its size (PIL bicubic both ways).
    SCRL applies it with probability 1.0 to view 1 and 0.1 to view 2.

    Required keys: ``img`` (uint8 array, or a PIL image on the PIL path). Modified keys:
    ``img``.

    Args:
        factors: The down-scaling factors, drawn uniformly ((1.1, 1.2, 1.5)).
        prob: Probability of blurring.
    """

    def __init__(self, factors: Sequence[float] = (1.1, 1.2, 1.5), prob: float = 1.) -> None:
        if not factors or min(factors) <= 0:
            raise ValueError(f'factors must be positive, got {factors}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.factors = tuple(float(f) for f in factors)
        self.prob = prob

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        factor = self.factors[np.random.randint(len(self.factors))]
        img = results['img']
        blur = resize_blur_pil if isinstance(img, Image.Image) else resize_blur
        results['img'] = blur(img, factor)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(factors={self.factors}, prob={self.prob})'
