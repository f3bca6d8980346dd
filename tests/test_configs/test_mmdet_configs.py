"""configs/transfer/mmdetection: ORL's detectron2 transfer protocol, and the backbone loading."""
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
from orl_mm.testing.models import write_plugin_checkpoint

CFG_DIR = 'configs/transfer/mmdetection'
TABLE4 = 'mask-rcnn_r50_fpn_8xb2-syncbn-ms-90k_coco.py'
SINGLE_SCALE = 'mask-rcnn_r50_fpn_8xb2-syncbn-90k_coco.py'
ONE_PROCESS = 'mask-rcnn_r50_fpn_1xb2-bn-ms-90k_coco.py'
FPN_2X = 'mask-rcnn_r50_fpn_8xb2-syncbn-ms-180k_coco.py'
TINY = 'mask-rcnn_r18_fpn_1xb2-bn-tiny-10i_coco128.py'
C4 = ['mask-rcnn_r50_c4_8xb2-syncbn-ms-90k_coco.py', 'mask-rcnn_r50_c4_8xb2-syncbn-ms-180k_coco.py',
      'faster-rcnn_r50_c4_8xb2-syncbn-ms-24k_voc0712.py']
TINY_C4 = 'mask-rcnn_r18_c4_1xb2-bn-tiny-10i_coco128.py'
PAPER = [TABLE4, SINGLE_SCALE, ONE_PROCESS, FPN_2X] + C4


def _cfg(repo_root, name):
    return Config.fromfile(osp.join(repo_root, CFG_DIR, name))


def _norm_types(cfg):
    m = cfg.model
    return [m.backbone.norm_cfg.type, m.neck.norm_cfg.type, m.roi_head.bbox_head.norm_cfg.type,
            m.roi_head.mask_head.norm_cfg.type]


def _register_mmdet():
    from mmdet.utils import register_all_modules
    register_all_modules(init_default_scope=False)


def test_table4_protocol(repo_root):
    names = sorted(osp.basename(p) for p in glob.glob(osp.join(repo_root, CFG_DIR, '*.py')))
    assert sorted(PAPER + [TINY, TINY_C4]) == names
    for name in names:
        cfg = _cfg(repo_root, name)
        assert cfg.default_scope == 'mmdet'
        assert cfg.custom_imports.imports == ['orl_mm', 'orl_mm.evaluation.detection']
        b = cfg.model.backbone
        assert b.frozen_stages == -1 and b.norm_eval is False
        assert b.init_cfg.type == 'OrlPretrained' and b.init_cfg.weights == 'auto'
        assert cfg.train_dataloader.collate_fn.type == 'pseudo_collate'
        assert {'type': 'PretrainedBackboneCheckHook'} in cfg.custom_hooks
        assert cfg.custom_hooks[1].type == 'DetectronPreciseBNHook'
        expected = 'SyncBN' if 'syncbn' in name else 'BN'
        if '_c4_' in name:
            continue  # test_c4_protocol
        assert cfg.model.roi_head.bbox_head.type == 'Shared4Conv1FCBBoxHead'
        assert _norm_types(cfg) == [expected] * 4, name
    assert _cfg(repo_root, TABLE4).custom_hooks[1].num_iters == 200  # TEST.PRECISE_BN.NUM_ITER
    # the tiny configs point at mmdet's data layout, not at a folder beside the clone
    assert _cfg(repo_root, TINY).train_dataloader.dataset.data_root == 'data/coco/'


def _short_sides(pipeline_cfg, draws=60):
    """Shorter sides the built resize step gives a 480 x 640 image over ``draws`` draws."""
    import numpy as np
    from mmdet.registry import TRANSFORMS
    _register_mmdet()
    resize = [t for t in pipeline_cfg if 'Resize' in t.type]
    assert len(resize) == 1
    with DefaultScope.overwrite_default_scope('mmdet'):
        step = TRANSFORMS.build(resize[0])
    np.random.seed(0)
    sides = set()
    for _ in range(draws):
        out = step({'img': np.zeros((480, 640, 3), np.uint8), 'img_shape': (480, 640)})
        sides.add(min(out['img'].shape[:2]))
    return sides


@pytest.mark.parametrize('name,sides', [
    (TABLE4, set(range(640, 801, 32))),  # Base-RCNN-FPN.yaml: MIN_SIZE_TRAIN 640..800
    (FPN_2X, set(range(640, 801, 32))),
    (C4[0], set(range(640, 801, 32))),  # R_50_C4_1x.yaml
    (C4[2], set(range(480, 801, 32))),  # pascal_voc_R_50_C4_24k.yaml
    (SINGLE_SCALE, {800}),
])
def test_training_scales_of_the_built_pipeline(repo_root, name, sides):
    cfg = _cfg(repo_root, name)
    ds = cfg.train_dataloader.dataset
    pipeline = ds.datasets[0].pipeline if 'datasets' in ds else ds.pipeline
    assert _short_sides(pipeline) == sides


def test_no_weight_decay_on_norm_layers(repo_root):
    """detectron2's SOLVER.WEIGHT_DECAY_NORM 0: BN weights and biases (backbone, FPN, heads)
    get no decay; every other parameter (biases too: WEIGHT_DECAY_BIAS = WEIGHT_DECAY) 1e-4."""
    from mmdet.registry import MODELS
    from mmengine.optim import build_optim_wrapper
    from torch.nn.modules.batchnorm import _BatchNorm
    _register_mmdet()
    cfg = _cfg(repo_root, TABLE4)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
        wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {id(p): g['weight_decay'] for g in wrapper.optimizer.param_groups
             for p in g['params']}
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    norm_params = {id(p) for m in norms for p in m.parameters()}
    assert len(norms) > 60 and {type(m).__name__ for m in norms} == {'SyncBatchNorm'}
    assert {decay[i] for i in norm_params} == {0.0}
    assert {decay[id(p)] for p in model.parameters() if id(p) not in norm_params} == {1e-4}
    assert wrapper.optimizer.defaults['lr'] == 0.02 and cfg.train_dataloader.batch_size == 2


def _lrs(param_scheduler, upto):
    """lr at iterations 0..upto of the built schedulers (base lr 0.02)."""
    from mmengine.optim.scheduler import LinearLR, MultiStepLR
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.02)
    kinds = {'LinearLR': LinearLR, 'MultiStepLR': MultiStepLR}
    scheds = [kinds[c['type']](opt, **{k: v for k, v in c.items() if k != 'type'})
              for c in param_scheduler]
    out = []
    for _ in range(upto + 1):
        out.append(opt.param_groups[0]['lr'])
        for s in scheds:
            s.step()
    return out


@pytest.mark.parametrize('name,warmup,steps', [(TABLE4, 1000, (60000, 80000)),
                                               (C4[1], 1000, (120000, 160000)),
                                               (C4[2], 100, (18000, 22000))])
def test_warm_up_and_steps_as_detectron2(repo_root, name, warmup, steps):
    """WarmupMultiStepLR: factor 0.001 * (1 - i / W) + i / W for i < W (WARMUP_FACTOR 1/1000,
    WARMUP_ITERS 1000; VOC 100), then x0.1 at each step."""
    cfg = _cfg(repo_root, name)
    lrs = _lrs(cfg.param_scheduler, steps[1])
    for i in (0, 1, warmup // 2, warmup - 1):
        alpha = i / warmup
        assert lrs[i] == pytest.approx(0.02 * (0.001 * (1 - alpha) + alpha), rel=1e-9), i
    assert lrs[warmup] == pytest.approx(0.02, rel=1e-12)
    assert lrs[steps[0] - 1] == pytest.approx(0.02) and lrs[steps[0]] == pytest.approx(0.002)
    assert lrs[steps[1] - 1] == pytest.approx(0.002) and lrs[steps[1]] == pytest.approx(2e-4)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.train_cfg.max_iters == {60000: 90000, 120000: 180000, 18000: 24000}[steps[0]]
    assert cfg.train_dataloader.sampler.type == 'InfiniteSampler'


@pytest.mark.parametrize('name', C4 + [TINY_C4])
def test_c4_protocol(repo_root, name):
    """ORL's Base-RCNN-C4-BN.yaml: SyncBN, FREEZE_AT 0, res5 (+ extra norm) as the RoI head,
    read from the same checkpoint; PyTorch-style (RGB, ImageNet mean/std) input."""
    cfg = _cfg(repo_root, name)
    expected = 'SyncBN' if 'syncbn' in name else 'BN'
    b, head = cfg.model.backbone, cfg.model.roi_head.shared_head
    assert b.style == head.style == 'pytorch' and b.num_stages == 3 and head.stage == 3
    assert head.type == 'ResLayerExtraNorm'
    assert b.norm_cfg.type == head.norm_cfg.type == expected
    assert b.norm_cfg.requires_grad and head.norm_cfg.requires_grad
    assert head.norm_eval is False
    assert head.init_cfg == b.init_cfg
    pre = cfg.model.data_preprocessor
    assert pre.bgr_to_rgb and pre.mean == [123.675, 116.28, 103.53]
    assert cfg.model.test_cfg.rpn.nms_pre == (6000 if 'tiny' not in name else 500)
    test_resize = [t for t in cfg.test_dataloader.dataset.pipeline if t.type == 'Resize']
    assert test_resize[0].scale == ((1333, 800) if 'tiny' not in name else (320, 224))
    if 'voc0712' in name:
        sets = cfg.train_dataloader.dataset.datasets
        assert [d.ann_file for d in sets] == ['VOC2007/ImageSets/Main/trainval.txt',
                                              'VOC2012/ImageSets/Main/trainval.txt']
        assert cfg.test_dataloader.dataset.ann_file == 'VOC2007/ImageSets/Main/test.txt'
        assert cfg.model.roi_head.bbox_head.num_classes == 20


def test_c4_head_ends_with_the_extra_norm(repo_root):
    """Res5ROIHeadsExtraNorm: res5's (post-ReLU, non-negative) output goes through one more BN,
    so in training mode every channel of the head's output has mean 0 and variance 1."""
    from mmdet.registry import MODELS
    _register_mmdet()
    cfg = _cfg(repo_root, TINY_C4)
    with DefaultScope.overwrite_default_scope('mmdet'):
        head = MODELS.build(cfg.model.roi_head.shared_head)
    head.train()
    out = head(torch.rand(6, 256, 14, 14))
    assert out.shape == (6, 512, 7, 7) and (out < 0).any()
    torch.testing.assert_close(out.mean((0, 2, 3)), torch.zeros(512), atol=1e-5, rtol=0)
    torch.testing.assert_close(out.var((0, 2, 3), unbiased=False), torch.ones(512), atol=1e-3,
                               rtol=0)


def _orl_checkpoint(path, slotcon=False):
    """A tiny plugin training checkpoint; ``slotcon``: with SlotCon's signature keys."""
    return write_plugin_checkpoint(path, slotcon, meta={'epoch': 1})


def _runner(cfg, model):
    return SimpleNamespace(cfg=cfg, model=model, _resume=False, _load_from=None,
                           logger=MMLogger.get_current_instance())


@pytest.mark.parametrize('slotcon,weights,expected', [
    (False, 'auto', 'online'), (True, 'auto', 'target'), (True, 'online', 'online')])
def test_mask_rcnn_loads_the_weights_the_method_transfers(repo_root, tmp_path, slotcon, weights,
                                                          expected):
    """With weights='auto' a SlotCon checkpoint gives the teacher (the old prefix='backbone.'
    gave the student), any other the online backbone."""
    from mmdet.registry import MODELS
    _register_mmdet()
    ckpt = str(tmp_path / 'ckpt.pth')
    online, target = _orl_checkpoint(ckpt, slotcon)
    cfg = _cfg(repo_root, TINY)
    cfg.model.backbone.init_cfg.update(checkpoint=ckpt, weights=weights)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    hook = PretrainedBackboneCheckHook()
    with pytest.raises(RuntimeError, match='tensors differ'):
        hook.before_train(_runner(cfg, model))  # not initialised yet
    model.init_weights()
    hook.before_train(_runner(cfg, model))  # every backbone tensor equals the checkpoint's
    ref = online if expected == 'online' else target
    own = model.backbone.state_dict()
    assert set(own) == set(ref)
    for key, value in ref.items():
        torch.testing.assert_close(own[key], value, rtol=0, atol=0)
    assert model.backbone.norm_eval is False and model.backbone.frozen_stages == -1
    assert all(p.requires_grad for p in model.backbone.parameters())


@pytest.mark.parametrize('name,weights', [(C4[0], 'online'), (C4[2], 'target'),
                                          (TINY_C4, 'auto')])
def test_c4_detectors_load_res2_to_res5(repo_root, tmp_path, name, weights):
    """The backbone takes conv1..layer3 and the shared head layer4 of the same checkpoint; the
    head's extra norm keeps its init."""
    from mmdet.registry import MODELS
    _register_mmdet()
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
    for init_cfg in (cfg.model.backbone.init_cfg, cfg.model.roi_head.shared_head.init_cfg):
        init_cfg.update(checkpoint=ckpt, weights=weights)
    cfg.model.backbone.norm_cfg.type = 'BN'  # one process: SyncBN -> BN
    cfg.model.roi_head.shared_head.norm_cfg.type = 'BN'
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    with pytest.raises(RuntimeError, match='backbone was not filled'):
        PretrainedBackboneCheckHook().before_train(_runner(cfg, model))
    model.init_weights()
    PretrainedBackboneCheckHook().before_train(_runner(cfg, model))
    ref = (target if weights == 'target' else online).state_dict()
    res2_4 = model.backbone.state_dict()
    head = model.roi_head.shared_head
    res5 = {k: v for k, v in head.state_dict().items() if not k.startswith('norm.')}
    assert set(res2_4) | set(res5) == set(ref) and not set(res2_4) & set(res5)
    for key, value in list(res2_4.items()) + list(res5.items()):
        torch.testing.assert_close(value, ref[key], rtol=0, atol=0)
    assert torch.equal(head.norm.weight, torch.ones_like(head.norm.weight))
    # a shared head left at random init is caught
    torch.nn.init.zeros_(head.layer4[0].conv1.weight)
    with pytest.raises(RuntimeError, match='shared head was not filled'):
        PretrainedBackboneCheckHook().before_train(_runner(cfg, model))


@pytest.mark.slow
def test_tiny_c4_trains_on_coco128(repo_root, coco128, tmp_path):
    """A few Mask R-CNN R18-C4 iterations on CPU from a plugin checkpoint, precise BN at the
    end, evaluated; the data path is passed explicitly."""
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
    assert 'OrlPretrained: ResLayerExtraNorm <- ' in log and "own layers ['norm']" in log
    assert 'online weights' in log
    assert 'DetectronPreciseBNHook: statistics of' in log and 'over 2 training batches' in log
    losses = logged_values(log)
    assert len(losses) == 3 and all(v == v and v > 0 for v in losses)
    assert 'coco/bbox_mAP:' in log and 'coco/segm_mAP:' in log
