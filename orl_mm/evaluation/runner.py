"""What the classification front doors share: splits, backbone, cached features, results.

``tools/evaluation/{svm,low_shot_svm,knn}.py`` call :func:`add_common_args`,
:func:`load_splits`, :func:`protocol_from_args` and :func:`split_features`, and write their
results with :func:`write_json` (atomic), with the protocol, its deviations from ORL's and
the input geometry and pooling each layer got (:func:`protocol_record`). Features are cached
under ``<work_dir>/features/`` by a hash of checkpoint file, weights name, image list, input
geometry and pooling, so re-running a benchmark (or running another one on the same
checkpoint and data) does not extract them again.
"""
import argparse
import contextlib
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

from orl_mm.utils.io import atomic_write_json
from .checkpoints import WEIGHT_CHOICES, build_backbone, resolve_weights
from .features import LAYERS, extract_features, features_cache_key, pooling_plan
from .labeled_images import LabeledImages, read_any, read_class_folders, read_voc, split_train_test
from .voc07_protocol import VOC07Protocol, protocol_for_size

__all__ = ['add_common_args', 'load_splits', 'protocol_from_args', 'split_features',
           'protocol_record', 'write_json', 'Timer']


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('checkpoint',
                        help="an orl_mm checkpoint (stage 1, ORL, SCRL, SlotCon) or 'random'")
    parser.add_argument('--data', required=True,
                        help='VOC folder (JPEGImages, Annotations, ImageSets/Main), a '
                        'multi-label CSV, or class folders (root/<class>/*.jpg or '
                        'root/{train,test}/<class>/)')
    parser.add_argument('--weights', choices=WEIGHT_CHOICES, default='auto',
                        help='online network (backbone.*) or EMA target/teacher; auto '
                        '(default): the one the checkpoint\'s method transfers (the teacher '
                        'for SlotCon, the online network for BYOL, ORL and SCRL)')
    parser.add_argument('--work-dir', required=True, help='feature cache and results')
    parser.add_argument('--train-split', default='trainval', help='VOC train list')
    parser.add_argument('--test-split', default='test', help='VOC test list')
    parser.add_argument('--test-fraction', type=float, default=0.5,
                        help='test share for sets without a split (CSV, class folders)')
    parser.add_argument('--img-size', type=int, default=224,
                        help='input side (pixels): the shorter side is resized to '
                        'round(img_size * 256 / 224), then the whole image to img_size x '
                        'img_size, as ORL at 224; other sizes are recorded as deviations')
    parser.add_argument('--pooling', choices=['specified', 'adaptive'], default='specified',
                        help="specified (default, ORL): the reference's AvgPool2d windows on "
                        'ResNet-50 maps of the reference size, adaptive pooling to the same '
                        'grids elsewhere; adaptive: adaptive everywhere')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--depth', type=int, default=50,
                        help="ResNet depth for 'random' (else read from the checkpoint)")
    parser.add_argument('--seed', type=int, default=0, help='split / random-init / sampling seed')


def load_splits(data: str, train_split: str = 'trainval', test_split: str = 'test',
                test_fraction: float = 0.5, seed: int = 0
                ) -> Tuple[LabeledImages, LabeledImages]:
    """(train, test) of a VOC folder, a ``root/{train,test|val}/<class>`` tree, or a split
    of a CSV / class-folder set (deterministic in ``seed``)."""
    if osp.isdir(osp.join(data, 'ImageSets', 'Main')):
        train = read_voc(data, train_split)
        test = read_voc(data, test_split, classes=train.classes)
        return train, test
    if osp.isdir(data):
        for test_name in ('test', 'val'):
            if osp.isdir(osp.join(data, 'train')) and osp.isdir(osp.join(data, test_name)):
                train = read_class_folders(osp.join(data, 'train'))
                test = read_class_folders(osp.join(data, test_name))
                if test.classes != train.classes:
                    raise ValueError(f'{data}: train and {test_name} have different classes')
                return train, test
    return split_train_test(read_any(data, 'train'), test_fraction, seed)


def protocol_from_args(args: argparse.Namespace, **changes) -> VOC07Protocol:
    """The reference protocol at ``args.img_size`` with ``args.pooling`` and ``changes``."""
    return protocol_for_size(args.img_size, pooling=args.pooling, **changes)


def protocol_record(protocol: VOC07Protocol, plan: Dict[str, dict]) -> dict:
    """What the JSON outputs say about the protocol: its fields, the deviations from ORL's
    (a layer pooled adaptively under ``'specified'`` included), the input geometry and each
    layer's pooling (:func:`~orl_mm.evaluation.features.pooling_plan`)."""
    deviations = protocol.deviations()
    adaptive = [name for name, p in plan.items() if p['pooling'] == 'adaptive']
    if protocol.pooling == 'specified' and adaptive:
        deviations.append(f'pooling of {", ".join(adaptive)}: adaptive (the reference windows '
                          'are made for ResNet-50 maps at 224 x 224)')
    geometry = {'resize_short_side': protocol.resize_short,
                'resize_whole': [protocol.input_size, protocol.input_size],
                'aspect_ratio_kept': False, 'crop': None, 'interpolation': 'bilinear (Pillow)'}
    return {'protocol': protocol.to_dict(), 'deviations': deviations, 'input': geometry,
            'pooling': plan}


def split_features(args: argparse.Namespace, train: LabeledImages, test: LabeledImages,
                   layers: Sequence[str] = LAYERS, protocol: Optional[VOC07Protocol] = None
                   ) -> Tuple[Dict[str, np.ndarray], Dict[str, np.ndarray], Dict[str, dict]]:
    """Features of both splits (cached in ``<work_dir>/features``) and the pooling plan.

    Returns:
        ``(train features, test features, {layer: pooling record})``; features
        ``{layer: (N, D)}`` as pooled (not normalised).

    ``args`` is read, never changed: ``args.weights`` stays what was asked (``auto`` is
    resolved here, for the backbone and the cache key only).
    """
    protocol = protocol_from_args(args) if protocol is None else protocol
    ckpt: Optional[str] = None if args.checkpoint == 'random' else args.checkpoint
    weights = args.weights
    if ckpt is None:
        torch.manual_seed(args.seed)
    else:
        weights, why = resolve_weights(ckpt, args.weights)
        print(f'backbone: {why}', flush=True)
    backbone = build_backbone(ckpt, weights, depth=args.depth)
    cache_dir = osp.join(args.work_dir, 'features')
    out = []
    size, short, pooling = protocol.input_size, protocol.resize_short, protocol.pooling
    for name, split in (('train', train), ('test', test)):
        key = features_cache_key(ckpt, weights, split.paths, size,
                                 args.seed if ckpt is None else 0, resize_short=short,
                                 pooling=pooling)
        cache = osp.join(cache_dir, f'{name}-{key}.npz')
        print(f'{name}: {len(split)} images -> {cache}', flush=True)
        out.append(extract_features(backbone, split.paths, size, layers, args.batch_size,
                                    cache_file=cache, resize_short=short, pooling=pooling))
    return out[0], out[1], pooling_plan(backbone, size, layers, pooling)


def write_json(path: str, payload: dict) -> None:
    """Write JSON (indented) through a temporary file and a rename."""
    atomic_write_json(payload, path, indent=2)


class Timer:
    """Wall time of named steps (``with timer('features'): ...``), by mmengine's ``Timer``."""

    def __init__(self):
        self.times: Dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str):
        from mmengine.utils import Timer as MMTimer
        clock = MMTimer()
        try:
            yield
        finally:
            self.times[name] = round(clock.since_start(), 2)
