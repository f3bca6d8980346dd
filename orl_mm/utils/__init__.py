from .launch import (init_distributed_without_cuda, load_config, set_default_dataloader_cfg,
                     setup_work_dir)

__all__ = [
    'init_distributed_without_cuda', 'load_config', 'set_default_dataloader_cfg', 'setup_work_dir'
]
