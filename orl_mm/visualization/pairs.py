"""A PNG sheet of mined RoI pairs, like Fig. 3 of ORL (Xie et al., NeurIPS 2021).

Each row shows the query image with its box drawn, the query crop, the neighbour crop and
the neighbour image with its box drawn, with the pair's cosine similarity.
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from orl_mm.correspondence.images import read_image_bgr
from orl_mm.structures.correspondence import Correspondence
from .image_io import save_png

PairRef = Tuple[float, int, int, int]  # (score, query image, neighbour slot, pair index)


def top_pairs(corr: Correspondence, scores: Optional[list] = None, num: int = 8,
              one_per_image: bool = True) -> List[PairRef]:
    """The best pairs by cosine (or the first pair of each image without scores).

    Args:
        corr: The correspondence.
        scores: ``pair_scores.json``'s ``scores`` (same nesting as the pairs), optional.
        num: Number of pairs.
        one_per_image: At most one pair per query image (a more varied sheet).

    Returns:
        ``(score, i, k, p)`` tuples, best first; ties by position.
    """
    refs = []
    for i in range(len(corr)):
        for k in range(len(corr.neighbours[i])):
            for p in range(len(corr.neighbour_pairs[i][k])):
                s = scores[i][k][p] if scores is not None else -float(i)
                refs.append((s, i, k, p))
                if scores is None:
                    break
            if scores is None:
                break
    refs.sort(key=lambda r: (-r[0], r[1], r[2], r[3]))
    out, seen = [], set()
    for r in refs:
        if one_per_image and r[1] in seen:
            continue
        seen.add(r[1])
        out.append(r)
        if len(out) == num:
            break
    return out


def _fit(img: np.ndarray, size: int) -> np.ndarray:
    """Letterbox an image into a size x size tile."""
    h, w = img.shape[:2]
    s = size / max(h, w)
    small = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))),
                       interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    tile = np.full((size, size, 3), 255, np.uint8)
    y, x = (size - small.shape[0]) // 2, (size - small.shape[1]) // 2
    tile[y:y + small.shape[0], x:x + small.shape[1]] = small
    return tile


def _with_box(img: np.ndarray, box: Sequence[float], color) -> np.ndarray:
    out = img.copy()
    x, y, w, h = [int(round(v)) for v in box]
    thick = max(2, round(max(img.shape[:2]) / 150))
    cv2.rectangle(out, (x, y), (x + w - 1, y + h - 1), color, thick)
    return out


def _crop(img: np.ndarray, box: Sequence[float]) -> np.ndarray:
    x, y, w, h = [int(round(v)) for v in box]
    return img[max(0, y):y + h, max(0, x):x + w]


def draw_pair_sheet(corr: Correspondence, img_dir: str, pairs: Sequence[PairRef],
                    out_file: str, tile: int = 224) -> np.ndarray:
    """Draw the pairs as rows [query image | query crop | neighbour crop | neighbour image].

    Args:
        corr: The correspondence.
        img_dir: Image folder.
        pairs: From :func:`top_pairs`.
        out_file: Where to write the PNG.
        tile: Side of each tile in pixels.

    Returns:
        The sheet as a BGR array (rows x 4 tiles plus a caption strip per row).
    """
    q_color, k_color = (0, 200, 0), (0, 0, 230)
    caption = 22
    rows = []
    for score, i, k, p in pairs:
        j = corr.neighbours[i][k]
        pair = corr.neighbour_pairs[i][k][p]
        qi = read_image_bgr(osp.join(img_dir, corr.file_names[i]))
        ki = read_image_bgr(osp.join(img_dir, corr.file_names[j]))
        tiles = [_fit(_with_box(qi, pair[:4], q_color), tile), _fit(_crop(qi, pair[:4]), tile),
                 _fit(_crop(ki, pair[4:]), tile), _fit(_with_box(ki, pair[4:], k_color), tile)]
        gap = np.full((tile, 6, 3), 255, np.uint8)
        body = np.concatenate([tiles[0], gap, tiles[1], gap, tiles[2], gap, tiles[3]], axis=1)
        strip = np.full((caption, body.shape[1], 3), 255, np.uint8)
        text = (f'{corr.file_names[i]} -> {corr.file_names[j]}  (neighbour {k + 1}'
                + (f', cos {score:.3f})' if score > -1.5 else ')'))
        cv2.putText(strip, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1,
                    cv2.LINE_AA)
        rows.append(np.concatenate([strip, body, np.full((6, body.shape[1], 3), 255,
                                                         np.uint8)]))
    if not rows:
        raise ValueError('no pair to draw')
    sheet = np.concatenate(rows)
    save_png(sheet, out_file)
    return sheet
