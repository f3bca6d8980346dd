"""configs/transfer/segmentation: SlotCon's FCN protocols in mmseg 1.x, and the tiny run."""
import glob
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from orl_mm.testing import logged_values, run_tool
from orl_mm.testing.models import write_plugin_checkpoint

CFG_DIR = 'configs/transfer/segmentation'
VOC = 'fcn-d6_r50-d16_2xb8-syncbn-30k_voc12aug-513x513.py'
CITYSCAPES = 'fcn-d6_r50-d16_2xb8-syncbn-90k_cityscapes-769x769.py'
ADE = 'fcn_r50-d8_4xb4-syncbn-80k_ade20k-512x512.py'
TINY = 'fcn_r18-d8_1xb2-bn-tiny-10i_demo.py'


def _cfg(repo_root, name):
    return Config.fromfile(osp.join(repo_root, CFG_DIR, name))


def _build_model(cfg):
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(cfg.model)


def _lrs(cfg, steps):
    """lr of the built schedulers at the given iterations (0-based)."""
    from mmengine.optim.scheduler import MultiStepLR, PolyLR
    lr = cfg.optim_wrapper.optimizer.lr
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    kinds = {'MultiStepLR': MultiStepLR, 'PolyLR': PolyLR}
    scheds = [kinds[c['type']](opt, **{k: v for k, v in c.items() if k != 'type'})
              for c in cfg.param_scheduler]
    out = {}
    for i in range(max(steps) + 1):
        if i in steps:
            out[i] = opt.param_groups[0]['lr']
        for s in scheds:
            s.step()
    return out


def test_every_config_builds_with_the_transfer_initialiser(repo_root):
    names = sorted(osp.basename(p) for p in glob.glob(osp.join(repo_root, CFG_DIR, '*.py')))
    assert names == sorted([VOC, CITYSCAPES, ADE, TINY])
    for name in names:
        cfg = _cfg(repo_root, name)
        assert cfg.default_scope == 'mmseg' and 'orl_mm' in cfg.custom_imports.imports
        assert cfg.model.backbone.init_cfg.type == 'OrlPretrained'
        assert cfg.model.backbone.init_cfg.weights == 'auto'
        assert {'type': 'PretrainedBackboneCheckHook'} in cfg.custom_hooks
        model = _build_model(cfg)
        norms = {type(m).__name__ for m in model.modules()
                 if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)}
        assert norms == ({'SyncBatchNorm'} if 'syncbn' in name else {'BatchNorm2d'}), name
        assert model.backbone.norm_eval is False
        assert all(p.requires_grad for p in model.backbone.parameters())
        # the training pipeline builds in mmseg's scope
        from mmseg.registry import TRANSFORMS
        ds = cfg.train_dataloader.dataset
        pipeline = ds.datasets[0].pipeline if 'datasets' in ds else ds.pipeline
        with DefaultScope.overwrite_default_scope('mmseg'):
            assert [type(TRANSFORMS.build(t)).__name__ for t in pipeline][-1] == 'PackSegInputs'


@pytest.mark.parametrize('name,stride,aux', [(VOC, 16, False), (CITYSCAPES, 16, False),
                                             (ADE, 8, True), (TINY, 8, True)])
def test_output_stride_and_heads(repo_root, name, stride, aux):
    """SlotCon's MoCo-style VOC / Cityscapes FCN: res5 dilated only (output stride 16), one head;
    the ADE20K FCN: res4 and res5 dilated (stride 8), with the auxiliary head."""
    model = _build_model(_cfg(repo_root, name)).eval()
    with torch.no_grad():
        feats = model.backbone(torch.zeros(1, 3, 64, 64))
    assert feats[-1].shape[-1] == 64 // stride
    assert model.with_auxiliary_head is aux


@pytest.mark.parametrize('name,lr,steps', [(VOC, 0.003, (21000, 27000)),
                                           (CITYSCAPES, 0.01, (63000, 81000))])
def test_step_schedules_as_the_reference(repo_root, name, lr, steps):
    """mmcv 0.x's step policy (schedule_30k_moco.py / schedule_90k_moco.py): no warm-up,
    x0.1 from iteration ``step`` on."""
    cfg = _cfg(repo_root, name)
    a, b = steps
    got = _lrs(cfg, {0, a - 1, a, b - 1, b})
    assert got[0] == got[a - 1] == lr
    assert got[a] == pytest.approx(lr / 10) and got[b - 1] == pytest.approx(lr / 10)
    assert got[b] == pytest.approx(lr / 100)
    assert cfg.train_cfg.max_iters == {21000: 30000, 63000: 90000}[a]


def test_poly_schedule_as_the_reference(repo_root):
    """mmcv 0.x's poly policy (schedule_80k.py): (lr - min_lr) (1 - i / 80000)^0.9 + min_lr."""
    cfg = _cfg(repo_root, ADE)
    its = {0, 1, 40000, 79998, 79999}
    got = _lrs(cfg, its)
    for i in its:
        assert got[i] == pytest.approx((0.01 - 1e-4) * (1 - i / 80000)**0.9 + 1e-4, rel=1e-6), i


def test_tiny_config_trains_from_a_plugin_checkpoint(repo_root, demo_root, tmp_path):
    """A few FCN R18 iterations on CPU on the demo set's masks, from a SlotCon-like plugin
    checkpoint: the initialiser takes the teacher, the check hook finds every tensor, the loss
    is finite, the weights move, and the mIoU is computed."""
    ckpt = str(tmp_path / 'slotcon.pth')
    _, target = write_plugin_checkpoint(ckpt, slotcon=True)
    work, root = tmp_path / 'work', f'{demo_root}/'
    log = run_tool([
        sys.executable, 'tools/train.py', osp.join(CFG_DIR, TINY), '--work-dir', str(work),
        '--cfg-options', f'model.backbone.init_cfg.checkpoint={ckpt}',
        f'train_dataloader.dataset.data_root={root}', f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}', 'train_cfg.max_iters=4',
        'train_cfg.val_interval=4', 'default_hooks.checkpoint.interval=4'], cwd=repo_root)
    assert 'OrlPretrained: ResNet <- ' in log and 'target weights' in log
    assert 'backbone <- ' in log and ': 120/120 tensors loaded and equal, 0 missing keys' in log
    losses = logged_values(log)
    assert len(losses) == 4 and all(v == v and 0 < v < 20 for v in losses)
    assert 'mIoU:' in log
    state = torch.load(work / 'iter_4.pth', map_location='cpu', weights_only=False)['state_dict']
    moved = [k for k, v in target.items()
             if v.is_floating_point() and not torch.equal(state[f'backbone.{k}'], v)]
    assert len(moved) > 50  # fine-tuned from the teacher, every stage


@pytest.mark.parametrize('name,crop,scale', [(VOC, 513, (2049, 513)),
                                             (CITYSCAPES, 769, (2049, 1025)),
                                             (ADE, 512, (2048, 512))])
def test_built_pipelines_crop_pad_and_test_scale(repo_root, tmp_path, name, crop, scale):
    """A 375 x 500 image: training gives crop x crop inputs (random crop, then the data
    preprocessor pads as 0.x's Pad did); testing rescales it with its aspect kept to fit
    ``scale`` (long, short), as 0.x's one-scale MultiScaleFlipAug."""
    import cv2
    import numpy as np
    from mmengine.dataset import Compose
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    rng = np.random.default_rng(0)
    img, seg = str(tmp_path / 'a.jpg'), str(tmp_path / 'a.png')
    cv2.imwrite(img, rng.integers(0, 255, (375, 500, 3), dtype=np.uint8))
    cv2.imwrite(seg, rng.integers(1, 19, (375, 500), dtype=np.uint8))
    cfg = _cfg(repo_root, name)
    ds = cfg.train_dataloader.dataset
    train = ds.datasets[0].pipeline if 'datasets' in ds else ds.pipeline

    def info():
        return dict(img_path=img, seg_map_path=seg, reduce_zero_label='ade20k' in name,
                    seg_fields=[])
    with DefaultScope.overwrite_default_scope('mmseg'):
        pre = MODELS.build(cfg.model.data_preprocessor)
        sizes = set()
        for _ in range(6):
            packed = Compose(train)(info())
            sizes.add(tuple(packed['inputs'].shape[1:]))
            out = pre(dict(inputs=[packed['inputs']], data_samples=[packed['data_samples']]),
                      training=True)
            assert out['inputs'].shape == (1, 3, crop, crop)
            assert out['data_samples'][0].gt_sem_seg.data.shape[1:] == (crop, crop)
        assert max(max(hw) for hw in sizes) <= crop
        test = Compose(cfg.test_dataloader.dataset.pipeline)(info())
    s = min(scale[0] / 500, scale[1] / 375)
    assert test['inputs'].shape[1:] == (int(375 * s + 0.5), int(500 * s + 0.5))
    assert test['data_samples'].gt_sem_seg.data.shape[1:] == (375, 500)  # scored at full size
