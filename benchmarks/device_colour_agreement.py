"""Agreement of the device colour ops with the PIL ops, on real crops (issue 18, item 2).

For each colour op of the paper pipelines (brightness, contrast, saturation, hue,
grayscale, Gaussian blur, solarize), the PIL op the configs run on the CPU
(``torchvision.transforms.functional`` on PIL images, PIL's ``ImageFilter.GaussianBlur``,
``ImageOps.solarize``) is compared with the same op, same parameters, on a float tensor in
[0, 1] by (a) torchvision's ``transforms.v2.functional`` and (b) kornia, each output
rounded to 0-255, and (c) the device path as it runs (torchvision, with PIL's 8-bit steps:
:func:`~orl_mm.models.data_preprocessors.device_colour_ops.apply_colour`). Crops: 224 x 224
random resized crops (PIL bilinear) of the real photos, parameters drawn from the
pipelines' distributions (jitter factors U(0.6, 1.4), U(0.6, 1.4), U(0.8, 1.2),
U(-0.1, 0.1); sigma U(0.1, 2); threshold 128). Rows ``colour 1`` / ``colour 2``: the whole
list as the pipelines draw it (jitter p 0.8 in a random order, grey p 0.2, blur p 1 / 0.1,
solarize p 0 / 0.2), PIL chain against the device path.

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
import time

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image, ImageFilter, ImageOps

from orl_mm.models.data_preprocessors.device_colour_ops import (FIELD, apply_colour,
                                                                blur_kernel_size, identity_params,
                                                                tv_colour_op)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
OPS = ('brightness', 'contrast', 'saturation', 'hue', 'grayscale', 'blur', 'solarize')
#: The two colour lists: (blur p, solarize p) (configs/_base_/datasets/byol_color.py).
CHAINS = {'colour 1': (1., 0.), 'colour 2': (0.1, 0.2)}
JITTER = ('brightness', 'contrast', 'saturation', 'hue')


def draw_chain(rng: np.random.RandomState, blur_p: float, solarize_p: float) -> np.ndarray:
    """One view's colour parameters from the pipelines' distributions."""
    params = identity_params()
    if rng.rand() < 0.8:
        params[:4] = rng.permutation(4)
        params[4:8] = [rng.uniform(0.6, 1.4), rng.uniform(0.6, 1.4), rng.uniform(0.8, 1.2),
                       rng.uniform(-0.1, 0.1)]
    params[FIELD['grey']] = rng.rand() < 0.2
    if rng.rand() < blur_p:
        params[FIELD['sigma']] = rng.uniform(0.1, 2.)
    if rng.rand() < solarize_p:
        params[FIELD['solarize_thr']] = 128.
    return params


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


def draw(op: str, rng: np.random.RandomState) -> float:
    return dict(brightness=lambda: rng.uniform(0.6, 1.4), contrast=lambda: rng.uniform(0.6, 1.4),
                saturation=lambda: rng.uniform(0.8, 1.2), hue=lambda: rng.uniform(-0.1, 0.1),
                grayscale=lambda: 1., blur=lambda: rng.uniform(0.1, 2.),
                solarize=lambda: 128.)[op]()


def crops(folder: str, n: int, rng: np.random.RandomState):
    """``n`` 224 px random resized crops (scale 0.08-1) of the photos, PIL bilinear."""
    files = sorted(glob.glob(osp.join(folder, '*.jpg')))
    if not files:
        raise SystemExit(f'no .jpg photos in {folder}: give a folder of photos with --data')
    for i in range(n):
        img = Image.open(files[i % len(files)]).convert('RGB')
        w, h = img.size
        for _ in range(10):
            area = rng.uniform(0.08, 1.) * w * h
            ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
            cw, ch = int(round(math.sqrt(area * ratio))), int(round(math.sqrt(area / ratio)))
            if 0 < cw <= w and 0 < ch <= h:
                break
        else:
            cw, ch = w, h
        top, left = rng.randint(0, h - ch + 1), rng.randint(0, w - cw + 1)
        yield img.crop((left, top, left + cw, top + ch)).resize((224, 224), Image.BILINEAR)


def to_u8(x: torch.Tensor) -> np.ndarray:
    return (x[0].clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()


def measure(folder: str, n: int, seed: int = 0) -> dict:
    """{(op, backend): (max abs diff, PSNR dB, mean abs diff)} over ``n`` crops."""
    rng = np.random.RandomState(seed)
    stats = {(op, b): [0, 0., 0.] for op in OPS for b in BACKENDS}
    stats.update({(chain, 'device'): [0, 0., 0.] for chain in CHAINS})
    start = time.time()
    for i, crop in enumerate(crops(folder, n, rng)):
        x = TF.to_tensor(crop)[None]
        for op in OPS:
            value = draw(op, rng)
            want = np.asarray(pil_op(crop, op, value), dtype=np.int16)
            for backend, fn in BACKENDS.items():
                diff = np.abs(to_u8(fn(x, op, value)).astype(np.int16) - want)
                s = stats[op, backend]
                s[0] = max(s[0], int(diff.max()))
                s[1] += float((diff.astype(np.float64) ** 2).mean()) / n
                s[2] += float(diff.mean()) / n
        for chain, (blur_p, solarize_p) in CHAINS.items():
            params = draw_chain(rng, blur_p, solarize_p)
            want = np.asarray(pil_chain(crop, params), dtype=np.int16)
            got = to_u8(apply_colour(x, torch.from_numpy(params)[None]))
            diff = np.abs(got.astype(np.int16) - want)
            s = stats[chain, 'device']
            s[0] = max(s[0], int(diff.max()))
            s[1] += float((diff.astype(np.float64) ** 2).mean()) / n
            s[2] += float(diff.mean()) / n
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
