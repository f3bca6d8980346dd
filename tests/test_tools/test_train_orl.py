"""ORL stage 3 through the front doors: tools/train.py on coco128, resume, mim; the configs."""
import os.path as osp
import re
import shutil
import sys

import pytest
import torch
from mmengine.config import Config

from orl_mm.testing import build_fixture_correspondence, logged_values, run_tool

TINY = 'configs/orl/orl_resnet18_1xb8-tiny-2e_demo.py'
FULL = 'configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py'
ANN = 'annotations/instances_train2017.json'


@pytest.fixture(scope='module')
def coco128_corr(coco128, tmp_path_factory):
    """A fixture correspondence file for coco128 (instance boxes, next-3 neighbours)."""
    path = str(tmp_path_factory.mktemp('corr') / 'coco128_corr.json')
    build_fixture_correspondence(osp.join(coco128, 'train2017'),
                                 path,
                                 ann_file=osp.join(coco128, ANN),
                                 knn=3)
    return path


def _options(data_root, corr, n_images, *extra):
    return [
        '--cfg-options', f'train_dataloader.dataset.data_root={data_root}',
        f'train_dataloader.dataset.corr_file={corr}', f'train_dataloader.dataset.ann_file={ANN}',
        f'train_dataloader.dataset.indices={n_images}', *extra
    ]


def test_train_resume_and_loss_goes_down_on_coco128(repo_root, coco128, coco128_corr, tmp_path):
    work = tmp_path / 'work'
    # 48 real photos, batch 8: 6 iterations per epoch; epoch 1, then resume for epoch 2
    log1 = run_tool([
        sys.executable, 'tools/train.py', TINY, '--work-dir',
        str(work), *_options(coco128, coco128_corr, 48, 'train_cfg.max_epochs=1')
    ], repo_root)
    assert osp.isfile(work / 'epoch_1.pth') and not osp.exists(work / 'epoch_2.pth')
    log2 = run_tool([
        sys.executable, 'tools/train.py', TINY, '--work-dir',
        str(work), '--resume', *_options(coco128, coco128_corr, 48)
    ], repo_root)
    assert re.search(r'resumed epoch: 1, iter: 6', log2), log2[-3000:]
    ckpt = torch.load(work / 'epoch_2.pth', weights_only=False)
    assert ckpt['meta']['epoch'] == 2 and ckpt['meta']['iter'] == 12

    losses = logged_values(log1) + logged_values(log2)
    assert len(losses) == 12
    terms = {k: logged_values(log1 + log2, k) for k in ('loss_global', 'loss_intra', 'loss_inter')}
    for k, values in terms.items():
        assert len(values) == 12 and all(0 <= v <= 8 for v in values), k
    for i, total in enumerate(losses):  # weights 1/1/1
        assert total == pytest.approx(sum(terms[k][i] for k in terms), abs=2e-3)
    # the loss goes down: mean of the last 4 iterations well below the first 4
    first, last = sum(losses[:4]) / 4, sum(losses[-4:]) / 4
    assert last < first - 1.0, losses

    # checkpoint names the evaluation tools rely on; the target backbone is a ResNet-18
    sd = ckpt['state_dict']
    from mmpretrain.models import ResNet
    backbone_keys = set(ResNet(depth=18).state_dict())
    assert {k[len('backbone.'):] for k in sd if k.startswith('backbone.')} == backbone_keys
    assert {k[len('target_net.module.0.'):]
            for k in sd if k.startswith('target_net.module.0.')} == backbone_keys
    for head in ('head', 'intra_head', 'inter_head'):
        assert any(k.startswith(f'{head}.predictor.') for k in sd)
    # online and target differ after training (EMA with tau < 1)
    assert not torch.equal(sd['backbone.conv1.weight'], sd['target_net.module.0.conv1.weight'])


def test_train_on_the_demo_set(repo_root, demo_root, tmp_path):
    """The same front door without the shared photos (the embedded demo scenes)."""
    corr = str(tmp_path / 'corr.json')
    build_fixture_correspondence(osp.join(demo_root, 'train2017'),
                                 corr,
                                 ann_file=osp.join(demo_root, ANN),
                                 min_size=16)
    log = run_tool([
        sys.executable, 'tools/train.py', TINY, '--work-dir',
        str(tmp_path / 'work'), *_options(demo_root, corr, 16, 'train_cfg.max_epochs=1')
    ], repo_root)
    assert len(logged_values(log)) == 2 and len(logged_values(log, 'loss_intra')) == 2
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')


@pytest.mark.slow
def test_mim_train_mmpretrain(repo_root, coco128, coco128_corr, tmp_path):
    mim = shutil.which('mim', path=osp.dirname(sys.executable))
    if mim is None:
        pytest.skip('openmim is not installed in this environment')
    log = run_tool([
        mim, 'train', 'mmpretrain', TINY, '--work-dir',
        str(tmp_path / 'work'), *_options(coco128, coco128_corr, 16, 'train_cfg.max_epochs=1')
    ], repo_root)
    assert len(logged_values(log)) == 2 and len(logged_values(log, 'loss_inter')) == 2
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')


def _colour(pipeline):
    return [
        t for t in pipeline
        if t['type'] not in ('PILRandomResizedCrop', 'PILRandomFlip', 'RoICrop', 'RoIJitter')
    ]


@pytest.mark.parametrize('config',
                         [FULL, 'configs/orl/orl_resnet50_8xb64-coslr-800e_coco-plus.py', TINY])
def test_configs_follow_the_paper(repo_root, config):
    cfg = Config.fromfile(osp.join(repo_root, config))
    model = cfg.model
    assert model.type == 'ORL' and model.base_momentum == 0.01
    assert tuple(model.loss_weights) == (1., 1., 1.)
    for head in ('head', 'intra_head', 'inter_head'):
        assert model[head].predictor.in_channels == model.neck.out_channels
        assert model[head].loss.type == 'BYOLLoss'
    branches = cfg.train_dataloader.dataset.pipeline[2].branches
    assert [b.get('img_key', 'img') for b in branches] == ['img'] * 5 + ['neighbour_img']
    assert [b.get('roi_key') for b in branches
            ] == [None, None, 'intra_box', 'intra_box', 'inter_query_box', 'inter_key_box']
    # identical colour pipelines for global views and patches, BYOL-asymmetric
    for a, b in ((0, 2), (0, 4), (1, 3), (1, 5)):
        assert _colour(branches[a].pipeline) == _colour(branches[b].pipeline)
    blur = [[t for t in _colour(branches[i].pipeline) if t['type'] == 'PILGaussianBlur'][0]
            for i in (0, 1)]
    sol = [[t for t in _colour(branches[i].pipeline) if t['type'] == 'PILSolarize'][0]
           for i in (0, 1)]
    assert [t['prob'] for t in blur] == [1., 0.1] and [t['prob'] for t in sol] == [0., 0.2]
    # intra patch 1: the box itself; intra patch 2: a jittered copy (reference ORLDataset)
    assert [t['type'] for t in branches[2].pipeline][:2] == ['RoICrop', 'PILRandomFlip']
    assert [t['type'] for t in branches[3].pipeline][:3] == ['RoIJitter', 'RoICrop',
                                                             'PILRandomFlip']
    if config != TINY:
        assert model.backbone.depth == 50 and model.backbone.norm_cfg.type == 'SyncBN'
        assert model.neck.hid_channels == 4096 and model.neck.out_channels == 256
        assert branches[0].pipeline[0].scale == 224 and branches[4].pipeline[0].size == 96
        assert branches[0].pipeline[0].crop_ratio_range == (0.08, 1.)
        assert branches[0].pipeline[0].interpolation == 'bilinear'
        assert cfg.train_dataloader.batch_size == 64  # x 8 GPUs = 512
        assert cfg.optim_wrapper.optimizer.lr == 0.4 and cfg.train_cfg.max_epochs == 800
        assert cfg.optim_wrapper.optimizer.weight_decay == 1e-4
        assert cfg.param_scheduler[0].warmup_epochs == 4
    else:
        assert cfg.train_dataloader.persistent_workers is False
