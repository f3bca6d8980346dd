from .colour_on_device import colour_on_device_config
from .launch import (add_tensorboard, init_distributed_without_cuda, load_config,
                     parse_with_launcher, set_default_dataloader_cfg, setup_work_dir)

__all__ = [
    'colour_on_device_config',
    'add_tensorboard', 'init_distributed_without_cuda', 'load_config',
    'parse_with_launcher', 'set_default_dataloader_cfg', 'setup_work_dir'
]
