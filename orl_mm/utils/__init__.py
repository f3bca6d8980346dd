from .launch import (add_tensorboard, init_dist, load_config, parse_with_launcher,
                     set_default_dataloader_cfg, setup_work_dir)

__all__ = [
    'add_tensorboard', 'init_dist', 'load_config',
    'parse_with_launcher', 'set_default_dataloader_cfg', 'setup_work_dir'
]
