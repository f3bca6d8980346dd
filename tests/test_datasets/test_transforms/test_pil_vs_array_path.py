"""The PIL path equals the array (mmcv/OpenCV) path the configs ran before, draw for draw,
except where the array op was not the references' PIL op.

Both paths take the same random stream (same seed, the PIL transforms keep the draws of
the ones they replace). Differences, each with its max absolute difference (0-255):

* ``decode``: OpenCV (``mmcv.imread``, ``color_ignore_orientation``) vs PIL
  ``convert('RGB')``: :data:`DECODE_MAX` (both libjpeg-turbo; 0 on coco128's 128 photos too);
* ``grayscale``: mmcv's float weighted sum (B, G, R) = (0.114, 0.587, 0.2989), truncated,
  vs PIL's ``convert('L')`` (299 R + 587 G + 114 B) / 1000 rounded: :data:`GREY_MAX` in a
  grey view, whatever follows it (jitter comes before; blur and solarize keep it);
* ``grayscale then ResizeBlur`` (SCRL): the grey level's 1 grows through the two bicubic
  resizes (overshoot): :data:`GREY_RESIZE_BLUR_MAX`.

Every view that is not grey is equal.
"""
import random

import mmcv
import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS
from PIL import Image

import orl_mm  # noqa: F401
from orl_mm.testing.configs import train_pipelines
from orl_mm.testing.images import smooth_image
from orl_mm.testing.pipelines import array_pipeline

DECODE_MAX = 0
GREY_MAX = 1
GREY_RESIZE_BLUR_MAX = 3

CONFIGS = dict(
    orl='configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py',
    byol='configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py',
    scrl='configs/scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py',
    slotcon='configs/slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py',
    densecl='configs/densecl/densecl_resnet50_8xb32-coslr-800e_coco.py')
BOXES = dict(intra_box=[40, 30, 150, 120], inter_query_box=[100, 60, 90, 140],
             inter_key_box=[20, 10, 180, 150])


def jpeg(path, height=240, width=320, seed=0):
    """A saved JPEG (quality 90, 4:2:0) with smooth colour and noise; returns its path."""
    rng = np.random.RandomState(seed)
    pixels = smooth_image(height, width, seed).astype(int) + rng.randint(-40, 41,
                                                                         (height, width, 3))
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=90)
    return str(path)


def _build(pipeline, drop):
    return [TRANSFORMS.build(t) for t in pipeline if t['type'] not in drop]


def _views(transforms, results, seed):
    """The packed views (3, H, W) uint8 of one sample, the stream seeded with ``seed``."""
    np.random.seed(seed)
    random.seed(seed)
    for t in transforms[:-1]:
        results = t(results)
    return [x.numpy() for x in transforms[-1](dict(results))['inputs']]


def test_decode_opencv_equals_pil(tmp_path):
    for seed in range(4):
        path = jpeg(tmp_path / f'{seed}.jpg', seed=seed)
        opencv = mmcv.imread(path, 'color_ignore_orientation')[..., ::-1].astype(int)
        pil = np.asarray(Image.open(path).convert('RGB'))
        assert np.abs(opencv - pil).max() == DECODE_MAX


def test_decode_opencv_equals_pil_on_coco128(coco128):
    import glob
    for path in sorted(glob.glob(f'{coco128}/train2017/*.jpg'))[:16]:
        opencv = mmcv.imread(path, 'color_ignore_orientation')[..., ::-1].astype(int)
        pil = np.asarray(Image.open(path).convert('RGB'))
        assert np.abs(opencv - pil).max() == DECODE_MAX, path


@pytest.mark.parametrize('method', sorted(CONFIGS))
def test_pil_path_equals_array_path_but_grey(repo_root, tmp_path, method):
    """Same decoded pixels into both (the decode is compared above), same draws."""
    (pipeline, ) = train_pipelines(f'{repo_root}/{CONFIGS[method]}')
    new = _build(pipeline, ('LoadImagePIL', ))
    old = _build(array_pipeline(pipeline), ('LoadImageFromFile', 'LoadNeighbourImage'))
    grey_max = GREY_RESIZE_BLUR_MAX if method == 'scrl' else GREY_MAX
    seen = dict(grey=[], colour=[])
    for seed in range(10):
        img = Image.open(jpeg(tmp_path / 'a.jpg', seed=seed)).convert('RGB')
        nbr = Image.open(jpeg(tmp_path / 'b.jpg', 200, 260, seed=seed + 100)).convert('RGB')
        bgr = [np.ascontiguousarray(np.asarray(i)[..., ::-1]) for i in (img, nbr)]
        extra = BOXES if method == 'orl' else {}
        got = _views(new, dict(img=img, neighbour_img=nbr, **extra), seed)
        want = _views(old, dict(img=bgr[0], neighbour_img=bgr[1], **extra), seed)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            grey = bool((g[0] == g[1]).all() and (g[1] == g[2]).all())
            seen['grey' if grey else 'colour'].append(int(np.abs(g.astype(int) - w).max()))
    assert seen['colour'] and max(seen['colour']) == 0
    # the seeds draw grey views, and the bound is the difference they show
    assert seen['grey'] and max(seen['grey']) == grey_max, seen['grey']


def test_array_pipeline_maps_every_pil_transform(repo_root):
    """No PIL-path transform is left in the array rendering of any config."""
    for config in CONFIGS.values():
        (pipeline, ) = train_pipelines(f'{repo_root}/{config}')
        text = repr(array_pipeline(pipeline))
        assert "'PIL" not in text and 'LoadImagePIL' not in text, config
        assert 'PILToArray' in repr(pipeline)
