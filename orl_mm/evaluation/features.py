"""Frozen multi-layer ResNet features for linear SVMs and k-NN (VOC07 benchmark protocol).

The VOC07 SVM benchmark (Goyal et al., ICCV 2019; the protocol of ORL's Tables 1, 2 and 5)
trains linear SVMs on the output of conv1 (the stem) and of res2..res5, each average-pooled
to a grid that gives about 9k dimensions: for ResNet-50 9216 / 9216 / 8192 / 9216 / 8192
(64 x 12^2, 256 x 6^2, 512 x 4^2, 1024 x 3^2, 2048 x 2^2). :func:`grid_size` picks the grid
``floor(sqrt(9216 / C))`` for a layer of ``C`` channels, which gives exactly those sizes for
ResNet-50 (ResNet-18: 9216 / 9216 / 8192 / 9216 / 8192 too). Features are L2-normalised
per image. ``'gap'`` is res5 global-average-pooled (the k-NN feature).

:func:`extract_features` caches its result (``.npz``, written atomically) keyed by the
checkpoint, the weights name, the image list and the input size, so an interrupted run
recomputes only what is missing, and another benchmark on the same images reuses the layers
already extracted.
"""
import hashlib
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import mmcv
import numpy as np
import torch
import torch.nn.functional as F

from orl_mm.utils.image_check import check_image_bytes
from orl_mm.utils.io import atomic_write

__all__ = ['LAYERS', 'TARGET_DIM', 'grid_size', 'layer_maps', 'pool_layer',
           'load_image_tensor', 'extract_features', 'features_cache_key']

#: Layers the benchmark evaluates, in order; ``'gap'`` = global-average-pooled res5.
LAYERS = ('conv1', 'res2', 'res3', 'res4', 'res5')
TARGET_DIM = 9216
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


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


def pool_layer(feature_map: torch.Tensor, target_dim: int = TARGET_DIM) -> torch.Tensor:
    """Average-pool (B, C, h, w) to a ``grid_size(C)`` grid and flatten: (B, C * g * g)."""
    if feature_map.dim() == 2:
        return feature_map
    g = grid_size(feature_map.shape[1], target_dim)
    return F.adaptive_avg_pool2d(feature_map, g).flatten(1)


def load_image_tensor(path: str, size: int) -> torch.Tensor:
    """RGB image resized (shorter side ``size``, bilinear), centre-cropped to ``size``,
    ImageNet-normalised: (3, size, size).

    Decoded and resized by mmcv's Pillow backend, without EXIF rotation
    (``color_ignore_orientation``, as the training pipelines read images).

    Raises:
        OSError: If the file cannot be read.
        ImageReadError: If it is empty, not an image, truncated or corrupt.
    """
    try:
        with open(path, 'rb') as f:
            content = f.read()
    except OSError as err:
        raise OSError(f'cannot read image {path}: {err}') from err
    check_image_bytes(path, content)  # ImageReadError: empty, not an image, truncated
    img = mmcv.imfrombytes(content, flag='color_ignore_orientation', channel_order='rgb',
                           backend='pillow')
    h, w = img.shape[:2]
    scale = size / min(w, h)
    img = mmcv.imresize(img, (max(size, round(w * scale)), max(size, round(h * scale))),
                        interpolation='bilinear', backend='pillow')
    h, w = img.shape[:2]
    left, top = (w - size) // 2, (h - size) // 2
    img = img[top:top + size, left:left + size]
    arr = mmcv.imnormalize(img, 255. * np.asarray(IMAGENET_MEAN), 255. * np.asarray(IMAGENET_STD),
                           to_rgb=False)
    return torch.from_numpy(arr.transpose(2, 0, 1).copy())


def features_cache_key(checkpoint: Optional[str], weights: str, paths: Sequence[str],
                       size: int, seed: int = 0, target_dim: int = TARGET_DIM) -> str:
    """A hash of everything the features depend on (checkpoint file identity included);
    the layers are not part of it: one cache file collects every layer computed."""
    ident = {'checkpoint': None, 'weights': weights, 'size': size, 'target_dim': target_dim,
             'paths': list(paths), 'seed': seed}
    if checkpoint is not None:
        st = os.stat(checkpoint)
        ident['checkpoint'] = [osp.abspath(checkpoint), st.st_size, int(st.st_mtime)]
    return hashlib.sha1(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]


def _atomic_savez(path: str, arrays: Dict[str, np.ndarray]) -> None:
    atomic_write(path, lambda f: np.savez(f, **arrays))


@torch.no_grad()
def extract_features(backbone: torch.nn.Module, paths: Sequence[str], size: int = 224,
                     layers: Sequence[str] = LAYERS, batch_size: int = 32,
                     cache_file: Optional[str] = None, target_dim: int = TARGET_DIM,
                     progress: bool = True, save_every: int = 20) -> Dict[str, np.ndarray]:
    """L2-normalised pooled features of every image at every layer.

    Args:
        backbone: ResNet in eval mode (see :func:`layer_maps`).
        paths: Image files, length N.
        size: Input side in pixels (224 in the paper's protocol).
        layers: Layer names (see :data:`LAYERS`, plus ``'gap'``).
        batch_size: Images per forward pass.
        cache_file: ``.npz`` of earlier results: layers found there are not recomputed, the
            others are computed and added (the file is rewritten atomically).
        target_dim: Dimension each layer is pooled to (about).
        progress: Show mmengine's progress bar.
        save_every: With a ``cache_file``, the features done so far are saved every this many
            batches (``<cache_file>.partial.npz``), and a run killed midway continues there.

    Returns:
        ``{layer: float32 array (N, D_layer)}`` with unit-norm rows.
    """
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
    chunks: Dict[str, List[np.ndarray]] = {name: [] for name in layers}
    partial = f'{cache_file}.partial.npz' if cache_file else None
    done = 0
    if partial and osp.isfile(partial):  # an interrupted extraction: continue it
        with np.load(partial) as archive:
            if all(name in archive.files for name in layers):
                chunks = {name: [archive[name]] for name in layers}
                done = int(archive[layers[0]].shape[0])
    if cache_file:
        os.makedirs(osp.dirname(osp.abspath(cache_file)), exist_ok=True)
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(paths) - done)
    for n_batch, start in enumerate(range(done, len(paths), batch_size), start=1):
        batch = torch.stack([load_image_tensor(p, size) for p in paths[start:start + batch_size]])
        maps = layer_maps(backbone, batch, layers)
        for name in layers:
            feat = F.normalize(pool_layer(maps[name], target_dim).float(), dim=1)
            chunks[name].append(feat.numpy())
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
