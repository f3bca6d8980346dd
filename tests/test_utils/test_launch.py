"""CLI helpers: dataloader defaults per scope and worker count."""
from mmengine.config import Config

from orl_mm.utils import set_default_dataloader_cfg


def test_no_workers_means_no_persistent_workers():
    cfg = Config(dict(default_scope='mmpretrain',
                      train_dataloader=dict(num_workers=0, persistent_workers=True)))
    set_default_dataloader_cfg(cfg, 'train_dataloader')
    assert cfg.train_dataloader.persistent_workers is False
    assert cfg.train_dataloader.collate_fn == dict(type='default_collate')
    cfg = Config(dict(train_dataloader=dict(num_workers=4)))
    set_default_dataloader_cfg(cfg, 'train_dataloader')
    assert cfg.train_dataloader.persistent_workers is True


def test_mmdet_scope_keeps_its_collate():
    cfg = Config(dict(default_scope='mmdet', val_dataloader=dict(num_workers=2)))
    set_default_dataloader_cfg(cfg, 'val_dataloader')
    assert 'collate_fn' not in cfg.val_dataloader
    cfg = Config(dict(default_scope='mmdet', val_dataloader=dict(
        num_workers=2, collate_fn=dict(type='pseudo_collate'))))
    set_default_dataloader_cfg(cfg, 'val_dataloader')
    assert cfg.val_dataloader.collate_fn == dict(type='pseudo_collate')
