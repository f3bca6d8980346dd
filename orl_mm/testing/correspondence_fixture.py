"""A TEST FIXTURE correspondence file, made from a data set's own boxes — not ORL stage 2.

Stage 2 mines k-NN images with a pre-trained encoder and pairs of selective-search boxes
between them. Until it is available (and for fast tests that should not depend on it),
:func:`build_fixture_correspondence` writes a file in the same reference layout from simple
deterministic rules:

* intra boxes: the image's COCO instance boxes (clipped, at least ``min_size`` pixels per
  side, largest first, at most ``max_boxes``); an image without such boxes (or without an
  instances JSON) gets :func:`sliding_window_boxes` instead;
* k-NN: the next ``knn`` images in file order (cyclic), not a learned similarity;
* pairs: the first ``max_pairs`` combinations of the two images' first boxes.

The file passes :func:`orl_mm.correspondence.load_correspondence` with the image sizes.
"""
import itertools
import json
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from PIL import Image

from ..datasets.scene_images import list_images
from ..structures.correspondence import Correspondence, save_correspondence


def sliding_window_boxes(width: int, height: int, grid: int = 2) -> List[List[float]]:
    """``grid x grid`` windows of half the image side, evenly spaced, as [x, y, w, h]."""
    w, h = width / 2., height / 2.
    boxes = []
    for gy in range(grid):
        for gx in range(grid):
            x = (width - w) * gx / max(grid - 1, 1)
            y = (height - h) * gy / max(grid - 1, 1)
            boxes.append([round(x, 2), round(y, 2), round(w, 2), round(h, 2)])
    return boxes


def _clip(box: Sequence[float], width: int, height: int) -> List[float]:
    x, y, w, h = box
    x1, y1 = max(0., float(x)), max(0., float(y))
    x2, y2 = min(float(width), float(x) + float(w)), min(float(height), float(y) + float(h))
    return [round(x1, 2), round(y1, 2), round(max(0., x2 - x1), 2), round(max(0., y2 - y1), 2)]


def build_fixture_correspondence(img_dir: str,
                                 out_path: str,
                                 ann_file: Optional[str] = None,
                                 knn: int = 3,
                                 max_boxes: int = 6,
                                 max_pairs: int = 4,
                                 min_size: float = 32.) -> Correspondence:
    """Write a fixture correspondence file for the images of ``img_dir`` (see module doc).

    Args:
        img_dir: The image folder (``file_name`` entries are relative to it).
        out_path: Where to write the JSON (atomically).
        ann_file: Optional COCO instances JSON; its image list, order, ids, sizes and boxes
            are used. Without it, every image of the folder (sorted) with sliding windows.
        knn: Neighbours per image (the next ``knn`` images, cyclic).
        max_boxes: Most intra boxes per image.
        max_pairs: Most pairs per (image, neighbour).
        min_size: Smallest side of an instance box kept.

    Returns:
        The written :class:`~orl_mm.correspondence.Correspondence`.
    """
    if ann_file:
        with open(ann_file) as f:
            coco = json.load(f)
        images = [(im['file_name'], im['id'], (im['width'], im['height']))
                  for im in coco['images']]
        anns = {}
        for ann in coco.get('annotations', []):
            anns.setdefault(ann['image_id'], []).append(ann['bbox'])
    else:
        images = []
        for index, name in enumerate(list_images(img_dir)):
            with Image.open(osp.join(img_dir, name)) as img:
                images.append((name, index, img.size))
        anns = {}
    n = len(images)
    if n < 2:
        raise ValueError(f'{img_dir}: need at least 2 images for neighbours, found {n}')
    knn = min(knn, n - 1)

    boxes = []
    for name, img_id, (width, height) in images:
        kept = [_clip(b, width, height) for b in anns.get(img_id, [])]
        kept = [b for b in kept if b[2] >= min_size and b[3] >= min_size]
        kept.sort(key=lambda b: -b[2] * b[3])
        boxes.append(kept[:max_boxes] or sliding_window_boxes(width, height))

    knn_ids: List[List[int]] = []
    knn_pairs: List[List[List[List[float]]]] = []
    for i in range(n):
        neighbours = [(i + d) % n for d in range(1, knn + 1)]
        knn_ids.append(neighbours)
        per_nbr = []
        for j in neighbours:
            combos: List[Tuple[list, list]] = list(
                itertools.islice(itertools.product(boxes[i], boxes[j]), max_pairs))
            per_nbr.append([q + k for q, k in combos])
        knn_pairs.append(per_nbr)

    corr = Correspondence(
        file_names=[im[0] for im in images],
        image_ids=[im[1] for im in images],
        boxes=boxes,
        neighbours=knn_ids,
        neighbour_pairs=knn_pairs,
        info=dict(fixture='orl_mm.testing.build_fixture_correspondence (not stage 2)',
                  knn_image_num=knn, intra_bbox_num=max_boxes, bbox_min_size=min_size))
    corr.validate([im[2] for im in images], source=out_path)
    save_correspondence(corr, out_path)
    return corr


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``python -m orl_mm.testing.correspondence_fixture IMG_DIR OUT [--ann-file JSON]``."""
    import argparse
    parser = argparse.ArgumentParser(
        description='Write a TEST FIXTURE correspondence file (not ORL stage 2): instance '
        'boxes or sliding windows, the next K images as neighbours.')
    parser.add_argument('img_dir')
    parser.add_argument('out')
    parser.add_argument('--ann-file', default=None, help='COCO instances JSON')
    parser.add_argument('--knn', type=int, default=3)
    parser.add_argument('--max-boxes', type=int, default=6)
    parser.add_argument('--max-pairs', type=int, default=4)
    parser.add_argument('--min-size', type=float, default=32.)
    args = parser.parse_args(argv)
    corr = build_fixture_correspondence(args.img_dir, args.out, args.ann_file, args.knn,
                                        args.max_boxes, args.max_pairs, args.min_size)
    print(f'{args.out}: {len(corr)} images, {sum(map(len, corr.boxes))} boxes '
          '(test fixture, not stage 2)')


if __name__ == '__main__':
    main()
