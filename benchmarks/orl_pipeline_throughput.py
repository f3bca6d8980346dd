"""Data-pipeline throughput on one worker, per path: old, PIL-native, device CPU part, ref.

Four renderings of the same ORL (stage 3) and BYOL (stage 1) pipelines, run side by side
in one process (no DataLoader workers: the samples/s of one worker) on the same real
photos (coco128 by default, with a fixture correspondence file from
:func:`orl_mm.testing.build_fixture_correspondence` unless ``--corr`` is given):

* ``old``: the array (mmcv/OpenCV) pipeline the configs ran before the PIL path
  (:func:`orl_mm.testing.pipelines.array_pipeline` of the config's);
* ``pil``: the configs' PIL-native pipeline (``configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py``,
  ``configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py``);
* ``dev``: the CPU part of the device colour path (``colour_on_device=True``,
  :func:`orl_mm.utils.colour_on_device_config`): decode, crop, resize, flip, and the colour
  parameters drawn and recorded (the colour ops themselves run on the batch in the model's
  data preprocessor, not timed here);
* ``ref``: a plain torchvision/PIL rendering of the reference's transform lists, written
  below (Jiahao000/ORL ``configs/selfsup/orl/coco/stage{1,3}/r50_bs512_ep800.py`` and
  ``openselfsup/datasets/{orl,byol}.py``: ``Image.open().convert('RGB')``, ``TF.resized_crop``
  patches, torchvision ``Compose`` per view, openselfsup's ``GaussianBlur``/``Solarization``
  and ``to_numpy``).

Paths and a decode-only floor (PIL decodes of the sample's images) are run alternately in
chunks, so that a loaded machine slows them alike; the rates come from that pass. A
second, instrumented pass gives the ms of each op (time inside a transform minus the
transforms it calls). ``P7`` = ORL's ms per sample / ms of its two JPEG decodes (the floor
of any path that decodes on the CPU). Goals (issue 18): ``pil`` >= 0.95 x ``ref`` for ORL
and BYOL; P7 <= 4.5 on ``pil``; P7 <= 2.5 on ``dev``.

Example (one thread, as one DataLoader worker)::

    OMP_NUM_THREADS=1 python benchmarks/orl_pipeline_throughput.py
"""
import argparse
import collections
import os.path as osp
import tempfile
import time
from typing import Callable, Dict, List

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from mmcv.transforms import BaseTransform
from mmengine.config import Config
from mmengine.utils import ProgressBar
from mmpretrain.registry import DATASETS
from mmpretrain.utils import register_all_modules
from PIL import Image, ImageFilter

import orl_mm  # noqa: F401
from orl_mm.datasets.transforms import jitter_box
from orl_mm.testing import build_fixture_correspondence
from orl_mm.testing.pipelines import array_pipeline
from orl_mm.utils import colour_on_device_config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = dict(orl=osp.join(REPO, 'configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py'),
               byol=osp.join(REPO, 'configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py'))
ANN = 'annotations/instances_train2017.json'
PATHS = ('old', 'pil', 'dev', 'ref')


class OpTimer:
    """Exclusive time per op name (time inside minus the timed ops it calls)."""

    def __init__(self) -> None:
        self.total: Dict[str, float] = collections.defaultdict(float)
        self.stack: List[float] = []
        self.enabled = False

    def wrap(self, name: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            if not self.enabled:
                return fn(*args, **kwargs)
            self.stack.append(0.)
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.perf_counter() - start
                children = self.stack.pop()
                self.total[name] += spent - children
                if self.stack:
                    self.stack[-1] += spent
        return timed

    def instrument(self, obj, seen=None) -> None:
        """Time the ``transform`` of every mmcv transform reachable from ``obj``."""
        seen = set() if seen is None else seen
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, BaseTransform):
            obj.transform = self.wrap(type(obj).__name__, obj.transform)
        if isinstance(obj, (list, tuple)):
            children = obj
        elif isinstance(obj, dict):
            children = obj.values()
        elif hasattr(obj, '__dict__') and (isinstance(obj, BaseTransform)
                                           or type(obj).__name__ == 'Compose'):
            children = vars(obj).values()
        else:
            return
        for child in children:
            self.instrument(child, seen)


# ----- the reference rendering (ORL's openselfsup on torchvision/PIL) ---------------------
class OpenSelfSupBlur:
    """openselfsup ``GaussianBlur``: sigma ~ U(0.1, 2), PIL's ``ImageFilter.GaussianBlur``."""

    def __call__(self, img):
        return img.filter(ImageFilter.GaussianBlur(radius=np.random.uniform(0.1, 2.0)))


class OpenSelfSupSolarization:
    """openselfsup ``Solarization`` (threshold 128, through numpy as the reference)."""

    def __call__(self, img):
        img = np.array(img)
        return Image.fromarray(np.where(img < 128, img, 255 - img).astype(np.uint8))


def to_tensor(img) -> torch.Tensor:
    """openselfsup ``to_numpy`` (HWC -> CHW uint8) then ``torch.from_numpy``."""
    array = np.array(img, dtype=np.uint8)
    return torch.from_numpy(np.rollaxis(array, 2))


def reference_views(timer: OpTimer, blur_p: float, solarize_p: float, crop: bool):
    """One view's torchvision ``Compose`` of the reference (crop: the 224 px image views)."""
    ops = [('RandomResizedCrop', T.RandomResizedCrop(224, interpolation=T.InterpolationMode.
                                                     BILINEAR))] if crop else []
    ops += [('RandomHorizontalFlip', T.RandomHorizontalFlip()),
            ('ColorJitter', T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8)),
            ('RandomGrayscale', T.RandomGrayscale(p=0.2)),
            ('GaussianBlur', T.RandomApply([OpenSelfSupBlur()], p=blur_p)),
            ('Solarization', T.RandomApply([OpenSelfSupSolarization()], p=solarize_p))]
    return T.Compose([timer.wrap(name, op) for name, op in ops])


class Reference:
    """ORL's ``ORLDataset.__getitem__`` / BYOL's ``BYOLDataset.__getitem__`` on PIL."""

    def __init__(self, dataset, method: str, timer: OpTimer) -> None:
        self.dataset, self.method = dataset, method
        self.image = [reference_views(timer, 1., 0., True), reference_views(timer, .1, .2, True)]
        self.patch = [reference_views(timer, 1., 0., False),
                      reference_views(timer, .1, .2, False)]
        self.decode = timer.wrap('decode', lambda p: Image.open(p).convert('RGB'))
        self.crop = timer.wrap('resized_crop 96', lambda img, b: TF.resized_crop(
            img, b[1], b[0], b[3], b[2], [96, 96], T.InterpolationMode.BILINEAR))
        self.tensor = timer.wrap('to_numpy + cat', lambda views: [
            torch.stack([to_tensor(views[i]), to_tensor(views[i + 1])])
            for i in range(0, len(views), 2)])

    def __call__(self, index: int):
        info = self.dataset.get_data_info(index % len(self.dataset))
        if self.method == 'byol':
            img = self.decode(info['img_path'])
            return self.tensor([self.image[0](img), self.image[1](img)])
        info = self.dataset.sample_correspondence(info)
        img, nbr = self.decode(info['img_path']), self.decode(info['neighbour_img_path'])
        ibox2, _ = jitter_box(info['intra_box'], img.size)
        patches = [self.crop(img, info['intra_box']), self.crop(img, ibox2),
                   self.crop(img, info['inter_query_box']),
                   self.crop(nbr, info['inter_key_box'])]
        views = [self.image[0](img), self.image[1](img)]
        views += [self.patch[i % 2](p) for i, p in enumerate(patches)]
        return self.tensor(views)


def decode_floor(dataset, method: str) -> Callable:
    """The sample's PIL decodes only (ORL: the image and its neighbour)."""
    def run(index: int):
        info = dataset.get_data_info(index % len(dataset))
        paths = [info['img_path']]
        if method == 'orl':
            paths.append(dataset.sample_correspondence(info)['neighbour_img_path'])
        return [Image.open(p).convert('RGB') for p in paths]
    return run


def build(args, corr: str):
    """{(method, path): (sample function, OpTimer)} and the decode floors."""
    runs, floors = {}, {}
    for method, config in CONFIGS.items():
        cfg = Config.fromfile(config).train_dataloader.dataset
        cfg.update(data_root=args.data, ann_file=ANN)
        if method == 'orl':
            cfg.update(corr_file=corr)
        for path in PATHS:
            timer = OpTimer()
            if path == 'ref':
                dataset = DATASETS.build(cfg)
                runs[method, path] = (Reference(dataset, method, timer), timer)
                floors[method] = decode_floor(dataset, method)
                continue
            pcfg = cfg.copy()
            if path == 'old':
                pcfg.pipeline = array_pipeline(cfg.pipeline)
            if path == 'dev':
                full = Config.fromfile(config)
                colour_on_device_config(full)
                pcfg.pipeline = full.train_dataloader.dataset.pipeline
            dataset = DATASETS.build(pcfg)
            timer.instrument(dataset.pipeline.transforms)
            runs[method, path] = (lambda i, ds=dataset: ds[i % len(ds)], timer)
    return runs, floors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=osp.join(REPO, '..', 'shared', 'data', 'coco128'),
                        help='COCO-layout folder (train2017/ + annotations/)')
    parser.add_argument('--corr', default=None, help='correspondence file (default: fixture)')
    parser.add_argument('--samples', type=int, default=128, help='samples per path and pass')
    parser.add_argument('--chunk', type=int, default=8)
    args = parser.parse_args()
    if args.samples < 1 or args.chunk < 1:
        parser.error('--samples and --chunk must be at least 1')
    for need in ('train2017', ANN):
        if not osp.exists(osp.join(args.data, need)):
            parser.error(f'{args.data} has no {need}: give a COCO-layout folder with --data')
    register_all_modules(init_default_scope=True)
    np.random.seed(0)
    torch.manual_seed(0)
    corr = args.corr
    if corr is None:
        corr = osp.join(tempfile.mkdtemp(), 'corr.json')
        build_fixture_correspondence(osp.join(args.data, 'train2017'), corr,
                                     ann_file=osp.join(args.data, ANN))
    runs, floors = build(args, corr)
    jobs = {**{k: fn for k, (fn, _) in runs.items()},
            **{(m, 'decode'): fn for m, fn in floors.items()}}
    elapsed = dict.fromkeys(jobs, 0.)
    for fn in jobs.values():  # warm-up: first reads, lazy imports and caches
        fn(0)
    for timed in (False, True):  # pass 1: rates; pass 2: ms per op
        for _, timer in runs.values():
            timer.enabled = timed
        print(f'\npass {1 + timed}/2 ({"ops" if timed else "rates"}):')
        bar = ProgressBar(len(jobs) * args.samples)
        for first in range(0, args.samples, args.chunk):
            for key, fn in jobs.items():
                n = min(args.chunk, args.samples - first)
                start = time.perf_counter()
                for i in range(first, first + n):
                    fn(i)
                if not timed:
                    elapsed[key] += time.perf_counter() - start
                for _ in range(n):
                    bar.update()
    report(args, runs, elapsed)


def report(args, runs, elapsed) -> None:
    ms = {k: 1e3 * v / args.samples for k, v in elapsed.items()}
    print(f'\n\n{args.samples} samples per path from {args.data}; one process (one worker), '
          f'torch threads {torch.get_num_threads()}\n')
    print('| method | path | samples/s | ms/sample | x ref | P7 |')
    print('|---|---|---:|---:|---:|---:|')
    for method in CONFIGS:
        for path in PATHS:
            p7 = f'{ms[method, path] / ms[method, "decode"]:.2f}' if method == 'orl' else ''
            print(f'| {method} | {path} | {1e3 / ms[method, path]:.1f} | '
                  f'{ms[method, path]:.1f} | {ms[method, "ref"] / ms[method, path]:.2f} | '
                  f'{p7} |')
        print(f'| {method} | decode only | {1e3 / ms[method, "decode"]:.1f} | '
              f'{ms[method, "decode"]:.1f} | | |')
    for method in CONFIGS:
        print(f'\n{method}: ms per sample of each op (instrumented pass)\n')
        print('| path | ops, ms per sample, largest first |')
        print('|---|---|')
        for path in PATHS:
            total = runs[method, path][1].total
            ops = sorted(total.items(), key=lambda kv: -kv[1])
            text = ', '.join(f'{name} {1e3 * t / args.samples:.2f}' for name, t in ops)
            print(f'| {path} | {text} |')
    print('\nGoals: pil >= 0.95 x ref (ORL and BYOL); ORL P7 (ms/sample / ms of the two '
          'decodes) <= 4.5 on pil, <= 2.5 on dev')


if __name__ == '__main__':
    main()
