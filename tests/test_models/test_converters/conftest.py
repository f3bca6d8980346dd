"""Reference layouts as data: ResNet-50 names from a compact description, and a filler.

The three references' ResNet-50s (OpenSelfSup's, torchvision's in SCRL, SlotCon's
``models/resnet.py``) name their tensors alike: ``conv1``, ``bn1``, then
``layer{1-4}.{block}.conv{1-3}/bn{1-3}`` and ``downsample.{0,1}`` in each stage's first
block. Only the stem and stage prefixes differ (SCRL's ``encoder`` is a Sequential:
``0``, ``1``, ``4``-``7``), so they are parameters here.
"""
import types
from collections import OrderedDict
from typing import List, Sequence, Tuple

import pytest
import torch

#: ResNet-50: (planes, blocks) per stage; Bottleneck expansion 4.
RESNET50_STAGES = ((64, 3), (128, 4), (256, 6), (512, 3))
BN = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')

Names = List[Tuple[str, Tuple[int, ...]]]


def bn_names(prefix: str, channels: int) -> Names:
    """A BatchNorm's five tensors."""
    return [(f'{prefix}{n}', () if n == 'num_batches_tracked' else (channels, )) for n in BN]


def resnet50_names(stem: Sequence[str] = ('conv1.', 'bn1.'),
                   stages: Sequence[str] = ('layer1.', 'layer2.', 'layer3.', 'layer4.')
                   ) -> Names:
    """``(name, shape)`` of every tensor of a ResNet-50 without ``fc``."""
    names: Names = [(f'{stem[0]}weight', (64, 3, 7, 7))] + bn_names(stem[1], 64)
    inplanes = 64
    for stage, (planes, blocks) in zip(stages, RESNET50_STAGES):
        for b in range(blocks):
            p = f'{stage}{b}.'
            names += [(f'{p}conv1.weight', (planes, inplanes, 1, 1))] + \
                bn_names(f'{p}bn1.', planes)
            names += [(f'{p}conv2.weight', (planes, planes, 3, 3))] + \
                bn_names(f'{p}bn2.', planes)
            names += [(f'{p}conv3.weight', (planes * 4, planes, 1, 1))] + \
                bn_names(f'{p}bn3.', planes * 4)
            if b == 0:
                names += [(f'{p}downsample.0.weight', (planes * 4, inplanes, 1, 1))] + \
                    bn_names(f'{p}downsample.1.', planes * 4)
            inplanes = planes * 4
    return names


def prefixed(prefix: str, names: Names) -> Names:
    return [(prefix + n, s) for n, s in names]


def fill(names: Names, seed: int = 0) -> 'OrderedDict[str, torch.Tensor]':
    """Random tensors of those names and shapes (counters: random integers)."""
    gen = torch.Generator().manual_seed(seed)
    out = OrderedDict()
    for name, shape in names:
        if name.endswith('num_batches_tracked'):
            out[name] = torch.randint(0, 1000, (), generator=gen)
        elif name.endswith('running_var'):
            out[name] = torch.rand(shape, generator=gen) + 0.5
        else:
            out[name] = torch.randn(shape, generator=gen)
    return out


def load_imported(path: str):
    """Our model built from the config an imported file carries, loaded strictly from it.

    Returns:
        ``(model, checkpoint)``.
    """
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    from orl_mm.evaluation.checkpoints import read_checkpoint
    checkpoint = read_checkpoint(path)
    cfg = Config.fromstring(checkpoint['meta']['cfg'], file_format='.py')
    model = MODELS.build(cfg.model)
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    return model, checkpoint


@pytest.fixture(scope='session')
def layouts() -> types.SimpleNamespace:
    """The helpers above, for the test modules (``layouts.resnet50_names(...)``)."""
    return types.SimpleNamespace(resnet50_names=resnet50_names, bn_names=bn_names,
                                 prefixed=prefixed, fill=fill, load_imported=load_imported)
