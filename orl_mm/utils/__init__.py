from .colour_on_device import colour_on_device_config, device_transforms
from .launch import (add_tensorboard, build_runner, front_door_config, init_dist, load_config,
                     parse_with_launcher, set_default_dataloader_cfg)

__all__ = [
    'colour_on_device_config', 'device_transforms',
    'add_tensorboard', 'build_runner', 'front_door_config', 'init_dist', 'load_config',
    'parse_with_launcher', 'set_default_dataloader_cfg'
]
