"""Worker half of the device colour path: draw the colour parameters, skip the pixels.

Each ``Device*`` transform subclasses the PIL op it stands for (:mod:`.pil_ops`) and makes
its random draws with the same calls in the same order (so one ``numpy.random`` /
``random`` state gives the PIL path's parameters), then records them in the view's
``colour_params`` vector (layout:
:data:`~orl_mm.models.data_preprocessors.device_colour_ops.PARAM_FIELDS`) instead of
changing the image. ``MultiBranch`` / ``PILMultiView`` / ``MultiViewWithGeometry`` collect
the views' vectors, ``PackInputs`` packs them as meta information and
:class:`~orl_mm.models.data_preprocessors.DeviceColourDataPreprocessor` applies the ops
to the batch on its device. Switch a config with ``colour_on_device=True``
(:func:`colour_on_device_config`).

The ops must come in the PIL lists' order (jitter, grayscale, blur, solarize): the
preprocessor applies them in that order, so a record out of order is an error.
"""

import numpy as np
from mmpretrain.registry import TRANSFORMS

from orl_mm.models.data_preprocessors.device_colour_ops import FIELD, NO_SOLARIZE, identity_params
from .pil_ops import PILColorJitter, PILGaussianBlur, PILRandomGrayscale, PILSolarize

__all__ = ['DeviceColorJitter', 'DeviceRandomGrayscale', 'DeviceGaussianBlur',
           'DeviceSolarize', 'record_colour']

#: The preprocessor's order of the ops (stage numbers of the records).
STAGES = ('jitter', 'grayscale', 'blur', 'solarize')


def record_colour(results: dict, stage: str, **values: float) -> None:
    """Set ``values`` in a new copy of ``results['colour_params']`` (identity if absent).

    A new array each time: views made by shallow copies never share a record.

    Raises:
        ValueError: If a later stage was recorded already (the ops are out of order).
    """
    index = STAGES.index(stage)
    done = results.get('colour_stage', -1)
    if done >= index:
        raise ValueError(f'device colour ops must run in the order {", ".join(STAGES)}; '
                         f'{stage} came after {STAGES[done]}')
    params = results.get('colour_params')
    params = identity_params() if params is None else np.array(params, dtype=np.float32)
    for name, value in values.items():
        params[FIELD[name]] = value
    results['colour_params'] = params
    results['colour_stage'] = index


@TRANSFORMS.register_module()
class DeviceColorJitter(PILColorJitter):
    """``PILColorJitter``'s draws (the order, then the four factors), recorded."""

    def transform(self, results: dict) -> dict:
        order, brightness, contrast, saturation, hue = self._rand_params()
        values = {f'order_{i}': float(k) for i, k in enumerate(order)}
        for name, value in (('brightness', brightness), ('contrast', contrast),
                            ('saturation', saturation), ('hue', hue)):
            if value is not None:
                values[name] = float(value)
        record_colour(results, 'jitter', **values)
        return results


@TRANSFORMS.register_module()
class DeviceRandomGrayscale(PILRandomGrayscale):
    """``PILRandomGrayscale``'s draw (Python's ``random``), recorded; 3 channels only."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.keep_channels:
            raise ValueError('DeviceRandomGrayscale keeps 3 channels (the batch is RGB); '
                             'set keep_channels=True')

    def transform(self, results: dict) -> dict:
        grey = self._random_prob() < self.prob
        record_colour(results, 'grayscale', **({'grey': 1.} if grey else {}))
        return results


@TRANSFORMS.register_module()
class DeviceGaussianBlur(PILGaussianBlur):
    """``PILGaussianBlur``'s draws (apply, then sigma), recorded."""

    def transform(self, results: dict) -> dict:
        if self.random_disable():
            record_colour(results, 'blur')
            return results
        radius = self.radius if self.radius is not None else self.random_magnitude()
        if not radius > 0:
            raise ValueError(f'DeviceGaussianBlur needs a sigma above 0, got {radius}')
        record_colour(results, 'blur', sigma=float(radius))
        return results


@TRANSFORMS.register_module()
class DeviceSolarize(PILSolarize):
    """``PILSolarize``'s draws (apply, then the threshold), recorded."""

    def transform(self, results: dict) -> dict:
        if self.random_disable():
            record_colour(results, 'solarize')
            return results
        thr = self.thr if self.thr is not None else self.random_magnitude()
        record_colour(results, 'solarize', solarize_thr=min(float(thr), NO_SOLARIZE))
        return results
