"""The colour ops of the paper pipelines on float tensors (torchvision ``v2.functional``).

The device colour path (:mod:`.device_colour`) applies, per sample and with the
parameters the worker drew, the ops the PIL path applies in the worker: colour jitter
(the four ``adjust_*`` in the drawn order), grayscale, Gaussian blur, solarize. The backend
is torchvision's ``transforms.v2.functional`` (chosen over kornia by agreement with the
PIL ops on real crops: ``benchmarks/device_colour_agreement.py``, docs/device_colour.md).

One view's parameters are a float vector of :data:`NUM_PARAMS` values laid out as
:data:`PARAM_FIELDS`; :func:`identity_params` leaves an image unchanged.
"""
import math
from typing import Tuple

import numpy as np
import torch
import torchvision.transforms.v2.functional as F

__all__ = ['PARAM_FIELDS', 'NUM_PARAMS', 'NO_SOLARIZE', 'identity_params', 'blur_kernel_size',
           'tv_colour_op', 'apply_colour']

#: One view's colour parameters: the jitter order (a permutation of 0-3: brightness,
#: contrast, saturation, hue), the four factors, grey (0/1), blur sigma (0: no blur),
#: solarize threshold on 0-255 (:data:`NO_SOLARIZE`: none).
PARAM_FIELDS: Tuple[str, ...] = ('order_0', 'order_1', 'order_2', 'order_3', 'brightness',
                                 'contrast', 'saturation', 'hue', 'grey', 'sigma',
                                 'solarize_thr')
NUM_PARAMS = len(PARAM_FIELDS)
FIELD = {name: i for i, name in enumerate(PARAM_FIELDS)}
#: A threshold no 8-bit value reaches: no solarization.
NO_SOLARIZE = 256.


def identity_params() -> np.ndarray:
    """(NUM_PARAMS,) float32 parameters that change nothing."""
    return np.array([0, 1, 2, 3, 1., 1., 1., 0., 0., 0., NO_SOLARIZE], dtype=np.float32)


def blur_kernel_size(sigma: float) -> int:
    """Odd Gaussian kernel side covering +-3 sigma: ``2 ceil(3 sigma) + 1``.

    PIL's ``GaussianBlur(radius=sigma)`` is three box blurs whose joint support is about
    +-3 sigma as well (its box radius ~ sqrt(4 sigma^2 + 1) / 2 each pass)."""
    return 2 * int(math.ceil(3. * float(sigma))) + 1


def tv_colour_op(x: torch.Tensor, op: str, value: float) -> torch.Tensor:
    """One colour op by torchvision's ``v2.functional`` on a float batch in [0, 1].

    Args:
        x: (N, 3, H, W) RGB float in [0, 1].
        op: ``'brightness'``, ``'contrast'``, ``'saturation'``, ``'hue'`` (the factor),
            ``'grayscale'`` (value unused), ``'blur'`` (sigma) or ``'solarize'``
            (threshold on 0-255).
        value: The op's parameter.

    Returns:
        (N, 3, H, W) float in [0, 1].
    """
    if op == 'brightness':
        return F.adjust_brightness(x, value)
    if op == 'contrast':
        return F.adjust_contrast(x, value)
    if op == 'saturation':
        return F.adjust_saturation(x, value)
    if op == 'hue':
        return F.adjust_hue(x, value)
    if op == 'grayscale':
        return F.rgb_to_grayscale(x, num_output_channels=3)
    if op == 'blur':
        # PIL's box blurs extend the edge pixels; torchvision's blur pads by reflection:
        # pad with the edge first, so that its reflection only touches the cut-off border
        k = blur_kernel_size(value)
        pad = k // 2
        padded = torch.nn.functional.pad(x, [pad] * 4, mode='replicate')
        out = F.gaussian_blur(padded, [k, k], [float(value), float(value)])
        return out[..., pad:pad + x.shape[-2], pad:pad + x.shape[-1]]
    if op == 'solarize':
        return F.solarize(x, value / 255.)
    raise ValueError(f'unknown colour op {op!r}')


#: The ops PIL computes as ``Image.blend`` (``ImageEnhance``), whose float result is
#: truncated to 8 bits; PIL rounds the other ops' results.
TRUNCATED = ('brightness', 'contrast', 'saturation')


def _quantize(x: torch.Tensor, op: str) -> torch.Tensor:
    """The 8-bit grid as PIL stores ``op``'s output (truncated blends, else rounded)."""
    if op in TRUNCATED:  # the margin absorbs float error below a whole value
        return torch.floor(x * 255. + 1e-3) / 255.
    return torch.round(x * 255.) / 255.


def apply_colour(x: torch.Tensor, params: torch.Tensor, quantize: bool = True) -> torch.Tensor:
    """The PIL path's colour list on a batch, one parameter vector per sample.

    Jitter (the drawn order; a factor at its identity is skipped), then grayscale, blur,
    solarize, as ``byol_color.py``'s lists. Grayscale and solarize run on the whole batch
    (masked); jitter and blur per sample that has them (torchvision's ops take one factor).

    Args:
        x: (B, 3, H, W) RGB float in [0, 1], on any device.
        params: (B, NUM_PARAMS) float parameters (:data:`PARAM_FIELDS`).
        quantize: Put each op's output on the 8-bit grid as PIL does (blends truncated,
            the rest rounded): PIL stores every intermediate image in 8 bits, so this is
            closer to the PIL path. False: torchvision's float chain.

    Returns:
        (B, 3, H, W) float in [0, 1].
    """
    if x.dim() != 4 or x.shape[1] != 3:
        raise ValueError(f'apply_colour needs a (B, 3, H, W) batch, got shape {tuple(x.shape)}')
    if params.shape != (x.shape[0], NUM_PARAMS):
        raise ValueError(f'apply_colour needs ({x.shape[0]}, {NUM_PARAMS}) parameters for a '
                         f'batch of {x.shape[0]}, got shape {tuple(params.shape)}')
    step = _quantize if quantize else (lambda t, op: t)
    p = params.detach().to('cpu', torch.float64).numpy()
    ops = ('brightness', 'contrast', 'saturation', 'hue')
    identity = (1., 1., 1., 0.)
    rows = []
    for i in range(x.shape[0]):
        xi = x[i:i + 1]
        for k in p[i, :4].astype(int):
            value = p[i, FIELD[ops[k]]]
            if value != identity[k]:
                xi = step(tv_colour_op(xi, ops[k], float(value)), ops[k])
        rows.append(xi)
    x = torch.cat(rows) if rows else x
    grey = torch.as_tensor(p[:, FIELD['grey']] > 0.5, device=x.device)
    if bool(grey.any()):
        g = step(tv_colour_op(x, 'grayscale', 0.), 'grayscale')
        x = torch.where(grey[:, None, None, None], g, x)
    sigma = p[:, FIELD['sigma']]
    if (sigma > 0).any():
        x = torch.cat([step(tv_colour_op(x[i:i + 1], 'blur', float(s)), 'blur') if s > 0
                       else x[i:i + 1] for i, s in enumerate(sigma)])
    thr = torch.as_tensor(p[:, FIELD['solarize_thr']], dtype=x.dtype, device=x.device)
    solar = thr < NO_SOLARIZE
    if bool(solar.any()):
        # PIL's ImageOps.solarize: a value >= thr becomes 255 - value (per sample thr)
        t = (thr / 255.)[:, None, None, None]
        x = torch.where(solar[:, None, None, None] & (x >= t - 1e-6), 1. - x, x)
    return x
