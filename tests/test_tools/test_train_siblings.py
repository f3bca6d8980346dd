"""SCRL, SlotCon and DenseCL through the front doors on real photos: train, save, resume,
export, mim. Configs, loss terms and transfer weights come from the method records."""
import os.path as osp
import shutil
import sys

import pytest
import torch

from orl_mm.structures.method import get_method
from orl_mm.testing import logged_values, run_tool

#: The methods tested here (BYOL and ORL have their own tests: ORL needs stage 2).
METHODS = ('densecl', 'scrl', 'slotcon')


def _options(data_root, *extra):
    return ['--cfg-options', f'train_dataloader.dataset.data_root={data_root}',
            'train_dataloader.dataset.indices=16', *extra]


@pytest.mark.parametrize('algo', METHODS)
def test_train_save_resume_on_coco128(algo, repo_root, coco128, tmp_path):
    spec = get_method(algo)
    config, keys = spec.config_path(), spec.loss_terms
    work = tmp_path / 'work'
    log = run_tool([sys.executable, 'tools/train.py', config, '--work-dir', str(work),
                    *_options(coco128, 'train_cfg.max_epochs=1')], repo_root)
    for key in keys:  # 16 photos / batch 8 = 2 iterations, each loss term finite
        values = logged_values(log, key)
        assert len(values) == 2 and all(v == v and abs(v) < 100 for v in values), (key, values)
    assert osp.isfile(work / 'epoch_1.pth')
    log = run_tool([sys.executable, 'tools/train.py', config, '--work-dir', str(work),
                    '--resume', *_options(coco128)], repo_root)
    assert 'resumed epoch: 1, iter: 2' in log
    ckpt = torch.load(work / 'epoch_2.pth', weights_only=False)
    assert ckpt['meta']['iter'] == 4
    # the EMA teacher/target (DenseCL: key encoder) backbone is saved under its prefix
    assert any(k.startswith(spec.prefix('target') + 'layer4.') for k in ckpt['state_dict'])

    # export to mmdet: SCRL and DenseCL transfer the online backbone, SlotCon the teacher's
    weights = spec.transfer
    prefix = spec.prefix(weights)
    out = str(tmp_path / f'{algo}_r18.pth')
    run_tool([sys.executable, 'tools/model_converters/export_backbone.py',
              str(work / 'epoch_2.pth'), out, '--weights', weights], repo_root)
    from mmdet.models.backbones import ResNet
    exported = torch.load(out)
    result = ResNet(depth=18).load_state_dict(exported, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    for key, value in exported.items():
        torch.testing.assert_close(value, ckpt['state_dict'][prefix + key])


@pytest.mark.slow
@pytest.mark.parametrize('algo', METHODS)
def test_mim_train(algo, repo_root, demo_root, tmp_path):
    mim = shutil.which('mim', path=osp.dirname(sys.executable))
    if mim is None:
        pytest.skip('openmim is not installed in this environment')
    spec = get_method(algo)
    config, keys = spec.config_path(), spec.loss_terms
    log = run_tool([mim, 'train', 'mmpretrain', config, '--work-dir', str(tmp_path / 'w'),
                    *_options(demo_root, 'train_cfg.max_epochs=1')], repo_root)
    assert len(logged_values(log, keys[0])) == 2
