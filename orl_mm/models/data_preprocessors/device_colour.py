"""Device half of the device colour path: the colour ops on the batch, before normalising.

The worker (``Device*`` transforms, :mod:`orl_mm.datasets.transforms.device_colour`) draws
each view's colour parameters as the PIL path would and packs them as the data sample's
``colour_params`` ((V, NUM_PARAMS), one row per view). This preprocessor is mmpretrain's
``SelfSupDataPreprocessor`` (the one of the paper configs) that, between the uint8 -> float
conversion and the normalisation, applies those ops per sample on whatever device the batch
is on (:func:`~.device_colour_ops.apply_colour`, torchvision's ``v2.functional``).
"""
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmpretrain.models.utils.data_preprocessor import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS

from .device_colour_ops import NUM_PARAMS, apply_colour

__all__ = ['DeviceColourDataPreprocessor', 'stack_colour_params']


def stack_colour_params(data_samples: Optional[Sequence],
                        num_views: int) -> Optional[torch.Tensor]:
    """The batch's parameters as (V, B, NUM_PARAMS) on the CPU, or None when no sample has
    them. They stay on the host: :func:`apply_colour` reads them there to pick each sample's
    ops, so a copy to the batch's device would only be copied back.

    Raises:
        ValueError: If only some samples have them, or their shape is not (V, NUM_PARAMS).
    """
    if not data_samples:
        return None
    rows = [s.metainfo.get('colour_params') for s in data_samples]
    if all(r is None for r in rows):
        return None
    if any(r is None for r in rows):
        raise ValueError('colour on device: some samples of the batch have colour_params and '
                         'some do not; every view pipeline needs the Device* colour ops')
    params = torch.stack([torch.as_tensor(np.asarray(r, dtype=np.float32)) for r in rows], 1)
    if params.shape[0] != num_views or params.shape[2] != NUM_PARAMS:
        raise ValueError(f'colour on device: each sample needs ({num_views}, {NUM_PARAMS}) '
                         f'colour_params (one row per view), got {tuple(params.shape[::2])}')
    return params


@MODELS.register_module()
class DeviceColourDataPreprocessor(SelfSupDataPreprocessor):
    """``SelfSupDataPreprocessor`` that applies the drawn colour ops to each view's batch.

    Inputs: a list of V (B, 3, H_v, W_v) uint8 batches (BGR with ``to_rgb=True``, as the
    PIL path's ``PILToArray``) or one (B, 3, H, W) batch (V = 1); each data sample carries
    ``colour_params`` (V, NUM_PARAMS). Per view: channel order to RGB, float, ``/ 255``,
    :func:`apply_colour`, ``* 255``, normalise. Samples without ``colour_params`` (a test
    pipeline) are only normalised.

    Args:
        quantize: Put each op's output on PIL's 8-bit grid (see :func:`apply_colour`).
        **kwargs: ``SelfSupDataPreprocessor``'s (mean, std, to_rgb...).
    """

    def __init__(self, quantize: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.quantize = quantize

    def forward(self, data: dict, training: bool = False) -> dict:
        if not isinstance(data, dict):
            raise TypeError('DeviceColourDataPreprocessor needs the dict of default_collate')
        batch_inputs, batch_data_samples = self.cast_data(
            [data.get('inputs'), data.get('data_samples')])
        single = not isinstance(batch_inputs, list)
        views: List[torch.Tensor] = [batch_inputs] if single else list(batch_inputs)
        params = stack_colour_params(batch_data_samples, len(views))
        out = []
        for v, view in enumerate(views):
            if self._channel_conversion:
                view = view[:, [2, 1, 0], ...]
            view = view.float()
            if params is not None:
                view = apply_colour(view / 255., params[v], self.quantize) * 255.
            if self._enable_normalize:
                view = (view - self.mean) / self.std
            out.append(view)
        return {'inputs': out[0] if single else out, 'data_samples': batch_data_samples}
