"""Object proposals of ORL stage 2: selective search and the reference filter.

ORL (Xie et al., *Unsupervised Object-Level Representation Learning from Scene Images*,
NeurIPS 2021, Sec. 3.2) generates region proposals with selective search (Uijlings et al.,
IJCV 2013) in OpenCV's fast mode on the full-resolution BGR image, then filters them:

1. drop boxes with ``w < min_size`` or ``h < min_size`` (96 px);
2. drop boxes whose aspect ratio exceeds ``max_aspect_ratio`` (3) either way;
3. greedy de-duplication in OpenCV's order: drop a box whose maximum IoU with the boxes
   already kept is ``> max_iou`` (0.5; a box at exactly 0.5 is kept);
4. keep the first ``top_n`` (100).

If nothing survives, the first raw box is kept. Boxes are ``[x, y, w, h]`` integers in
original pixels. IoU is the continuous one (``x2 = x + w``, no ``+1``).
"""
import ctypes
import os
from dataclasses import asdict, dataclass, fields
from typing import Dict, Optional, Tuple

import cv2
import mmcv
import numpy as np

from orl_mm.utils.boxes import box_iou_xywh


@dataclass
class ProposalSettings:
    """Selective search and filter settings (defaults: the ORL reference).

    Attributes:
        min_size: Minimum box width and height in original pixels.
        max_aspect_ratio: Maximum of ``w / h`` and ``h / w``.
        max_iou: A box is dropped if its IoU with a kept box is strictly greater.
        top_n: Number of boxes kept per image.
        max_side: Speed option, off (None) by default: run selective search on a copy
            whose longer side is at most this many pixels; boxes are scaled back to the
            original pixels before filtering. The reference runs at full resolution.
        max_pixels: The bound on selective search's time per image: an image with more
            pixels is searched on a copy resized to this many pixels (boxes mapped back to
            original pixels). The default (1 MP, from the time-vs-size curve in docs/benchmarks.md)
            leaves every COCO photo (at most 640x640) untouched; 0 searches every image at
            full resolution, as the reference does.
        seed: OpenCV's selective search ranks its regions with the C library's
            ``rand()``, so its output order (and hence the filtered boxes) changes from
            call to call; ``srand(seed)`` is called before every image, which makes the
            boxes of an image independent of the process and of the images before it.
    """
    min_size: int = 96
    max_aspect_ratio: float = 3.0
    max_iou: float = 0.5
    top_n: int = 100
    max_side: Optional[int] = None
    max_pixels: int = 1_000_000
    seed: int = 0

    def info(self) -> dict:
        """The ``info`` keys of the correspondence file."""
        return dict(bbox_min_size=self.min_size, bbox_max_aspect_ratio=self.max_aspect_ratio,
                    bbox_max_iou=self.max_iou, intra_bbox_num=self.top_n)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_record(cls, settings: dict) -> 'ProposalSettings':
        """The settings of a proposals step's record (an import records only the filter
        and ``imported_proposals``; the other fields keep their defaults)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in settings.items() if k in names})


def filter_proposals(boxes: np.ndarray,
                     min_size: float = 96,
                     max_aspect_ratio: float = 3.0,
                     max_iou: float = 0.5,
                     top_n: int = 100) -> np.ndarray:
    """The ORL proposal filter (size, aspect ratio, greedy IoU de-duplication, top-n).

    Args:
        boxes: (N, 4) ``[x, y, w, h]`` in selective search's order.
        min_size: Drop boxes with ``w < min_size`` or ``h < min_size``.
        max_aspect_ratio: Drop boxes with ``w / h > r`` or ``h / w > r``.
        max_iou: Drop a box whose max IoU with the already-kept boxes is ``> max_iou``.
        top_n: Keep at most this many.

    Returns:
        (M, 4) boxes, ``1 <= M <= top_n`` if ``N >= 1`` (the first raw box when nothing
        survives), in the input order and dtype.
    """
    boxes = np.asarray(boxes).reshape(-1, 4)
    if len(boxes) == 0:
        return boxes
    w = boxes[:, 2].astype(np.float64)
    h = boxes[:, 3].astype(np.float64)
    valid = (w >= min_size) & (h >= min_size) & (w > 0) & (h > 0)
    with np.errstate(divide='ignore', invalid='ignore'):
        valid &= (w / h <= max_aspect_ratio) & (h / w <= max_aspect_ratio)
    candidates = boxes[valid]
    kept = np.empty((min(top_n, len(candidates)), 4), dtype=np.float64)
    keep_idx = []
    for i, box in enumerate(candidates):
        if len(keep_idx) >= top_n:
            break
        n = len(keep_idx)
        if n and box_iou_xywh(box.astype(np.float64), kept[:n]).max() > max_iou:
            continue
        kept[n] = box
        keep_idx.append(i)
    if not keep_idx:
        return boxes[:1].copy()
    return candidates[keep_idx].copy()


_SEARCH = None


def _selective_search_object():
    """One OpenCV selective-search object per process (creating it is not free)."""
    global _SEARCH
    if _SEARCH is None:
        _SEARCH = cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()
    return _SEARCH


_LIBC = None


def _srand(seed: int) -> None:
    """Seed the C library's ``rand()``, which OpenCV's selective search uses."""
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None)
    _LIBC.srand(ctypes.c_uint(seed))


def selective_search(img_bgr: np.ndarray, seed: int = 0) -> np.ndarray:
    """OpenCV fast selective search; returns (N, 4) int ``[x, y, w, h]`` in OpenCV's order.

    Deterministic for a given ``seed`` (see :class:`ProposalSettings`); run with one OpenCV
    thread (:func:`init_proposal_worker`) so that ``rand()`` is called in a fixed order.
    """
    search = _selective_search_object()
    _srand(seed)
    search.setBaseImage(img_bgr)
    search.switchToSelectiveSearchFast()
    rects = search.process()
    return np.asarray(rects, dtype=np.int64).reshape(-1, 4)


def search_scale(height: int, width: int, settings: ProposalSettings) -> float:
    """Scale of the copy selective search runs on (1.0: the image as it is).

    At most ``max_side / longer side`` and such that the copy has at most ``max_pixels``
    pixels (0 or None: no bound).
    """
    scale = 1.0
    if settings.max_side and max(height, width) > settings.max_side:
        scale = settings.max_side / max(height, width)
    if settings.max_pixels and height * width * scale * scale > settings.max_pixels:
        scale = (settings.max_pixels / (height * width))**0.5
    return scale


def search_boxes(img_bgr: np.ndarray, settings: ProposalSettings) -> Tuple[np.ndarray, float]:
    """Selective search of one image, bounded by ``settings.max_pixels``.

    An image with more pixels than the bound (or a longer side than ``max_side``) is
    searched on a copy resized with area interpolation to fit it, and the boxes are
    mapped back to original pixels; smaller images are searched as they are, so their
    boxes are bit-identical to an unbounded search.

    Returns:
        ``(raw_boxes, scale)``: (N, 4) int ``[x, y, w, h]`` in original pixels, in
        OpenCV's order, and the scale of the searched copy (1.0 for the original).
    """
    height, width = img_bgr.shape[:2]
    scale = search_scale(height, width, settings)
    if scale >= 1.0:
        return selective_search(img_bgr, settings.seed), 1.0
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    small = mmcv.imresize(img_bgr, size, interpolation='area')
    raw = selective_search(small, settings.seed)
    return _scale_boxes_back(raw, size[0] / width, size[1] / height, width, height), scale


def compute_proposals(img_bgr: np.ndarray, settings: ProposalSettings) -> Dict:
    """Selective search plus filter for one decoded image.

    Returns:
        ``dict(boxes=[[x, y, w, h], ...], num_raw=int, width=int, height=int,
        scale=float)``; boxes in original pixels.
    """
    height, width = img_bgr.shape[:2]
    raw, scale = search_boxes(img_bgr, settings)
    boxes = filter_proposals(raw, settings.min_size, settings.max_aspect_ratio,
                             settings.max_iou, settings.top_n)
    if len(boxes) == 0:  # selective search found nothing at all: the whole image
        boxes = np.array([[0, 0, width, height]], dtype=np.int64)
    return dict(boxes=boxes.astype(int).tolist(), num_raw=int(len(raw)), width=int(width),
                height=int(height), scale=float(scale))


def _scale_boxes_back(boxes: np.ndarray, sx: float, sy: float, width: int,
                      height: int) -> np.ndarray:
    """Map boxes from a resized copy back to original integer pixels, inside the image."""
    if len(boxes) == 0:
        return boxes
    x1 = np.floor(boxes[:, 0] / sx)
    y1 = np.floor(boxes[:, 1] / sy)
    x2 = np.minimum(np.ceil((boxes[:, 0] + boxes[:, 2]) / sx), width)
    y2 = np.minimum(np.ceil((boxes[:, 1] + boxes[:, 3]) / sy), height)
    return np.stack([x1, y1, np.maximum(x2 - x1, 1), np.maximum(y2 - y1, 1)],
                    axis=1).astype(np.int64)


def init_proposal_worker(num_threads: int = 1) -> None:
    """Process-pool initializer: one OpenCV thread per worker process (one core each)."""
    cv2.setNumThreads(num_threads)
    os.environ.setdefault('OMP_NUM_THREADS', str(num_threads))
