"""Agreement of the device colour ops with the PIL ops, on real crops (issue 18, item 2).

For each colour op of the paper pipelines (brightness, contrast, saturation, hue,
grayscale, Gaussian blur, solarize), the PIL op the configs run on the CPU
(``torchvision.transforms.functional`` on PIL images, PIL's ``ImageFilter.GaussianBlur``,
``ImageOps.solarize``) is compared with the same op, same parameters, on a float tensor in
[0, 1] by (a) torchvision's ``transforms.v2.functional`` and (b) kornia, each output
rounded to 0-255, and (c) the device path as it runs (torchvision, with PIL's 8-bit steps:
:func:`~orl_mm.models.data_preprocessors.device_colour_ops.apply_colour`). Crops: 224 x 224
random resized crops (torchvision's draw, PIL bilinear) of the real photos, parameters
drawn by the pipelines' own transforms (``configs/_base_/datasets/byol_color.py`` turned
into its ``Device*`` halves: jitter factors, blur sigma, solarize threshold). Rows
``colour 1`` / ``colour 2``: the whole list as the pipeline draws it (``color_1`` /
``color_2``), PIL chain against the device path.

Reports per op and backend the max absolute difference (0-255) over all pixels and the
PSNR (dB, pooled over all crops). kornia is needed only here (the project runs the
torchvision backend, :mod:`orl_mm.models.data_preprocessors.device_colour_ops`).

Example::

    python benchmarks/device_colour_agreement.py --crops 200
"""
import argparse
import glob
import math
import os.path as osp
import random
import time

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import TRANSFORMS
from PIL import Image, ImageFilter, ImageOps

import orl_mm  # noqa: F401  (registers the Device* transforms)
from orl_mm.models.data_preprocessors.device_colour_ops import (FIELD, apply_colour,
                                                                blur_kernel_size, identity_params,
                                                                tv_colour_op)
from orl_mm.utils import device_transforms

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
OPS = ('brightness', 'contrast', 'saturation', 'hue', 'grayscale', 'blur', 'solarize')
#: The pipelines' colour ops and their parameters (the whole lists and each op's draw).
COLOUR = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets', 'byol_color.py'))
#: Row name -> the colour list of byol_color.py it draws from.
CHAINS = {'colour 1': 'color_1', 'colour 2': 'color_2'}
JITTER = ('brightness', 'contrast', 'saturation', 'hue')


def chain_transforms(name: str) -> list:
    """The worker half of one colour list of ``byol_color.py`` (``color_1`` / ``color_2``):
    its ops as the device path builds them, so the draws are the pipeline's own."""
    return [TRANSFORMS.build(t) for t in device_transforms(COLOUR[name])
            if t['type'] != 'PILToArray']


def draw_chain(transforms: list) -> np.ndarray:
    """One view's colour parameters, drawn by the list's own transforms."""
    results = {}
    for t in transforms:
        results = t(results)
    return results.get('colour_params', identity_params())


def pil_chain(img: Image.Image, params: np.ndarray) -> Image.Image:
    """The PIL path's colour list with these parameters (pil_ops.py's order)."""
    identity = identity_params()
    for k in params[:4].astype(int):
        if params[4 + k] != identity[4 + k]:
            img = pil_op(img, JITTER[k], float(params[4 + k]))
    if params[FIELD['grey']] > 0.5:
        img = pil_op(img, 'grayscale', 0.)
    if params[FIELD['sigma']] > 0:
        img = pil_op(img, 'blur', float(params[FIELD['sigma']]))
    if params[FIELD['solarize_thr']] < 256:
        img = pil_op(img, 'solarize', float(params[FIELD['solarize_thr']]))
    return img


def pil_op(img: Image.Image, op: str, value: float) -> Image.Image:
    """The PIL path's op (pil_ops.py)."""
    if op == 'brightness':
        return TF.adjust_brightness(img, value)
    if op == 'contrast':
        return TF.adjust_contrast(img, value)
    if op == 'saturation':
        return TF.adjust_saturation(img, value)
    if op == 'hue':
        return TF.adjust_hue(img, value)
    if op == 'grayscale':
        return img.convert('L').convert('RGB')
    if op == 'blur':
        return img.filter(ImageFilter.GaussianBlur(radius=value))
    return ImageOps.solarize(img, int(value))


def kornia_op(x: torch.Tensor, op: str, value: float) -> torch.Tensor:
    """kornia's nearest op on a (1, 3, H, W) float batch in [0, 1]."""
    import kornia
    E = kornia.enhance
    if op == 'brightness':  # kornia's adjust_brightness adds; PIL's multiplies
        return E.adjust_contrast(x, value)
    if op == 'contrast':
        return E.adjust_contrast_with_mean_subtraction(x, value).clamp(0, 1)
    if op == 'saturation':
        return E.adjust_saturation_with_gray_subtraction(x, value).clamp(0, 1)
    if op == 'hue':  # radians
        return E.adjust_hue(x, value * 2 * math.pi)
    if op == 'grayscale':
        return kornia.color.rgb_to_grayscale(x).expand_as(x)
    if op == 'blur':
        k = blur_kernel_size(value)
        return kornia.filters.gaussian_blur2d(x, (k, k), torch.tensor([[value, value]]),
                                              border_type='replicate')
    return E.solarize(x, value / 255.)


def device_op(x: torch.Tensor, op: str, value: float) -> torch.Tensor:
    """The device path's op: :func:`apply_colour` with only ``op`` set (8-bit steps)."""
    params = identity_params()
    field = dict(grayscale='grey', blur='sigma', solarize='solarize_thr').get(op, op)
    params[FIELD[field]] = value
    return apply_colour(x, torch.from_numpy(params)[None])


BACKENDS = dict(torchvision=tv_colour_op, kornia=kornia_op, device=device_op)


def op_draws() -> dict:
    """Each op's own draw from the pipelines' transforms: op -> () -> value (jitter factors
    from colour jitter's, sigma from colour 1's blur's, colour 2's solarize threshold)."""
    jitter = TRANSFORMS.build(device_transforms(COLOUR.color_jitter.transforms)[0])
    blur = TRANSFORMS.build(device_transforms([COLOUR.color_1[2]])[0])
    thr = float(COLOUR.solarize_2.thr)
    draws = {op: (lambda k=k: jitter._rand_params()[1 + k]) for k, op in enumerate(JITTER)}
    draws.update(grayscale=lambda: 1., blur=lambda: float(blur.random_magnitude()),
                 solarize=lambda: thr)
    return draws


def crops(folder: str, n: int):
    """``n`` 224 px random resized crops (scale 0.08-1, torchvision's draw) of the photos,
    PIL bilinear."""
    files = sorted(glob.glob(osp.join(folder, '*.jpg')))
    if not files:
        raise SystemExit(f'no .jpg photos in {folder}: give a folder of photos with --data')
    for i in range(n):
        img = Image.open(files[i % len(files)]).convert('RGB')
        box = T.RandomResizedCrop.get_params(img, [0.08, 1.], [3 / 4, 4 / 3])
        yield TF.resized_crop(img, *box, [224, 224], T.InterpolationMode.BILINEAR)


def to_u8(x: torch.Tensor) -> np.ndarray:
    return (x[0].clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()


def _add(stats: list, got: np.ndarray, want: np.ndarray, n: int) -> None:
    """Accumulate one crop's (max abs diff, MSE / n, mean abs diff / n)."""
    diff = np.abs(got.astype(np.int16) - want)
    stats[0] = max(stats[0], int(diff.max()))
    stats[1] += float((diff.astype(np.float64) ** 2).mean()) / n
    stats[2] += float(diff.mean()) / n


def measure(folder: str, n: int, seed: int = 0) -> dict:
    """{(op, backend): (max abs diff, PSNR dB, mean abs diff)} over ``n`` crops."""
    np.random.seed(seed)  # the transforms draw from numpy's, Python's and torch's streams
    random.seed(seed)
    torch.manual_seed(seed)
    draws = op_draws()
    chains = {chain: chain_transforms(name) for chain, name in CHAINS.items()}
    stats = {(op, b): [0, 0., 0.] for op in OPS for b in BACKENDS}
    stats.update({(chain, 'device'): [0, 0., 0.] for chain in CHAINS})
    start = time.time()
    for i, crop in enumerate(crops(folder, n)):
        x = TF.to_tensor(crop)[None]
        for op in OPS:
            value = draws[op]()
            want = np.asarray(pil_op(crop, op, value), dtype=np.int16)
            for backend, fn in BACKENDS.items():
                _add(stats[op, backend], to_u8(fn(x, op, value)), want, n)
        for chain, transforms in chains.items():
            params = draw_chain(transforms)
            want = np.asarray(pil_chain(crop, params), dtype=np.int16)
            _add(stats[chain, 'device'], to_u8(apply_colour(x, torch.from_numpy(params)[None])),
                 want, n)
        if (i + 1) % 50 == 0 or i + 1 == n:
            rate = (i + 1) / (time.time() - start)
            print(f'{i + 1}/{n} crops, {rate:.1f} crops/s, ETA {(n - i - 1) / rate:.0f} s',
                  flush=True)
    return {k: (m, 10 * math.log10(255 ** 2 / mse) if mse > 0 else math.inf, mad)
            for k, (m, mse, mad) in stats.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=osp.join(REPO, '..', 'shared', 'data', 'coco128',
                                                   'train2017'), help='folder of photos')
    parser.add_argument('--crops', type=int, default=200)
    args = parser.parse_args()
    if args.crops < 1:
        parser.error('--crops must be at least 1')
    torch.set_num_threads(1)
    init_default_scope('mmpretrain')
    result = measure(args.data, args.crops)
    print(f'\n{args.crops} crops of {args.data}; vs the PIL op, 0-255 scale\n')
    print('| op | torchvision v2: max abs | PSNR dB | mean abs | kornia: max abs | PSNR dB '
          '| mean abs | device path: max abs | PSNR dB | mean abs |')
    print('|---|' + '---:|' * 9)
    for op in OPS:
        cells = []
        for b in BACKENDS:
            m, psnr, mad = result[op, b]
            cells += [str(m), 'inf' if math.isinf(psnr) else f'{psnr:.1f}', f'{mad:.3f}']
        print(f'| {op} | ' + ' | '.join(cells) + ' |')
    for chain in CHAINS:
        m, psnr, mad = result[chain, 'device']
        print(f'| {chain} (whole list) | | | | | | | {m} | {psnr:.1f} | {mad:.3f} |')


if __name__ == '__main__':
    main()
