"""Stage-1 training through the front doors: tools/train.py, resume, torchrun (gloo), mim."""
import os
import os.path as osp
import re
import shutil
import sys

import pytest
import torch

from orl_mm.testing import logged_values, run_tool

TINY = 'configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py'


def _train(repo_root, work_dir, data_root, *extra, ann='annotations/instances_train2017.json'):
    return run_tool([
        sys.executable, 'tools/train.py', TINY, '--work-dir',
        str(work_dir), *extra, '--cfg-options', f'train_dataloader.dataset.data_root={data_root}',
        f'train_dataloader.dataset.ann_file={ann}', 'train_dataloader.dataset.indices=16'
    ],
                    cwd=repo_root)


def test_train_save_resume_and_load_backbone(repo_root, demo_root, tmp_path):
    work = tmp_path / 'work'
    log = _train(repo_root, work, demo_root, '--cfg-options', 'train_cfg.max_epochs=1')
    assert len(logged_values(log)) == 2  # 16 images / batch 8 = 2 iterations
    assert osp.isfile(work / 'epoch_1.pth') and not osp.exists(work / 'epoch_2.pth')

    # resume (torch >= 2.6 loader, through orl_mm.compat) and finish epoch 2
    log = _train(repo_root, work, demo_root, '--resume')
    assert re.search(r'resumed epoch: 1, iter: 2', log), log[-3000:]
    assert len(logged_values(log)) == 2
    ckpt = torch.load(work / 'epoch_2.pth', weights_only=False)
    assert ckpt['meta']['epoch'] == 2 and ckpt['meta']['iter'] == 4

    # the stage-1 backbone drops into mmpretrain's ResNet with no missing key
    from mmengine.runner import load_checkpoint
    from mmpretrain.models import ResNet
    backbone = ResNet(depth=18)
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    load_checkpoint(backbone,
                    str(work / 'epoch_2.pth'),
                    revise_keys=[(r'^backbone\.', '')],
                    strict=False)
    weights = {
        k[len('backbone.'):]: v
        for k, v in ckpt['state_dict'].items() if k.startswith('backbone.')
    }
    assert set(weights) == set(backbone.state_dict())  # no missing, no unexpected
    for key, value in backbone.state_dict().items():
        torch.testing.assert_close(value, weights[key])
    assert any(not torch.equal(before[k], v) for k, v in backbone.state_dict().items()
               if v.is_floating_point())


def test_train_on_coco128(repo_root, coco128, tmp_path):
    log = _train(repo_root, tmp_path / 'work', coco128, '--cfg-options', 'train_cfg.max_epochs=1')
    losses = logged_values(log)
    assert len(losses) == 2 and all(-4 <= v <= 4 for v in losses)  # 2(-cos - cos)


@pytest.mark.slow
def test_two_process_gloo(repo_root, demo_root, tmp_path):
    """torchrun with 2 CPU processes: gloo process group, DDP, one shared checkpoint."""
    work = tmp_path / 'work'
    # torchrun must be the venv's: put its bin folder first on PATH
    path = osp.dirname(sys.executable) + os.pathsep + os.environ['PATH']
    log = run_tool([
        'bash', 'tools/dist_train.sh', TINY, '2', '--work-dir',
        str(work), '--cfg-options', f'train_dataloader.dataset.data_root={demo_root}',
        'train_dataloader.dataset.indices=16', 'train_cfg.max_epochs=1'
    ], repo_root, env=dict(PORT=str(29500 + os.getpid() % 1000), PATH=path))
    assert 'Distributed training: True' in log and "'backend': 'gloo'" in log, log[-3000:]
    # 16 images over 2 ranks of batch 8: one iteration per epoch
    ckpt = torch.load(work / 'epoch_1.pth', weights_only=False)
    assert ckpt['meta']['iter'] == 1


@pytest.mark.slow
def test_mim_train_mmpretrain(repo_root, demo_root, tmp_path):
    mim = shutil.which('mim', path=osp.dirname(sys.executable))
    if mim is None:
        pytest.skip('openmim is not installed in this environment')
    log = run_tool([
        mim, 'train', 'mmpretrain', TINY, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', f'train_dataloader.dataset.data_root={demo_root}',
        'train_dataloader.dataset.indices=16', 'train_cfg.max_epochs=1'
    ],
                   cwd=repo_root)
    assert len(logged_values(log)) == 2
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')
