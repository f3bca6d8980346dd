"""The ``colour_on_device`` option: move a config's colour ops from the workers to the batch.

The paper pipelines are written once, on the PIL path (``configs/_base_/datasets/
byol_color.py``). ``colour_on_device=True`` in a config (or ``--cfg-options
colour_on_device=True``) makes :func:`~orl_mm.utils.load_config` rewrite the loaded config
with :func:`colour_on_device_config`: the workers then decode, crop, resize and flip, draw
the colour parameters as the PIL path does and record them; the model's data preprocessor
applies jitter, grayscale, blur and solarize to the batch on its device
(docs/device_colour.md). mmengine resolves ``_base_.color_1`` when the child file is
parsed, so a ``_base_`` variant of ``byol_color.py`` would need a copy of every pipeline
file that uses it; rewriting the loaded config keeps each pipeline written once.
"""
import copy
from typing import Any, List

__all__ = ['DEVICE_TYPES', 'colour_on_device_config', 'device_transforms']

#: PIL colour op -> its worker half on the device path (same arguments and draws).
DEVICE_TYPES = {
    'PILColorJitter': 'DeviceColorJitter',
    'PILRandomGrayscale': 'DeviceRandomGrayscale',
    'PILGaussianBlur': 'DeviceGaussianBlur',
    'PILSolarize': 'DeviceSolarize',
}
#: mmpretrain's PackInputs default meta keys (its DEFAULT_META_KEYS).
PACK_META_KEYS = ('sample_idx', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
                  'flip', 'flip_direction')
PREPROCESSORS = {'SelfSupDataPreprocessor': 'DeviceColourDataPreprocessor'}


def _rewrite(node: Any, found: dict) -> None:
    """Rewrite the transform dicts under ``node`` in place."""
    if isinstance(node, (list, tuple)):
        for item in node:
            _rewrite(item, found)
        return
    if not isinstance(node, dict):
        return
    kind = node.get('type')
    if kind == 'ResizeBlur':
        raise ValueError('colour_on_device does not support ResizeBlur (SCRL): its resize '
                         'blur runs between grayscale and solarize on the CPU, so the colour '
                         'ops before it cannot move to the device; leave colour_on_device off')
    if kind in DEVICE_TYPES:
        node['type'] = DEVICE_TYPES[kind]
        found['ops'] += 1
    elif kind == 'MultiViewWithGeometry':
        keys = list(node.get('keep_keys', ('crop_box', 'flip')))
        node['keep_keys'] = keys + ['colour_params'] * ('colour_params' not in keys)
    elif kind == 'PackInputs':
        keys = list(node.get('meta_keys', PACK_META_KEYS))
        node['meta_keys'] = keys + ['colour_params'] * ('colour_params' not in keys)
        found['pack'] += 1
    for value in node.values():
        _rewrite(value, found)


def device_transforms(transforms: List[Any]) -> List[Any]:
    """A copy of a transform list with each PIL colour op replaced by its ``Device*`` half
    (:data:`DEVICE_TYPES`; e.g. ``byol_color.py``'s ``color_1`` for a benchmark)."""
    out = copy.deepcopy(list(transforms))
    _rewrite(out, dict(ops=0, pack=0))
    return out


def colour_on_device_config(cfg) -> None:
    """Rewrite ``cfg`` (an mmengine Config, in place) for the device colour path.

    The train pipeline's PIL colour ops become their ``Device*`` halves
    (:data:`DEVICE_TYPES`), ``PackInputs`` packs ``colour_params``, ``MultiViewWithGeometry``
    keeps it, and ``model.data_preprocessor`` (``SelfSupDataPreprocessor``) becomes
    ``DeviceColourDataPreprocessor`` with the same arguments. Applying it twice changes
    nothing more. Sets ``cfg.colour_on_device = True``.

    Raises:
        ValueError: If the train pipeline has no PIL colour op or no ``PackInputs``, has
            SCRL's ``ResizeBlur``, or the model's preprocessor is not one it can extend.
    """
    preprocessor = cfg.model.get('data_preprocessor')
    kind = (preprocessor or {}).get('type')
    if kind not in PREPROCESSORS and kind not in PREPROCESSORS.values():
        raise ValueError(f'colour_on_device extends {", ".join(PREPROCESSORS)}; this '
                         f'config\'s model.data_preprocessor is {kind}')
    found = dict(ops=0, pack=0)
    _rewrite(cfg.train_dataloader.dataset, found)
    already = any(t in str(cfg.train_dataloader.dataset) for t in DEVICE_TYPES.values())
    if not found['ops'] and not already:
        raise ValueError('colour_on_device: the train pipeline has no PIL colour op '
                         f'({", ".join(DEVICE_TYPES)}) to move to the device')
    if not found['pack']:
        raise ValueError('colour_on_device: the train pipeline has no PackInputs to pack '
                         'colour_params with')
    preprocessor['type'] = PREPROCESSORS.get(kind, kind)
    cfg.colour_on_device = True
