"""Quality of mined pairs against COCO ground truth (when annotations exist).

A pair (query box in image i, key box in neighbour j) is *correct* if there is a category
c such that the query box matches (IoU >= ``iou_thr``) a GT object of category c in image
i and the key box matches a GT object of category c in image j. The same fraction for
random box pairs — one random proposal of i with one random proposal of j, for every
mined pair, seeded — is the baseline, as in ORL's analysis (Xie et al., NeurIPS 2021).
"""
import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Sequence, Set, Tuple, Union

import numpy as np

from orl_mm.structures.correspondence import load_correspondence
from orl_mm.utils.boxes import box_iou_xywh

AnnFiles = Union[str, Sequence[Tuple[str, str]]]


def has_instances(ann_file: str) -> bool:
    """Whether a COCO-layout JSON holds instance annotations."""
    with open(ann_file) as f:
        data = json.load(f)
    return isinstance(data, dict) and bool(data.get('annotations'))


def _gt_by_file(ann_files: AnnFiles) -> Dict[str, List[tuple]]:
    """GT boxes by file name (``prefix/file_name`` for each (JSON, prefix) given)."""
    if isinstance(ann_files, str):
        ann_files = [(ann_files, '')]
    gt = defaultdict(list)
    for ann_file, prefix in ann_files:
        with open(ann_file) as f:
            data = json.load(f)
        id_to_file = {img['id']: osp.join(prefix, img['file_name']) if prefix
                      else img['file_name'] for img in data['images']}
        for ann in data.get('annotations', []):
            if ann.get('iscrowd', 0):
                continue
            name = id_to_file.get(ann['image_id'])
            if name is not None:
                gt[name].append((ann['category_id'], np.asarray(ann['bbox'], np.float64)))
    return gt


def quality_report(corr_path: str, ann_file: AnnFiles, iou_thr: float = 0.5, seed: int = 0,
                   random_draws: int = 10) -> dict:
    """Fraction of correct mined pairs vs random proposal pairs.

    Args:
        corr_path: The correspondence file.
        ann_file: COCO instances JSON of the same images, or (JSON, prefix) pairs whose
            ``prefix/file_name`` are the correspondence file's names (several sources).
        iou_thr: A box matches a GT object at IoU >= this.
        seed: Seed of the random baseline.
        random_draws: Random pairs drawn per mined pair (same two images), to make the
            small baseline fraction less noisy.

    Returns:
        ``dict(num_pairs, mined_correct, mined_fraction, random_correct, random_fraction,
        num_random_pairs, ratio, mined_box_on_object_fraction, mined_both_on_object_fraction,
        random_both_on_object_fraction, iou_thr, seed)``; "on object" means matching a GT
        object of any category (a looser, secondary measure).
    """
    corr = load_correspondence(corr_path, allow_empty_pairs=True)
    gt = _gt_by_file(ann_file)
    rng = np.random.default_rng(seed)
    cache: Dict[tuple, Set[int]] = {}

    def cats(i: int, box) -> Set[int]:
        key = (i, tuple(box))
        if key not in cache:
            objects = gt.get(corr.file_names[i], [])
            if objects:
                boxes = np.stack([b for _, b in objects])
                ious = box_iou_xywh(np.asarray(box, np.float64), boxes)
                cache[key] = {objects[t][0] for t in np.nonzero(ious >= iou_thr)[0]}
            else:
                cache[key] = set()
        return cache[key]

    total = mined = rand = on_object = both = rand_both = 0
    for i in range(len(corr)):
        for k, j in enumerate(corr.neighbours[i]):
            for pair in corr.neighbour_pairs[i][k]:
                total += 1
                cq, ck = cats(i, pair[:4]), cats(j, pair[4:])
                mined += bool(cq & ck)
                on_object += bool(cq) + bool(ck)
                both += bool(cq) and bool(ck)
                for _ in range(random_draws):
                    rq = corr.boxes[i][rng.integers(len(corr.boxes[i]))]
                    rk = corr.boxes[j][rng.integers(len(corr.boxes[j]))]
                    rcq, rck = cats(i, rq), cats(j, rk)
                    rand += bool(rcq & rck)
                    rand_both += bool(rcq) and bool(rck)
    frac = mined / total if total else 0.0
    num_random = total * random_draws
    rfrac = rand / num_random if total else 0.0
    return dict(num_pairs=total, mined_correct=mined, mined_fraction=frac,
                random_correct=rand, random_fraction=rfrac,
                ratio=(frac / rfrac) if rfrac else None,
                mined_box_on_object_fraction=on_object / (2 * total) if total else 0.0,
                mined_both_on_object_fraction=both / total if total else 0.0,
                random_both_on_object_fraction=rand_both / num_random if total else 0.0,
                num_random_pairs=num_random,
                iou_thr=iou_thr, seed=seed)
