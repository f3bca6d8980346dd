"""Backbone weights by name (online / target) from plugin checkpoints, with loud mismatches."""
import pytest
import torch
from mmpretrain.models import ResNet

from orl_mm.evaluation.checkpoints import (CheckpointMismatchError, build_backbone,
                                           infer_resnet_depth, load_backbone_state_dict,
                                           select_weights)


def _plugin_checkpoint(depth=18, seed=0):
    """A checkpoint laid out as mmpretrain BYOL / ORL save it: online backbone + neck, EMA
    target (backbone, neck) and a message hub entry."""
    torch.manual_seed(seed)
    online, target = ResNet(depth=depth), ResNet(depth=depth)
    for net in (online, target):
        net.init_weights()
        for m in net.modules():  # non-trivial BN statistics
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_()
                m.running_var.uniform_(0.5, 2)
    state = {f'backbone.{k}': v for k, v in online.state_dict().items()}
    state.update({f'target_net.module.0.{k}': v for k, v in target.state_dict().items()})
    state.update({'neck.mlp.0.weight': torch.zeros(4, 4),
                  'target_net.module.1.mlp.0.weight': torch.zeros(4, 4),
                  'target_net.steps': torch.tensor(3)})
    return {'meta': {'epoch': 2}, 'state_dict': state}, online.state_dict(), target.state_dict()


def test_online_and_target_weights_by_name(tmp_path):
    ckpt, online, target = _plugin_checkpoint()
    path = str(tmp_path / 'epoch_2.pth')
    torch.save(ckpt, path)
    for name, ref in (('online', online), ('target', target)):
        state, depth = load_backbone_state_dict(path, name)
        assert depth == 18 and list(state) == list(ref)
        for key in ref:
            torch.testing.assert_close(state[key], ref[key], rtol=0, atol=0)
    model = build_backbone(path, 'target')
    assert not model.training
    torch.testing.assert_close(model.layer4[1].bn2.running_var, target['layer4.1.bn2.running_var'])


def test_mismatches_fail_with_key_lists():
    ckpt, _, _ = _plugin_checkpoint()
    state = dict(ckpt['state_dict'])
    del state['backbone.layer2.1.conv1.weight']
    state['backbone.fc.weight'] = torch.zeros(2, 512)
    with pytest.raises(CheckpointMismatchError) as err:
        load_backbone_state_dict({'state_dict': state}, 'online')
    assert err.value.missing == ['layer2.1.conv1.weight']
    assert err.value.unexpected == ['fc.weight']
    assert 'layer2.1.conv1.weight' in str(err.value) and 'fc.weight' in str(err.value)
    # the target weights of the same file are complete
    load_backbone_state_dict({'state_dict': state}, 'target')

    with pytest.raises(CheckpointMismatchError,
                       match=r"no 'target' backbone.*prefixes are: backbone\."):
        select_weights({'backbone.conv1.weight': torch.zeros(1)}, 'target')
    with pytest.raises(ValueError, match='weights must be one of'):
        select_weights(state, 'teacher')
    # a ResNet-18 checked as a ResNet-50
    with pytest.raises(CheckpointMismatchError, match='ResNet-50'):
        load_backbone_state_dict(ckpt, 'online', depth=50)


def test_depth_inference_and_bare_backbones():
    r50 = ResNet(depth=50).state_dict()
    assert infer_resnet_depth(r50) == 50
    state, depth = load_backbone_state_dict(r50)  # a bare (exported) backbone
    assert depth == 50 and len(state) == len(r50)
    partial = {k: v for k, v in r50.items() if not k.startswith('layer3.5.')}
    with pytest.raises(CheckpointMismatchError, match='not a ResNet'):
        infer_resnet_depth(partial)


ALGORITHM_CONFIGS = {
    'BYOLParamEMA': 'configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py',
    'BYOL': 'configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py',  # written before BYOLParamEMA
    'ORL': 'configs/orl/orl_resnet18_1xb8-tiny-2e_demo.py',
    'SCRL': 'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py',
    'SlotCon': 'configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py',
}


@pytest.mark.parametrize('algorithm,expected', [('BYOLParamEMA', 'online'), ('BYOL', 'online'),
                                                ('ORL', 'online'),
                                                ('SCRL', 'online'), ('SlotCon', 'target')])
def test_default_weights_are_the_ones_the_paper_transfers(repo_root, tmp_path, algorithm,
                                                          expected):
    from mmengine.config import Config

    from orl_mm.evaluation.checkpoints import checkpoint_algorithm, resolve_weights
    ckpt, online, target = _plugin_checkpoint()
    # the config text mmengine's Runner saves in every checkpoint
    ckpt['meta']['cfg'] = Config.fromfile(f'{repo_root}/{ALGORITHM_CONFIGS[algorithm]}').pretty_text
    if algorithm == 'BYOL':  # a stage-1 checkpoint of mmpretrain's BYOL class
        ckpt['meta']['cfg'] = ckpt['meta']['cfg'].replace("type='BYOLParamEMA'", "type='BYOL'")
    path = str(tmp_path / 'epoch_2.pth')
    torch.save(ckpt, path)
    assert checkpoint_algorithm(path) == algorithm
    weights, why = resolve_weights(path)
    assert weights == expected and algorithm in why
    assert ('teacher' in why) == (expected == 'target')
    state, _ = load_backbone_state_dict(path, 'auto')
    ref = target if expected == 'target' else online
    for key in ref:
        torch.testing.assert_close(state[key], ref[key], rtol=0, atol=0)
    # asking by name still wins over the default
    assert resolve_weights(path, 'online')[0] == 'online'


def test_algorithm_from_keys_without_a_config():
    from orl_mm.evaluation.checkpoints import checkpoint_algorithm, resolve_weights
    ckpt, _, _ = _plugin_checkpoint()
    assert checkpoint_algorithm(ckpt) is None
    weights, why = resolve_weights(ckpt)
    assert weights == 'online' and 'unknown' in why
    ckpt['state_dict']['grouping.prototypes.weight'] = torch.zeros(4, 4)
    assert checkpoint_algorithm(ckpt) == 'SlotCon' and resolve_weights(ckpt)[0] == 'target'
    with pytest.raises(ValueError, match='weights must be one of'):
        resolve_weights(ckpt, 'teacher')
