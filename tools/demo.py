"""The main job on the embedded demo data: build the demo scene set, then run ORL stage 1
(image-level BYOL, tiny ResNet-18 config) on it, on CPU, and report where things are.

Example::

    python tools/demo.py --work-dir work_dirs/demo
"""
import argparse
import os.path as osp
import time

from mmengine.runner import Runner

from orl_mm.demo import build_demo_dataset
from orl_mm.utils import load_config, set_default_dataloader_cfg

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
STAGE1_CONFIG = osp.join(ROOT, 'configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default=osp.join(ROOT, 'data/demo'))
    args = parser.parse_args()

    start = time.time()
    data_root = build_demo_dataset(args.data_root)
    print(f'[demo] data: {data_root} ({time.time() - start:.1f} s)')

    cfg = load_config(STAGE1_CONFIG, {
        'train_dataloader.dataset.data_root': data_root,
        'work_dir': osp.join(args.work_dir, 'stage1'),
        'resume': True,  # resumes from the latest checkpoint there, if any
    })
    set_default_dataloader_cfg(cfg, 'train_dataloader')
    runner = Runner.from_cfg(cfg)
    runner.train()
    print(f'[demo] stage 1 checkpoint: {osp.join(cfg.work_dir, "epoch_2.pth")}; '
          f'total {time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
