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

from orl_mm.evaluation.checkpoints import WEIGHT_PREFIXES
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


FPN_2X = 'mask-rcnn_r50_fpn_8xb2-syncbn-ms-2x_coco.py'
C4 = ['mask-rcnn_r50_c4_8xb2-syncbn-ms-1x_coco.py', 'mask-rcnn_r50_c4_8xb2-syncbn-ms-2x_coco.py',
      'faster-rcnn_r50_c4_8xb2-syncbn-ms-24k_voc0712.py']
TINY_C4 = 'mask-rcnn_r18_c4_1xb2-bn-tiny-10i_coco128.py'


def test_table4_protocol(repo_root):
    names = sorted(osp.basename(p) for p in glob.glob(osp.join(repo_root, CFG_DIR, '*.py')))
    assert SYNCBN in names and TINY in names and FPN_2X in names and TINY_C4 in names
    assert set(C4) <= set(names) and len(names) == 9
    for name in names:
        cfg = _cfg(repo_root, name)
        assert cfg.default_scope == 'mmdet'
        assert cfg.custom_imports == dict(imports=['orl_mm'], allow_failed_imports=False)
        b = cfg.model.backbone
        assert b.frozen_stages == -1 and b.norm_eval is False
        assert b.init_cfg.type == 'Pretrained' and b.init_cfg.prefix == 'backbone.'
        assert cfg.train_dataloader.collate_fn.type == 'pseudo_collate'
        assert {'type': 'PretrainedBackboneCheckHook'} in cfg.custom_hooks
        expected = 'SyncBN' if 'syncbn' in name else 'BN'
        if '_c4_' in name:
            continue  # test_c4_protocol
        assert cfg.model.roi_head.bbox_head.type == 'Shared4Conv1FCBBoxHead'
        assert _norm_types(cfg) == [expected] * 4, name
    ms = _cfg(repo_root, 'mask-rcnn_r50_fpn_8xb2-syncbn-ms-1x_coco.py')
    resize = ms.train_dataloader.dataset.pipeline[2]
    assert resize.type == 'RandomChoiceResize' and len(resize.scales) == 6
    two = _cfg(repo_root, FPN_2X)  # ORL's R_50_FPN_2x.yaml: the ms 1x protocol, 24 epochs
    assert two.train_cfg.max_epochs == 24 and two.param_scheduler[1].milestones == [16, 22]
    assert two.train_dataloader.dataset.pipeline == ms.train_dataloader.dataset.pipeline


@pytest.mark.parametrize('name', C4 + [TINY_C4])
def test_c4_protocol(repo_root, name):
    """ORL's Base-RCNN-C4-BN.yaml: SyncBN, FREEZE_AT 0, res5 as the RoI head, read from the
    same checkpoint; PyTorch-style (RGB, ImageNet mean/std) input."""
    cfg = _cfg(repo_root, name)
    expected = 'SyncBN' if 'syncbn' in name else 'BN'
    b, head = cfg.model.backbone, cfg.model.roi_head.shared_head
    assert b.style == head.style == 'pytorch' and b.num_stages == 3 and head.stage == 3
    assert b.norm_cfg.type == head.norm_cfg.type == expected
    assert b.norm_cfg.requires_grad and head.norm_cfg.requires_grad
    assert head.norm_eval is False
    assert head.init_cfg == b.init_cfg
    pre = cfg.model.data_preprocessor
    assert pre.bgr_to_rgb and pre.mean == [123.675, 116.28, 103.53]
    assert cfg.model.test_cfg.rpn.nms_pre == (6000 if 'tiny' not in name else 500)
    if 'voc0712' in name:
        sets = cfg.train_dataloader.dataset.datasets
        assert [d.ann_file for d in sets] == ['VOC2007/ImageSets/Main/trainval.txt',
                                              'VOC2012/ImageSets/Main/trainval.txt']
        assert cfg.test_dataloader.dataset.ann_file == 'VOC2007/ImageSets/Main/test.txt'
        assert cfg.model.roi_head.bbox_head.num_classes == 20
        assert [s[1] for s in sets[0].pipeline[2].scales] == list(range(480, 801, 32))
        assert cfg.train_cfg.max_iters == 24000
        assert cfg.param_scheduler[1].milestones == [18000, 22000]
    elif 'tiny' not in name:
        scales = cfg.train_dataloader.dataset.pipeline[2].scales
        assert [s[1] for s in scales] == [640, 672, 704, 736, 768, 800]
        assert cfg.train_cfg.max_epochs == (24 if '2x' in name else 12)


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


@pytest.mark.parametrize('name,weights', [(C4[0], 'online'), (C4[2], 'target'),
                                          (TINY_C4, 'online')])
def test_c4_detectors_load_res2_to_res5(repo_root, tmp_path, name, weights):
    """The backbone takes conv1..layer3 and the shared head layer4 of the same checkpoint."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    depth = 18 if 'r18' in name else 50
    torch.manual_seed(0)
    online, target = ResNet(depth=depth), ResNet(depth=depth)
    online.init_weights()
    target.init_weights()
    state = {f'backbone.{k}': v for k, v in online.state_dict().items()}
    state.update({f'target_net.module.0.{k}': v for k, v in target.state_dict().items()})
    ckpt = str(tmp_path / 'ckpt.pth')
    torch.save({'meta': {}, 'state_dict': state, 'message_hub': {'x': SimpleNamespace()}}, ckpt)
    cfg = _cfg(repo_root, name)
    prefix = WEIGHT_PREFIXES[weights]
    for init_cfg in (cfg.model.backbone.init_cfg, cfg.model.roi_head.shared_head.init_cfg):
        init_cfg.checkpoint, init_cfg.prefix = ckpt, prefix
    cfg.model.backbone.norm_cfg.type = 'BN'  # one process: SyncBN -> BN
    cfg.model.roi_head.shared_head.norm_cfg.type = 'BN'
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    runner = SimpleNamespace(cfg=cfg, model=model, _resume=False, _load_from=None,
                             logger=MMLogger.get_current_instance())
    with pytest.raises(RuntimeError, match='backbone was not filled'):
        PretrainedBackboneCheckHook().before_train(runner)
    model.init_weights()
    PretrainedBackboneCheckHook().before_train(runner)
    ref = (online if weights == 'online' else target).state_dict()
    res2_4 = model.backbone.state_dict()
    res5 = model.roi_head.shared_head.state_dict()
    assert set(res2_4) | set(res5) == set(ref) and not set(res2_4) & set(res5)
    for key, value in list(res2_4.items()) + list(res5.items()):
        torch.testing.assert_close(value, ref[key], rtol=0, atol=0)
    # a shared head left at random init is caught
    torch.nn.init.zeros_(model.roi_head.shared_head.layer4[0].conv1.weight)
    with pytest.raises(RuntimeError, match='shared head was not filled'):
        PretrainedBackboneCheckHook().before_train(runner)


@pytest.mark.slow
def test_tiny_c4_trains_on_coco128(repo_root, coco128, tmp_path):
    """A few Mask R-CNN R18-C4 iterations on CPU from a plugin checkpoint, evaluated."""
    import sys

    from orl_mm.testing import logged_values, run_tool
    _orl_checkpoint(str(tmp_path / 'orl.pth'))
    ckpt, root = str(tmp_path / 'orl.pth'), f'{coco128}/'
    ann = f'{coco128}/annotations/instances_train2017.json'
    log = run_tool([
        sys.executable, 'tools/train.py', osp.join(CFG_DIR, TINY_C4), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', f'model.backbone.init_cfg.checkpoint={ckpt}',
        f'model.roi_head.shared_head.init_cfg.checkpoint={ckpt}',
        f'train_dataloader.dataset.data_root={root}', f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}', f'val_evaluator.ann_file={ann}',
        f'test_evaluator.ann_file={ann}', 'train_cfg.max_iters=3', 'train_cfg.val_interval=3',
        'val_dataloader.dataset.indices=4'], cwd=repo_root)
    assert 'backbone <- ' in log and 'shared head <- ' in log and ', 0 missing keys' in log
    losses = logged_values(log)
    assert len(losses) == 3 and all(v == v and v > 0 for v in losses)
    assert 'coco/bbox_mAP:' in log and 'coco/segm_mAP:' in log
