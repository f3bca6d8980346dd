"""tools/model_converters/export_backbone.py: mmdet/torchvision .pth and detectron2 .pkl."""
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
import torchvision
from mmdet.models.backbones import ResNet as MMDetResNet

from orl_mm.evaluation.export import to_detectron2_name
from orl_mm.testing.cli import load_tool
from orl_mm.testing.models import write_plugin_checkpoint

TOOL = 'tools/model_converters/export_backbone.py'


@pytest.fixture(scope='module')
def plugin_ckpt(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('ckpt') / 'orl.pth')
    online, target = write_plugin_checkpoint(path, neck_dim=3, message_hub=False)
    return path, online, target


@pytest.mark.parametrize('weights', ['online', 'target'])
def test_pth_loads_into_mmdet_and_torchvision(plugin_ckpt, tmp_path, weights):
    path, online, target = plugin_ckpt
    ref = online if weights == 'online' else target
    out = str(tmp_path / 'r18.pth')
    assert load_tool(TOOL).main([path, out, '--weights', weights]) == 0
    exported = torch.load(out, weights_only=True)  # plain tensors only

    det = MMDetResNet(depth=18)
    result = det.load_state_dict(exported, strict=True)  # no missing, no unexpected
    assert not result.missing_keys and not result.unexpected_keys
    tv = torchvision.models.resnet18()
    result = tv.load_state_dict(exported, strict=False)
    assert sorted(result.missing_keys) == ['fc.bias', 'fc.weight']
    assert result.unexpected_keys == []
    for key, value in ref.items():
        torch.testing.assert_close(tv.state_dict()[key], value, rtol=0, atol=0)
        torch.testing.assert_close(det.state_dict()[key], value, rtol=0, atol=0)


def test_detectron2_pkl_layout(plugin_ckpt, tmp_path):
    path, online, _ = plugin_ckpt
    out = str(tmp_path / 'r18.pkl')
    assert load_tool(TOOL).main([path, out]) == 0
    with open(out, 'rb') as f:
        payload = pickle.load(f)
    assert payload['matching_heuristics'] is True
    model = payload['model']
    expected = {k for k in online if not k.endswith('num_batches_tracked')}
    assert len(model) == len(expected) == 100
    for name in ('stem.conv1.weight', 'stem.conv1.norm.running_var', 'res2.0.conv1.weight',
                 'res2.1.conv2.norm.bias', 'res3.0.shortcut.weight',
                 'res3.0.shortcut.norm.running_mean', 'res5.1.conv2.norm.weight'):
        assert name in model, name
    np.testing.assert_array_equal(model['res4.0.shortcut.norm.weight'],
                                  online['layer3.0.downsample.1.weight'].numpy())
    assert all(isinstance(v, np.ndarray) for v in model.values())


def test_detectron2_names_of_a_bottleneck():
    assert to_detectron2_name('conv1.weight') == 'stem.conv1.weight'
    assert to_detectron2_name('bn1.running_mean') == 'stem.conv1.norm.running_mean'
    assert to_detectron2_name('layer1.0.bn3.bias') == 'res2.0.conv3.norm.bias'
    assert to_detectron2_name('layer4.2.conv3.weight') == 'res5.2.conv3.weight'
    assert to_detectron2_name('layer2.0.downsample.0.weight') == 'res3.0.shortcut.weight'
    assert to_detectron2_name('layer2.0.downsample.1.weight') == 'res3.0.shortcut.norm.weight'


def test_mismatch_fails_loudly_and_writes_nothing(plugin_ckpt, tmp_path, capsys):
    path, _, _ = plugin_ckpt
    state = torch.load(path, weights_only=False)['state_dict']
    del state['backbone.layer4.1.bn2.weight']
    bad = str(tmp_path / 'bad.pth')
    torch.save({'state_dict': state}, bad)
    out = str(tmp_path / 'out.pth')
    assert load_tool(TOOL).main([bad, out]) == 1
    err = capsys.readouterr().err
    assert '1 missing keys' in err and 'layer4.1.bn2.weight' in err
    assert not osp.exists(out)
    assert load_tool(TOOL).main([bad, out, '--weights', 'target']) == 0  # target is complete


def test_default_is_the_teacher_for_slotcon(plugin_ckpt, tmp_path, capsys):
    path, online, target = plugin_ckpt
    ckpt = torch.load(path, weights_only=False)
    ckpt['state_dict']['grouping.prototypes.weight'] = torch.zeros(3, 3)  # a SlotCon model
    slotcon = str(tmp_path / 'slotcon.pth')
    torch.save(ckpt, slotcon)
    for src, ref, said in ((path, online, 'online weights'), (slotcon, target, 'the teacher')):
        out = str(tmp_path / 'r18.pth')
        assert load_tool(TOOL).main([src, out]) == 0
        assert said in capsys.readouterr().out
        exported = torch.load(out, weights_only=True)
        for key, value in ref.items():
            torch.testing.assert_close(exported[key], value, rtol=0, atol=0)
