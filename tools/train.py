"""Train a model of orl_mm (or any mmpretrain model) with mmengine's Runner.

Examples::

    python tools/train.py configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py
    python tools/train.py CONFIG --resume                 # latest checkpoint in work_dir
    python tools/train.py CONFIG --tensorboard            # live curves (tensorboard --logdir)
    bash tools/dist_train.sh CONFIG 8                     # torchrun, 8 processes
"""
import argparse

from mmengine.config import DictAction

from orl_mm.utils import (add_tensorboard, build_runner, front_door_config, parse_with_launcher,
                          set_default_dataloader_cfg)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint; without a path, from the latest one in work_dir')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the lr by the actual batch size over auto_scale_lr.base_batch_size')
    parser.add_argument('--no-pin-memory', action='store_true', help='disable pin_memory')
    parser.add_argument(
        '--tensorboard', action='store_true',
        help="add mmengine's TensorboardVisBackend to the config's visualizer (logs under "
        '<work_dir>/<timestamp>/vis_data; needs the tensorboard package)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. train_cfg.max_epochs=1 '
        'train_dataloader.dataset.data_root=data/coco/')
    return parse_with_launcher(parser)


def main() -> None:
    args = parse_args()
    cfg = front_door_config(args)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if args.tensorboard:
        add_tensorboard(cfg)
    for field in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        set_default_dataloader_cfg(cfg, field, pin_memory=not args.no_pin_memory)
    build_runner(cfg).train()


if __name__ == '__main__':
    main()
