"""Data-pipeline throughput on one worker: ORL's six-image pipeline vs BYOL's two views.

Both read the same real photos (coco128 by default, with a fixture correspondence file from
:func:`orl_mm.testing.build_fixture_correspondence` unless ``--corr`` is given) and run the
full configs' pipelines (``configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py`` for ORL:
224 px views + 96 px patches, two decoded images per sample; the stage-1 BYOL config for
BYOL). One process, no DataLoader workers: the samples/s of one worker. The two are run
alternately in chunks, and the totals give the rates and their ratio.

Example::

    python benchmarks/orl_pipeline_throughput.py --data /work/shared/data/coco128 --samples 128
"""
import argparse
import os.path as osp
import tempfile
import time

import numpy as np
from mmengine.config import Config
from mmengine.utils import ProgressBar
from mmpretrain.registry import DATASETS
from mmpretrain.utils import register_all_modules

import orl_mm  # noqa: F401
from orl_mm.testing import build_fixture_correspondence

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
ORL_CFG = osp.join(REPO, 'configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py')
BYOL_CFG = osp.join(REPO, 'configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py')
ANN = 'annotations/instances_train2017.json'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=osp.join(REPO, '..', 'shared', 'data', 'coco128'),
                        help='COCO-layout folder (train2017/ + annotations/)')
    parser.add_argument('--corr', default=None, help='correspondence file (default: fixture)')
    parser.add_argument('--samples', type=int, default=128, help='samples per pipeline')
    parser.add_argument('--chunk', type=int, default=16)
    args = parser.parse_args()
    register_all_modules(init_default_scope=True)
    np.random.seed(0)

    corr = args.corr
    if corr is None:
        corr = osp.join(tempfile.mkdtemp(), 'corr.json')
        build_fixture_correspondence(osp.join(args.data, 'train2017'), corr,
                                     ann_file=osp.join(args.data, ANN))
    orl_cfg = Config.fromfile(ORL_CFG).train_dataloader.dataset
    orl_cfg.update(data_root=args.data, corr_file=corr, ann_file=ANN)
    byol_cfg = Config.fromfile(BYOL_CFG).train_dataloader.dataset
    byol_cfg.update(data_root=args.data, ann_file=ANN)
    datasets = dict(byol=DATASETS.build(byol_cfg), orl=DATASETS.build(orl_cfg))

    elapsed = dict(byol=0., orl=0.)
    done = dict(byol=0, orl=0)
    bar = ProgressBar(2 * args.samples)
    while min(done.values()) < args.samples:
        for kind, ds in datasets.items():
            n = min(args.chunk, args.samples - done[kind])
            start = time.perf_counter()
            for i in range(done[kind], done[kind] + n):
                item = ds[i % len(ds)]
                assert len(item['inputs']) == (6 if kind == 'orl' else 2)
            elapsed[kind] += time.perf_counter() - start
            done[kind] += n
            for _ in range(n):
                bar.update()
    rate = {k: done[k] / elapsed[k] for k in done}
    print(f'\n{args.samples} samples each from {args.data}, one process (one worker)')
    print(f'BYOL pipeline (2 x 224 px): {rate["byol"]:.1f} samples/s')
    print(f'ORL pipeline (2 x 224 px + 4 x 96 px, 2 images decoded): {rate["orl"]:.1f} samples/s')
    print(f'ORL / BYOL throughput: {rate["orl"] / rate["byol"]:.3f}')


if __name__ == '__main__':
    main()
