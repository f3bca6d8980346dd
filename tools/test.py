"""Test (evaluate) a checkpoint with mmengine's Runner, e.g. an mmdet or linear-probe config.

Example::

    python tools/test.py CONFIG CHECKPOINT --work-dir work_dirs/eval
"""
import argparse

from mmengine.config import DictAction

from orl_mm.utils import (build_runner, front_door_config, parse_with_launcher,
                          set_default_dataloader_cfg)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics')
    parser.add_argument('--out', help='dump the evaluation results to this pickle file')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='override config settings')
    return parse_with_launcher(parser)


def main() -> None:
    args = parse_args()
    cfg = front_door_config(args)
    cfg.load_from = args.checkpoint
    for field in ('val_dataloader', 'test_dataloader'):
        set_default_dataloader_cfg(cfg, field)
    if args.out:
        cfg.test_evaluator = [cfg.test_evaluator] if isinstance(
            cfg.test_evaluator, dict) else list(cfg.test_evaluator)
        cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))
    build_runner(cfg).test()


if __name__ == '__main__':
    main()
