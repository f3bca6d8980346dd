"""Backbone export: mmdet/torchvision ``.pth`` and detectron2 ``.pkl`` layouts.

The mmdet/torchvision layout is the key layout of the backbone itself (``conv1.weight``,
``bn1.*``, ``layer1.0.conv1.weight``, ``layer1.0.downsample.0.weight``, ...), saved as a
plain dict of tensors: mmdet's ``init_cfg=dict(type='Pretrained', checkpoint=...)`` and
torchvision's ``resnet50().load_state_dict(..., strict=False)`` (everything but ``fc``)
read it as is.

detectron2 names the same tensors ``stem.conv1.*``, ``stem.conv1.norm.*``,
``res{2-5}.{i}.conv{j}.weight``, ``res{k}.{i}.conv{j}.norm.*``, ``res{k}.{i}.shortcut.*``
and reads a pickled ``{'model': {name: ndarray}, 'matching_heuristics': True}`` (the same
conversion as MoCo's ``convert-pretrain-to-detectron2.py``); ``num_batches_tracked`` has no
detectron2 counterpart and is dropped.
"""
import pickle
import re
from collections import OrderedDict
from typing import Dict, Mapping

import numpy as np
import torch

from orl_mm.utils.io import atomic_write

__all__ = ['to_detectron2_name', 'to_detectron2', 'save_pth', 'save_detectron2_pkl']


def to_detectron2_name(key: str) -> str:
    """detectron2's name of a torchvision/mmdet ResNet key (e.g. ``layer1.0.bn2.weight`` ->
    ``res2.0.conv2.norm.weight``)."""
    name = key
    if not name.startswith('layer'):
        name = 'stem.' + name
    name = re.sub(r'^layer([1-4])\.', lambda m: f'res{int(m.group(1)) + 1}.', name)
    name = re.sub(r'\bbn([1-3])\.', r'conv\1.norm.', name)
    name = name.replace('downsample.0.', 'shortcut.').replace('downsample.1.', 'shortcut.norm.')
    return name


def to_detectron2(state_dict: Mapping[str, torch.Tensor]) -> Dict[str, np.ndarray]:
    """The detectron2 ``model`` dict (numpy float arrays) of a ResNet backbone state dict."""
    out: Dict[str, np.ndarray] = OrderedDict()
    for key, value in state_dict.items():
        if key.endswith('num_batches_tracked'):
            continue
        out[to_detectron2_name(key)] = value.detach().cpu().numpy()
    return out


def save_pth(state_dict: Mapping[str, torch.Tensor], path: str) -> None:
    """Save a backbone as a plain tensor dict (loads with ``torch.load(weights_only=True)``)."""
    state = OrderedDict((k, v.detach().cpu().clone()) for k, v in state_dict.items())
    atomic_write(path, lambda f: torch.save(state, f))


def save_detectron2_pkl(state_dict: Mapping[str, torch.Tensor], path: str,
                        author: str = 'orl_mm') -> None:
    """Save a backbone as detectron2 reads it (``cfg.MODEL.WEIGHTS``, PyTorch-style R50:
    ``MODEL.RESNETS.STRIDE_IN_1X1 False``, ``MODEL.PIXEL_STD [57.375, 57.120, 58.395]``)."""
    payload = {'model': to_detectron2(state_dict), '__author__': author,
               'matching_heuristics': True}
    atomic_write(path, lambda f: pickle.dump(payload, f))
