"""The embedded demo data: small multi-object scene images made from shipped photographs.

The demo pipeline must run with no download and no data from the user, so it builds its
own COCO-layout scene set from real photographs that installed packages ship
(scikit-image's ``skimage.data`` and scikit-learn's sample images): each image is a unique
background with 2-3 object photographs pasted on it at random sizes and places.

The background of every image is made anew (:func:`_background`): a random crop (25-60%
of the photo's side), flip and quarter turn of one of several background photographs,
blended with a crop of a second one, with a random per-channel colour gain and offset and
a smooth random colour gradient. No two images share background pixels, so what recurs
across images is the pasted objects: stage 2's mined pairs then match objects, not copies
of one background texture (with one shared background photo, the top pairs were identical
star-field crops at cosine 1.000).

The pasted objects are recorded as COCO instances (category = source photograph, box =
where it was pasted), which gives the stage-2 quality report and the frozen-feature
evaluation a ground truth to score against. Objects are pasted as rectangles, later ones over
earlier ones, so the builder also knows which object is visible at every pixel: it writes
semantic and instance masks in VOC's PNG layout (:mod:`orl_mm.demo.masks`), which the tiny
segmentation transfer config trains on.

The builder is deterministic for a given seed and library versions, and cached: a folder
whose ``demo_meta.json`` matches the request is reused as is.
"""
import json
import os
import os.path as osp
import shutil
import tempfile
from typing import Callable, Dict, List, Tuple

import cv2
import numpy as np

from .masks import paint_masks, write_label_png

BUILDER_VERSION = 5  # 5: SegmentationClass / SegmentationObject masks


# name -> (loader, crop as (y0, y1, x0, x1) on the photograph, framing the object)
def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import skimage.data
        return getattr(skimage.data, name)()
    return load


def _sklearn(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_image
        return load_sample_image(name)
    return load


def _motorcycle() -> np.ndarray:
    import skimage.data
    return skimage.data.stereo_motorcycle()[0]


OBJECTS: Dict[str, Tuple[Callable[[], np.ndarray], Tuple[int, int, int, int]]] = {
    'person': (_skimage('astronaut'), (20, 512, 40, 420)),
    'cat': (_skimage('chelsea'), (0, 300, 60, 420)),
    'cup': (_skimage('coffee'), (30, 370, 90, 520)),
    'rocket': (_skimage('rocket'), (0, 427, 180, 460)),
    'motorcycle': (_motorcycle, (60, 460, 80, 680)),
    'flower': (_sklearn('flower.jpg'), (40, 400, 120, 540)),
}
BACKGROUNDS: Dict[str, Callable[[], np.ndarray]] = {
    'china': _sklearn('china.jpg'),
    'grass': _skimage('grass'),
    'gravel': _skimage('gravel'),
    'brick': _skimage('brick'),
    'moon': _skimage('moon'),
    'tissue': _skimage('immunohistochemistry'),
}
CLASSES = tuple(OBJECTS)


def _to_rgb(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return np.ascontiguousarray(img[..., :3]).astype(np.uint8)


def _overlap(a: List[int], b: List[int]) -> float:
    """Intersection of two [x, y, w, h] boxes over the smaller one's area."""
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(iw, 0) * max(ih, 0) / float(min(a[2] * a[3], b[2] * b[3]))


def _random_crop(rng: np.random.Generator, photo: np.ndarray, width: int,
                 height: int) -> np.ndarray:
    """A random crop of 25-60% of ``photo``'s side, flipped and turned at random, resized to
    (height, width, 3) float32."""
    if rng.random() < 0.5:
        photo = np.rot90(photo)
    ph, pw = photo.shape[:2]
    scale = rng.uniform(0.25, 0.6)
    ch = int(min(ph, pw * height / width) * scale)
    cw = int(ch * width / height)
    y0 = int(rng.integers(0, ph - ch + 1))
    x0 = int(rng.integers(0, pw - cw + 1))
    crop = photo[y0:y0 + ch, x0:x0 + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    if rng.random() < 0.5:
        crop = crop[::-1]
    return cv2.resize(np.ascontiguousarray(crop), (width, height),
                      interpolation=cv2.INTER_AREA).astype(np.float32)


def _background(rng: np.random.Generator, photos: List[np.ndarray], width: int,
                height: int) -> np.ndarray:
    """A background no other image shares: a random crop of one photo blended with one of
    another, a random colour gain and offset per channel, a smooth colour gradient."""
    first, second = rng.choice(len(photos), size=2, replace=False)
    bg = _random_crop(rng, photos[int(first)], width, height)
    mix = rng.uniform(0.15, 0.4)
    bg = (1 - mix) * bg + mix * _random_crop(rng, photos[int(second)], width, height)
    bg = bg * rng.uniform(0.6, 1.2, size=3) + rng.uniform(-30, 30, size=3)
    # a linear colour ramp in a random direction, up to +-40 levels per channel
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    ramp = (np.cos(angle) * (xx / width - 0.5) + np.sin(angle) * (yy / height - 0.5))
    bg = bg + ramp[..., None] * rng.uniform(-80, 80, size=3)
    return np.clip(bg, 0, 255).astype(np.uint8)


def _paste_objects(rng: np.random.Generator, canvas: np.ndarray,
                   objects: Dict[str, np.ndarray]) -> List[Tuple[str, List[int]]]:
    """Paste 2-3 distinct object photos onto ``canvas`` in place; return their boxes.

    Each object covers at most 30% of another (intersection over the smaller box), so every
    annotated object stays mostly visible.
    """
    height, width = canvas.shape[:2]
    names = rng.choice(len(CLASSES), size=int(rng.integers(2, 4)), replace=False)
    placed: List[Tuple[str, List[int]]] = []
    for index in names:
        name = CLASSES[int(index)]
        photo = objects[name]
        # a random 75-100% sub-crop and flip: instances of a class are not identical
        ph, pw = photo.shape[:2]
        ch, cw = int(ph * rng.uniform(0.75, 1.0)), int(pw * rng.uniform(0.75, 1.0))
        y0, x0 = int(rng.integers(0, ph - ch + 1)), int(rng.integers(0, pw - cw + 1))
        photo = photo[y0:y0 + ch, x0:x0 + cw]
        if rng.random() < 0.5:
            photo = photo[:, ::-1]
        long_side = rng.uniform(0.38, 0.6) * min(width, height) * 1.3
        box = None
        for attempt in range(60):  # shrink by 10% every 10 failed places
            scale = long_side * 0.9**(attempt // 10) / max(photo.shape[:2])
            ow = max(int(photo.shape[1] * scale), 16)
            oh = max(int(photo.shape[0] * scale), 16)
            candidate = [int(rng.integers(0, width - ow + 1)),
                         int(rng.integers(0, height - oh + 1)), ow, oh]
            if all(_overlap(candidate, other) <= 0.3 for _, other in placed):
                box = candidate
                break
        if box is None:
            continue  # no free place for this object: leave it out
        patch = cv2.resize(np.ascontiguousarray(photo), (ow, oh), interpolation=cv2.INTER_AREA)
        x, y = box[:2]
        canvas[y:y + oh, x:x + ow] = patch
        placed.append((name, box))
    return placed


def _write_dataset(out_dir: str, num_images: int, seed: int, width: int, height: int) -> None:
    rng = np.random.default_rng(seed)
    objects = {}
    for name, (load, (y0, y1, x0, x1)) in OBJECTS.items():
        objects[name] = _to_rgb(load())[y0:y1, x0:x1]
    backgrounds = [_to_rgb(load()) for load in BACKGROUNDS.values()]

    os.makedirs(osp.join(out_dir, 'train2017'))
    os.makedirs(osp.join(out_dir, 'annotations'))
    for folder in ('SegmentationClass', 'SegmentationObject'):
        os.makedirs(osp.join(out_dir, folder))
    images, annotations, label_rows = [], [], []
    for image_id in range(1, num_images + 1):
        canvas = _background(rng, backgrounds, width, height)
        placed = _paste_objects(rng, canvas, objects)
        file_name = f'demo_{image_id:06d}.jpg'
        cv2.imwrite(osp.join(out_dir, 'train2017', file_name), canvas[..., ::-1],
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        images.append(dict(id=image_id, file_name=file_name, width=width, height=height))
        semantic, instance = paint_masks(
            [(CLASSES.index(name) + 1, box) for name, box in placed], height, width)
        stem = osp.splitext(file_name)[0]
        write_label_png(osp.join(out_dir, 'SegmentationClass', f'{stem}.png'), semantic)
        write_label_png(osp.join(out_dir, 'SegmentationObject', f'{stem}.png'), instance)
        for name, (x, y, w, h) in placed:
            annotations.append(
                dict(id=len(annotations) + 1, image_id=image_id,
                     category_id=CLASSES.index(name) + 1, bbox=[x, y, w, h], area=w * h,
                     iscrowd=0, segmentation=[[x, y, x + w, y, x + w, y + h, x, y + h]]))
        present = {name for name, _ in placed}
        label_rows.append([f'train2017/{file_name}'] + [int(c in present) for c in CLASSES])

    categories = [dict(id=i + 1, name=name, supercategory='demo') for i, name in enumerate(CLASSES)]
    with open(osp.join(out_dir, 'annotations', 'instances_train2017.json'), 'w') as f:
        json.dump(dict(images=images, annotations=annotations, categories=categories), f)
    with open(osp.join(out_dir, 'annotations', 'multilabel_train2017.csv'), 'w') as f:
        f.write(','.join(('file', ) + CLASSES) + '\n')
        for row in label_rows:
            f.write(','.join(str(v) for v in row) + '\n')


def build_demo_dataset(out_dir: str = 'data/demo',
                       num_images: int = 64,
                       seed: int = 0,
                       width: int = 320,
                       height: int = 256) -> str:
    """Build (or reuse) the demo scene set in the COCO layout.

    Layout::

        out_dir/train2017/demo_000001.jpg ...
        out_dir/annotations/instances_train2017.json   (images, boxes, 6 categories)
        out_dir/annotations/multilabel_train2017.csv   (train2017/<file>, then a 0/1 column a class)
        out_dir/SegmentationClass/demo_000001.png ...  (palette PNG: 0 background, k = CLASSES[k-1])
        out_dir/SegmentationObject/demo_000001.png ... (palette PNG: i = the image's i-th instance)
        out_dir/demo_meta.json                         (what was built; marks completion)

    Args:
        out_dir: Where to write the data set.
        num_images: Number of images.
        seed: Seed of the layout; the same seed gives the same images.
        width: Image width in pixels.
        height: Image height in pixels.

    Returns:
        ``out_dir``.
    """
    meta = dict(builder_version=BUILDER_VERSION, num_images=num_images, seed=seed,
                width=width, height=height, classes=list(CLASSES))
    meta_file = osp.join(out_dir, 'demo_meta.json')
    if osp.isfile(meta_file):
        with open(meta_file) as f:
            if json.load(f) == meta:
                return out_dir
    parent = osp.dirname(osp.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.demo-build-', dir=parent)
    try:
        build_dir = osp.join(tmp, 'demo')
        _write_dataset(build_dir, num_images, seed, width, height)
        with open(osp.join(build_dir, 'demo_meta.json'), 'w') as f:
            json.dump(meta, f, indent=1)
        if osp.exists(out_dir):
            shutil.rmtree(out_dir)
        os.replace(build_dir, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir
