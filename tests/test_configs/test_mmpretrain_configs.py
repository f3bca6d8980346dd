"""configs/transfer/classification: semi-supervised ImageNet (1% / 10% labels), ORL's protocol."""
import os
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmpretrain.models import ResNet

from orl_mm.evaluation.hooks import PretrainedBackboneCheckHook
from orl_mm.testing.models import write_plugin_checkpoint

CFG_DIR = 'configs/transfer/classification'
SEMI = {1: 'resnet50_4xb64-syncbn-semi-1pct-steplr-20e_in1k.py',
        10: 'resnet50_4xb64-syncbn-semi-10pct-steplr-20e_in1k.py'}


def _cfg(repo_root, name):
    return Config.fromfile(osp.join(repo_root, CFG_DIR, name))


@pytest.mark.parametrize('percent,weight_decay', [(1, 5e-4), (10, 1e-4)])
def test_semi_supervised_protocol(repo_root, percent, weight_decay):
    """ORL's semi_classification/imagenet_{1,10}percent/r50_lr0_01_head100.py."""
    cfg = _cfg(repo_root, SEMI[percent])
    assert cfg.default_scope == 'mmpretrain'
    b = cfg.model.backbone
    assert b.depth == 50 and b.norm_cfg.type == 'SyncBN' and b.get('frozen_stages', -1) == -1
    assert b.init_cfg == dict(type='OrlPretrained', checkpoint='', weights='auto')
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == ('SGD', 0.01, 0.9, weight_decay)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {'head': {'lr_mult': 100}}
    assert cfg.train_dataloader.batch_size * 4 == cfg.auto_scale_lr.base_batch_size == 256
    sched = cfg.param_scheduler[0]
    assert (sched.type, sched.milestones, sched.gamma) == ('MultiStepLR', [12, 16], 0.2)
    assert cfg.train_cfg.max_epochs == 20
    ds = cfg.train_dataloader.dataset
    assert ds.type == 'ImageNet' and ds.ann_file == f'meta/train_labeled_{percent}percent.txt'
    assert [t.type for t in ds.pipeline] == ['LoadImageFromFile', 'RandomResizedCrop',
                                             'RandomFlip', 'PackInputs']
    assert {'type': 'PretrainedBackboneCheckHook'} in cfg.custom_hooks


def test_label_subset_is_the_file_list_given(repo_root, tmp_path):
    """The training set is exactly the images of the list the user points to."""
    from mmpretrain.registry import DATASETS
    from mmpretrain.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    root = tmp_path / 'imagenet'
    for wnid in ('n01', 'n02'):
        os.makedirs(root / 'train' / wnid)
        for i in range(3):
            (root / 'train' / wnid / f'{wnid}_{i}.JPEG').write_bytes(b'')
    (root / 'meta').mkdir()
    (root / 'meta' / 'subset.txt').write_text('n01/n01_2.JPEG 0\nn02/n02_0.JPEG 1\n')
    cfg = _cfg(repo_root, SEMI[1])
    ds_cfg = dict(cfg.train_dataloader.dataset, data_root=str(root), ann_file='meta/subset.txt')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = DATASETS.build(ds_cfg)
    assert len(dataset) == 2
    infos = [dataset.get_data_info(i) for i in range(2)]
    assert [(osp.relpath(d['img_path'], root), d['gt_label']) for d in infos] == [
        ('train/n01/n01_2.JPEG', 0), ('train/n02/n02_0.JPEG', 1)]


@pytest.mark.parametrize('percent,weights,slotcon,expected', [
    (1, 'auto', False, 'online'), (10, 'target', False, 'target'), (1, 'auto', True, 'target')])
def test_semi_supervised_model_loads_a_plugin_checkpoint(repo_root, tmp_path, percent, weights,
                                                         slotcon, expected):
    """OrlPretrained fills the whole backbone (norm3 not zeroed by zero_init_residual) with the
    weights the method transfers: a SlotCon checkpoint's teacher."""
    from mmpretrain.registry import MODELS
    from mmpretrain.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    ckpt = str(tmp_path / 'ckpt.pth')
    online, target = write_plugin_checkpoint(ckpt, slotcon)
    cfg = _cfg(repo_root, SEMI[percent])
    # a ResNet-18 and plain BN (one process) keep the test CPU-sized
    cfg.model.backbone.update(depth=18, norm_cfg=dict(type='BN', requires_grad=True))
    cfg.model.head.in_channels = 512
    cfg.model.backbone.init_cfg.update(checkpoint=ckpt, weights=weights)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    runner = SimpleNamespace(cfg=cfg, model=model, _resume=False, _load_from=None,
                             logger=MMLogger.get_current_instance())
    with pytest.raises(RuntimeError, match='backbone was not filled'):
        PretrainedBackboneCheckHook().before_train(runner)
    model.init_weights()
    PretrainedBackboneCheckHook().before_train(runner)
    ref = online if expected == 'online' else target
    for key, value in model.backbone.state_dict().items():
        torch.testing.assert_close(value, ref[key], rtol=0, atol=0)
    # fine-tuning: every backbone parameter trains, the head at 100x the lr
    assert all(p.requires_grad for p in model.backbone.parameters())
    assert model(torch.rand(2, 3, 64, 64), mode='tensor').shape == (2, 1000)


@pytest.mark.parametrize('name', [SEMI[1], 'resnet50_8xb32-linear-steplr-100e_in1k.py'])
def test_bottleneck_norm3_keeps_the_checkpoint(repo_root, tmp_path, name):
    """mmpretrain's ResNet zeroes every Bottleneck norm3 after an init_cfg that is not of type
    'Pretrained' unless zero_init_residual=False; the configs say so (ResNet-50, exported)."""
    from mmpretrain.registry import MODELS
    from mmpretrain.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    net = ResNet(depth=50, zero_init_residual=False)
    net.init_weights()
    ckpt = str(tmp_path / 'r50.pth')
    torch.save(dict(net.state_dict()), ckpt)  # an exported bare backbone
    cfg = _cfg(repo_root, name)
    cfg.model.backbone.update(norm_cfg=dict(type='BN', requires_grad=True))
    cfg.model.backbone.init_cfg.checkpoint = ckpt
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    norm3 = model.backbone.layer1[0].norm3.weight
    assert torch.equal(norm3, torch.ones_like(norm3))
