"""Every work-around for the versions of the libraries orl_mm runs on, in one place.

Each fix is applied by :func:`apply_all` when ``orl_mm`` is imported and has a test in
``tests/test_compat.py`` that fails without it; the hue fix is a no-op where the installed
mmcv does not have the problem (feature-tested, not version-sniffed).

1. **Checkpoints under torch >= 2.6.** ``torch.load`` defaults to ``weights_only=True``
   there, and mmengine 0.10.7's local loader calls it bare, so every checkpoint that
   carries mmengine's ``message_hub`` (``HistoryBuffer``, numpy arrays) fails to load:
   ``--resume``, ``load_from``, ``mim test``. The fix goes through mmengine's own extension
   point, :meth:`CheckpointLoader.register_scheme`, for local paths (no monkeypatch): the
   registered loader passes ``weights_only=False``, as torch < 2.6 did by default.
2. **Hue jitter under numpy >= 2.** mmcv 2.1's ``adjust_hue`` does
   ``np.uint8(hue_factor * 255)``, which raises ``OverflowError`` for every negative hue
   under numpy 2 (about half of all BYOL colour-jitter samples). numpy 1 wrapped the
   truncated value modulo 256, which is what the "uint8 addition rotates the hue" comment
   in mmcv means. The fix replaces ``mmcv.adjust_hue`` (the name mmpretrain's
   ``ColorJitter`` calls) with the same function computing that shift explicitly.
"""
import functools
import os.path as osp
from typing import Any, Callable, Optional

import cv2
import numpy as np
import torch

__all__ = [
    'apply_all', 'load_from_local_safe', 'adjust_hue', 'hue_shift',
    'mmcv_adjust_hue_is_broken'
]

# ----------------------------------------------------------------------------------------
# 1. Checkpoint loading
# ----------------------------------------------------------------------------------------


def load_from_local_safe(filename: str, map_location: Any = None) -> Any:
    """Load a local checkpoint written by mmengine, under any torch version.

    Registered for local paths (prefix ``''``) in mmengine's ``CheckpointLoader``; the
    name keeps mmengine's ``load_from_`` prefix, which its log line strips.

    mmengine's training checkpoints cannot load with ``weights_only=True``: its
    ``message_hub`` pickles ``HistoryBuffer`` objects whose statistics methods are stored
    as ``getattr(HistoryBuffer, 'min')`` references, and allow-listing ``getattr`` would
    open the unpickler to arbitrary code anyway. So this restores the full unpickle that
    mmengine was written for (torch < 2.6): load only checkpoints you trust, as before.

    Args:
        filename: Path of the checkpoint (``~`` is expanded).
        map_location: Same as :func:`torch.load`.

    Returns:
        The loaded checkpoint (usually a dict).

    Raises:
        FileNotFoundError: If ``filename`` is not a file.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


def _register_checkpoint_loader() -> None:
    from mmengine.runner import CheckpointLoader
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local_safe, force=True)


# ----------------------------------------------------------------------------------------
# 2. Hue jitter
# ----------------------------------------------------------------------------------------


def hue_shift(hue_factor: float) -> np.uint8:
    """The uint8 hue rotation for ``hue_factor`` in [-0.5, 0.5], as numpy 1 computed it.

    ``int()`` truncates toward zero like numpy 1's float-to-integer cast; ``% 256`` is
    the wrap-around of its uint8 conversion (-0.1 -> int(-25.5) = -25 -> 231).
    """
    return np.uint8(int(hue_factor * 255) % 256)


def adjust_hue(img: np.ndarray, hue_factor: float, backend: Optional[str] = None) -> np.ndarray:
    """mmcv 2.1's ``adjust_hue`` with a hue shift that works under numpy 1 and 2.

    Args:
        img: Image of shape (H, W, 3), BGR, uint8 (cv2) or any dtype cast to uint8.
        hue_factor: Shift of the hue channel, in [-0.5, 0.5] (a fraction of the circle).
        backend: ``'cv2'`` or ``'pillow'``; None uses mmcv's ``imread_backend``.

    Returns:
        The hue-adjusted image, same shape and dtype as ``img``.
    """
    from mmcv.image import photometric
    from PIL import Image
    if backend is None:
        backend = photometric.imread_backend
    if backend not in ['cv2', 'pillow']:
        raise ValueError(f'backend: {backend} is not supported.'
                         f"Supported backends are 'cv2', 'pillow'")
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f'hue_factor:{hue_factor} is not in [-0.5, 0.5].')
    if not (isinstance(img, np.ndarray) and (img.ndim in {2, 3})):
        raise TypeError('img should be ndarray with dim=[2 or 3].')
    shift = hue_shift(hue_factor)
    if backend == 'pillow':
        assert img.dtype == np.uint8, 'Pillow backend only support uint8 type'
        pil_image = Image.fromarray(np.ascontiguousarray(img[..., ::-1]))
        h, s, v = pil_image.convert('HSV').split()
        np_h = np.array(h, dtype=np.uint8)
        with np.errstate(over='ignore'):
            np_h += shift
        merged = Image.merge('HSV', (Image.fromarray(np_h), s, v)).convert('RGB')
        return np.array(merged, dtype=img.dtype)[..., ::-1]
    dtype = img.dtype
    hsv_img = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_BGR2HSV_FULL)
    h, s, v = cv2.split(hsv_img)
    with np.errstate(over='ignore'):
        h = h.astype(np.uint8) + shift
    return cv2.cvtColor(cv2.merge([h, s, v]), cv2.COLOR_HSV2BGR_FULL).astype(dtype)


def mmcv_adjust_hue_is_broken(fn: Optional[Callable] = None) -> bool:
    """Whether ``fn`` (default: mmcv's original ``adjust_hue``) fails on a negative hue."""
    if fn is None:
        from mmcv.image import photometric
        fn = photometric.adjust_hue
    probe = np.full((2, 2, 3), 128, dtype=np.uint8)
    try:
        fn(probe, -0.1, backend='cv2')
    except OverflowError:
        return True
    return False


def _patch_adjust_hue() -> None:
    import mmcv
    import mmcv.image
    if getattr(mmcv.adjust_hue, '_orl_mm_fixed', False) or not mmcv_adjust_hue_is_broken():
        return

    @functools.wraps(adjust_hue)
    def fixed(*args, **kwargs):
        return adjust_hue(*args, **kwargs)

    fixed._orl_mm_fixed = True  # type: ignore[attr-defined]
    # mmpretrain's ColorJitter calls ``mmcv.adjust_hue``; mmcv re-exports the same function
    # from mmcv.image. mmcv.image.photometric keeps the original (the feature test uses it).
    mmcv.adjust_hue = fixed
    mmcv.image.adjust_hue = fixed


def apply_all() -> None:
    """Apply every fix that the installed libraries need (idempotent)."""
    _register_checkpoint_loader()
    _patch_adjust_hue()
