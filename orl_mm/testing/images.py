"""Synthetic images with known content, for geometry tests."""
from typing import Tuple

import numpy as np


def smooth_image(height: int, width: int, seed: int = 0,
                 period: Tuple[float, float] = (20., 40.)) -> np.ndarray:
    """A smooth, non-symmetric colour image: per channel a product of low-frequency sines.

    Neighbouring pixels differ little, so two resamplings of the same region agree closely
    while a mirrored or shifted region does not.

    Args:
        height: Image height.
        width: Image width.
        seed: Seed of the phases and periods.
        period: Range of the sines' periods (in pixels, divided by 2 pi).

    Returns:
        (height, width, 3) uint8.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    chans = [np.sin(xx / rng.uniform(*period) + rng.uniform(0, 3)) *
             np.cos(yy / rng.uniform(*period) + rng.uniform(0, 3)) for _ in range(3)]
    return ((np.stack(chans, -1) + 1) * 127.5).astype(np.uint8)
