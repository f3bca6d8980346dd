"""configs/benchmarks/mmdetection: the Table-4 protocol, and the backbone loading a checkpoint."""
import glob
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmpretrain.models import ResNet

from orl_mm.evaluation.hooks import PretrainedBackboneCheckHook

CFG_DIR = 'configs/benchmarks/mmdetection'
SYNCBN = 'mask-rcnn_r50_fpn_8xb2-syncbn-1x_coco.py'
TINY = 'mask-rcnn_r18_fpn_1xb2-bn-tiny-10i_coco128.py'


def _cfg(repo_root, name):
    return Config.fromfile(osp.join(repo_root, CFG_DIR, name))


def _norm_types(cfg):
    m = cfg.model
    return [m.backbone.norm_cfg.type, m.neck.norm_cfg.type, m.roi_head.bbox_head.norm_cfg.type,
            m.roi_head.mask_head.norm_cfg.type]


def test_table4_protocol(repo_root):
    names = sorted(osp.basename(p) for p in glob.glob(osp.join(repo_root, CFG_DIR, '*.py')))
    assert SYNCBN in names and TINY in names and len(names) == 4
    for name in names:
        cfg = _cfg(repo_root, name)
        assert cfg.default_scope == 'mmdet'
        assert cfg.custom_imports == dict(imports=['orl_mm'], allow_failed_imports=False)
        b = cfg.model.backbone
        assert b.frozen_stages == -1 and b.norm_eval is False
        assert b.init_cfg.type == 'Pretrained' and b.init_cfg.prefix == 'backbone.'
        assert cfg.model.roi_head.bbox_head.type == 'Shared4Conv1FCBBoxHead'
        assert cfg.train_dataloader.collate_fn.type == 'pseudo_collate'
        assert {'type': 'PretrainedBackboneCheckHook'} in cfg.custom_hooks
        expected = 'SyncBN' if 'syncbn' in name else 'BN'
        assert _norm_types(cfg) == [expected] * 4, name
    ms = _cfg(repo_root, 'mask-rcnn_r50_fpn_8xb2-syncbn-ms-1x_coco.py')
    resize = ms.train_dataloader.dataset.pipeline[2]
    assert resize.type == 'RandomChoiceResize' and len(resize.scales) == 6


def _orl_checkpoint(path):
    torch.manual_seed(0)
    online, target = ResNet(depth=18), ResNet(depth=18)
    online.init_weights()
    target.init_weights()
    state = {f'backbone.{k}': v for k, v in online.state_dict().items()}
    state.update({f'target_net.module.0.{k}': v for k, v in target.state_dict().items()})
    state['neck.mlp.0.weight'] = torch.zeros(2, 2)
    # an mmengine training checkpoint pickles more than tensors: needs orl_mm.compat's loader
    torch.save({'meta': {'epoch': 1}, 'state_dict': state, 'message_hub': {'x': SimpleNamespace()}},
               path)
    return online.state_dict(), target.state_dict()


@pytest.mark.parametrize('weights', ['online', 'target'])
def test_mask_rcnn_loads_the_checkpoint(repo_root, tmp_path, weights):
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    ckpt = str(tmp_path / 'orl.pth')
    online, target = _orl_checkpoint(ckpt)
    cfg = _cfg(repo_root, TINY)
    cfg.model.backbone.init_cfg.checkpoint = ckpt
    if weights == 'target':
        cfg.model.backbone.init_cfg.prefix = 'target_net.module.0.'
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    runner = SimpleNamespace(cfg=cfg, model=model, _resume=False, _load_from=None,
                             logger=MMLogger.get_current_instance())
    hook = PretrainedBackboneCheckHook()
    with pytest.raises(RuntimeError, match='tensors differ'):
        hook.before_train(runner)  # not initialised yet
    model.init_weights()
    hook.before_train(runner)  # every backbone tensor equals the checkpoint's
    ref = online if weights == 'online' else target
    own = model.backbone.state_dict()
    assert set(own) == set(ref)
    for key, value in ref.items():
        torch.testing.assert_close(own[key], value, rtol=0, atol=0)
    assert model.backbone.norm_eval is False and model.backbone.frozen_stages == -1
    assert all(p.requires_grad for p in model.backbone.parameters())
