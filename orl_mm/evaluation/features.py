"""Frozen multi-layer ResNet features for linear SVMs and k-NN (ORL's VOC07 protocol).

The VOC07 SVM benchmark (Goyal et al., ICCV 2019; ORL's Tables 1, 2 and 5) trains linear
SVMs on the output of conv1 (the stem) and of res2..res5, each average-pooled to a grid that
gives about 9k dimensions: for ResNet-50 9216 / 9216 / 8192 / 9216 / 8192 (64 x 12^2,
256 x 6^2, 512 x 4^2, 1024 x 3^2, 2048 x 2^2). :func:`grid_size` picks the grid
``floor(sqrt(9216 / C))`` for a layer of ``C`` channels, which gives those grids for
ResNet-50. ``'gap'`` is res5 global-average-pooled (the k-NN feature).

Input (:func:`load_protocol_tensor`, ORL's ``benchmarks/extract_info/voc07.py``): the
shorter side resized to 256, then the whole image resized to 224 x 224 (aspect ratio not
kept, nothing cropped), ``ToTensor`` + ``Normalize``. Pooling (:func:`pool_layer`, ORL's
``MultiPooling(pool_type='specified')``): the reference's fixed ``AvgPool2d`` windows
(:data:`REFERENCE_WINDOWS`) where the map is the one they were made for (ResNet-50 channels
at the reference size, e.g. res5 2048 x 7 x 7: 6 x 6 windows, stride 1); on other maps
(other input sizes, ResNet-18's wider grids) adaptive average pooling to ``grid_size(C)``.
:func:`pooling_plan` says which each layer gets. Features are returned as pooled, not
normalised: the SVMs normalise them as the reference does
(:func:`orl_mm.evaluation.voc07_protocol.normalize_features`), the k-NN by cosine.

:func:`extract_features` caches its result (``.npz``, written atomically) keyed by the
checkpoint, the weights name, the image list, the input geometry and the pooling, so an
interrupted run recomputes only what is missing, and another benchmark on the same images
reuses the layers already extracted.
"""
import hashlib
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from orl_mm.utils.images import (read_rgb, resize_center_crop, resize_short_side, resize_to,
                                 to_tensor_normalize)
from orl_mm.utils.io import atomic_write

__all__ = ['LAYERS', 'TARGET_DIM', 'REFERENCE_WINDOWS', 'REFERENCE_MAPS', 'grid_size',
           'layer_maps', 'layer_pooling', 'pool_layer', 'pooling_plan', 'load_image_tensor',
           'load_protocol_tensor', 'extract_features', 'features_cache_key']

#: Layers the benchmark evaluates, in order; ``'gap'`` = global-average-pooled res5.
LAYERS = ('conv1', 'res2', 'res3', 'res4', 'res5')
TARGET_DIM = 9216
#: ``MultiPooling.POOL_PARAMS['resnet50']``: ``(kernel, stride, padding)`` of each layer's
#: ``AvgPool2d`` (zero padding counted in the mean, PyTorch's default).
REFERENCE_WINDOWS = {'conv1': (10, 10, 4), 'res2': (16, 8, 0), 'res3': (13, 5, 0),
                     'res4': (8, 3, 0), 'res5': (6, 1, 0)}
#: The maps those windows were made for: ResNet-50 at 224 x 224, ``(C, H, W)``.
REFERENCE_MAPS = {'conv1': (64, 112, 112), 'res2': (256, 56, 56), 'res3': (512, 28, 28),
                  'res4': (1024, 14, 14), 'res5': (2048, 7, 7)}
#: Bumped when the cached arrays change meaning (2: pooled, not normalised).
CACHE_FORMAT = 2


def grid_size(channels: int, target_dim: int = TARGET_DIM) -> int:
    """Side of the pooling grid giving about ``target_dim`` dims: ``floor(sqrt(target/C))``."""
    return max(1, int(math.floor(math.sqrt(target_dim / channels) + 1e-9)))


def layer_maps(backbone: torch.nn.Module, images: torch.Tensor,
               layers: Sequence[str] = LAYERS) -> Dict[str, torch.Tensor]:
    """Feature maps of an mmpretrain/mmdet ResNet at the named layers.

    Args:
        backbone: mmpretrain ``ResNet`` (attributes ``conv1``, ``norm1``, ``relu``,
            ``maxpool``, ``layer1..4``).
        images: Normalised images (B, 3, H, W).
        layers: Names among ``conv1`` (stem output after ReLU, stride 2), ``res2..res5``
            (strides 4..32) and ``gap``.

    Returns:
        ``{name: (B, C, h, w)}`` (``gap``: (B, C) ).
    """
    wanted = set(layers)
    out: Dict[str, torch.Tensor] = {}
    if getattr(backbone, 'deep_stem', False):
        x = backbone.stem(images)
    else:
        x = backbone.relu(backbone.norm1(backbone.conv1(images)))
    if 'conv1' in wanted:
        out['conv1'] = x
    x = backbone.maxpool(x)
    last = max([2 + i for i in range(4) if f'res{2 + i}' in wanted]
               + ([5] if 'gap' in wanted else []), default=1)
    for i in range(4):
        if 2 + i > last:
            break
        x = getattr(backbone, f'layer{i + 1}')(x)
        if f'res{2 + i}' in wanted:
            out[f'res{2 + i}'] = x
    if 'gap' in wanted:
        out['gap'] = x.mean(dim=(2, 3))
    return out


def layer_pooling(layer: Optional[str], shape: Sequence[int], pooling: str = 'specified') -> str:
    """How :func:`pool_layer` pools a map: ``'specified'``, ``'adaptive'`` or ``'none'``.

    Args:
        layer: Layer name (``conv1``, ``res2..res5``, ``gap``) or None (unknown: adaptive).
        shape: The map's shape, (B, C, H, W) or (B, C).
        pooling: ``'specified'``: the reference window where ``(C, H, W)`` is the map it was
            made for (:data:`REFERENCE_MAPS`), adaptive elsewhere; ``'adaptive'``: adaptive.
    """
    if len(shape) == 2:
        return 'none'
    if pooling not in ('specified', 'adaptive'):
        raise ValueError(f"pooling must be 'specified' or 'adaptive', got {pooling!r}")
    if pooling == 'specified' and REFERENCE_MAPS.get(layer) == tuple(shape[1:]):
        return 'specified'
    return 'adaptive'


def pool_layer(feature_map: torch.Tensor, layer: Optional[str] = None,
               pooling: str = 'specified', target_dim: int = TARGET_DIM) -> torch.Tensor:
    """Average-pool (B, C, h, w) to the layer's grid and flatten: (B, C * g * g).

    The reference's ``AvgPool2d`` window where :func:`layer_pooling` says ``'specified'``,
    else ``adaptive_avg_pool2d`` to ``grid_size(C)``; (B, C) maps (``gap``) pass through.
    """
    mode = layer_pooling(layer, feature_map.shape, pooling)
    if mode == 'none':
        return feature_map
    if mode == 'specified':
        kernel, stride, padding = REFERENCE_WINDOWS[layer]
        return F.avg_pool2d(feature_map, kernel, stride, padding).flatten(1)
    g = grid_size(feature_map.shape[1], target_dim)
    return F.adaptive_avg_pool2d(feature_map, g).flatten(1)


@torch.no_grad()
def pooling_plan(backbone: torch.nn.Module, size: int, layers: Sequence[str] = LAYERS,
                 pooling: str = 'specified') -> Dict[str, dict]:
    """What each layer's feature is at input side ``size`` (one forward of a blank image).

    Returns:
        ``{layer: {'pooling': 'specified' | 'adaptive' | 'none', 'map': [C, H, W],
        'window': [kernel, stride, padding] or None, 'grid': g, 'dims': D}}``.
    """
    backbone.eval()
    maps = layer_maps(backbone, torch.zeros(1, 3, size, size), layers)
    out = {}
    for name in layers:
        shape = tuple(maps[name].shape)
        mode = layer_pooling(name, shape, pooling)
        dims = int(pool_layer(maps[name], name, pooling).shape[1])
        out[name] = {'pooling': mode, 'map': list(shape[1:]),
                     'window': list(REFERENCE_WINDOWS[name]) if mode == 'specified' else None,
                     'grid': None if mode == 'none' else int(round(
                         math.sqrt(dims / shape[1]))), 'dims': dims}
    return out


def load_image_tensor(path: str, size: int) -> torch.Tensor:
    """RGB image, shorter side resized to ``size``, centre crop ``size`` (torchvision
    geometry, bilinear), ImageNet-normalised: (3, size, size). For the figures; the
    benchmark's input is :func:`load_protocol_tensor`."""
    return resize_center_crop(read_rgb(path), size, size)


def load_protocol_tensor(path: str, size: int = 224, resize_short: int = 256) -> torch.Tensor:
    """The reference's extraction input: ``Resize(resize_short)`` (shorter side), then
    ``Resize((size, size))`` - the whole image, aspect ratio not kept, nothing cropped -,
    ``ToTensor``, ``Normalize`` (ImageNet). Bilinear (Pillow), EXIF orientation ignored.

    Returns:
        (3, size, size) float32.
    """
    rgb = resize_short_side(read_rgb(path), resize_short)
    return to_tensor_normalize(resize_to(rgb, size, size))


def features_cache_key(checkpoint: Optional[str], weights: str, paths: Sequence[str],
                       size: int, seed: int = 0, target_dim: int = TARGET_DIM,
                       resize_short: Optional[int] = None, pooling: str = 'specified') -> str:
    """A hash of everything the features depend on (checkpoint file identity included);
    the layers are not part of it: one cache file collects every layer computed."""
    ident = {'checkpoint': None, 'weights': weights, 'size': size, 'target_dim': target_dim,
             'paths': list(paths), 'seed': seed, 'format': CACHE_FORMAT,
             'resize_short': _resize_short(size, resize_short), 'pooling': pooling}
    if checkpoint is not None:
        st = os.stat(checkpoint)
        ident['checkpoint'] = [osp.abspath(checkpoint), st.st_size, int(st.st_mtime)]
    return hashlib.sha1(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]


def _resize_short(size: int, resize_short: Optional[int]) -> int:
    """The first resize of the reference input, scaled with ``size`` (256 at 224)."""
    return int(round(size * 256 / 224)) if resize_short is None else int(resize_short)


def _atomic_savez(path: str, arrays: Dict[str, np.ndarray]) -> None:
    atomic_write(path, lambda f: np.savez(f, **arrays))


def _resume(partial: Optional[str], layers: Sequence[str]
            ) -> Tuple[Dict[str, List[np.ndarray]], int]:
    """The features of an interrupted extraction (``partial`` file) and how many images
    they cover; empty and 0 without one."""
    if partial and osp.isfile(partial):
        with np.load(partial) as archive:
            if all(name in archive.files for name in layers):
                return ({name: [archive[name]] for name in layers},
                        int(archive[layers[0]].shape[0]))
    return {name: [] for name in layers}, 0


@torch.no_grad()
def extract_features(backbone: torch.nn.Module, paths: Sequence[str], size: int = 224,
                     layers: Sequence[str] = LAYERS, batch_size: int = 32,
                     cache_file: Optional[str] = None, target_dim: int = TARGET_DIM,
                     progress: bool = True, save_every: int = 20,
                     resize_short: Optional[int] = None,
                     pooling: str = 'specified') -> Dict[str, np.ndarray]:
    """Pooled features (not normalised) of every image at every layer.

    Args:
        backbone: ResNet in eval mode (see :func:`layer_maps`).
        paths: Image files, length N.
        size: Input side in pixels (224 in the reference protocol).
        layers: Layer names (see :data:`LAYERS`, plus ``'gap'``).
        batch_size: Images per forward pass.
        cache_file: ``.npz`` of earlier results: layers found there are not recomputed, the
            others are computed and added (the file is rewritten atomically).
        target_dim: Dimension each layer is pooled to (about).
        progress: Show mmengine's progress bar.
        save_every: With a ``cache_file``, the features done so far are saved every this many
            batches (``<cache_file>.partial.npz``), and a run killed midway continues there.
        resize_short: First resize of :func:`load_protocol_tensor`; default
            ``round(size * 256 / 224)`` (256 at 224).
        pooling: See :func:`layer_pooling`.

    Returns:
        ``{layer: float32 array (N, D_layer)}``.
    """
    resize_short = _resize_short(size, resize_short)
    cached: Dict[str, np.ndarray] = {}
    if cache_file and osp.isfile(cache_file):
        with np.load(cache_file) as archive:
            cached = {name: archive[name] for name in archive.files}
    missing = [name for name in layers if name not in cached]
    if not missing:
        return {name: cached[name] for name in layers}
    layers_wanted = layers
    layers = missing  # only what the cache lacks is computed
    backbone.eval()
    partial = f'{cache_file}.partial.npz' if cache_file else None
    chunks, done = _resume(partial, layers)
    if cache_file:
        os.makedirs(osp.dirname(osp.abspath(cache_file)), exist_ok=True)
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(paths) - done)
    for n_batch, start in enumerate(range(done, len(paths), batch_size), start=1):
        batch = torch.stack([load_protocol_tensor(p, size, resize_short)
                             for p in paths[start:start + batch_size]])
        maps = layer_maps(backbone, batch, layers)
        for name in layers:
            chunks[name].append(pool_layer(maps[name], name, pooling, target_dim).float().numpy())
        if bar is not None:
            for _ in range(len(batch)):
                bar.update()
        if partial and n_batch % save_every == 0 and start + batch_size < len(paths):
            _atomic_savez(partial, {name: np.concatenate(chunks[name]) for name in layers})
    if bar is not None:
        print()
    cached.update({name: np.concatenate(chunks[name]).astype(np.float32) for name in layers})
    if cache_file:
        _atomic_savez(cache_file, cached)  # every layer computed so far
        if osp.isfile(partial):
            os.remove(partial)
    return {name: cached[name] for name in layers_wanted}
