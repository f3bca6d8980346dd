"""Import of ORL's released files (Jiahao000/ORL): training checkpoint and backbone-only."""
import os.path as osp

import pytest
import torch

from orl_mm.evaluation.checkpoints import (CheckpointMismatchError, checkpoint_method,
                                           load_backbone_state_dict)
from orl_mm.models.converters import OfficialCheckpointError, import_official

# openselfsup/models/necks.py NonLinearNeckSimCLR(2048, 4096, 256, num_layers=2,
# with_bias=False, with_last_bn=False) and the predictor's (256, 4096, 256): fc0 keeps its
# bias (fc0_bias=True), fc1 has none, no bn1
NECK = [('fc0.weight', (4096, 2048)), ('fc0.bias', (4096, )), ('bn0.weight', (4096, )),
        ('bn0.bias', (4096, )), ('bn0.running_mean', (4096, )),
        ('bn0.running_var', (4096, )), ('bn0.num_batches_tracked', ()),
        ('fc1.weight', (256, 4096))]
PREDICTOR = [('predictor.fc0.weight', (4096, 256)), ('predictor.fc0.bias', (4096, )),
             ('predictor.bn0.weight', (4096, )), ('predictor.bn0.bias', (4096, )),
             ('predictor.bn0.running_mean', (4096, )), ('predictor.bn0.running_var', (4096, )),
             ('predictor.bn0.num_batches_tracked', ()), ('predictor.fc1.weight', (256, 4096))]


def orl_names(layouts):
    """openselfsup/models/orl.py ORL.state_dict(): online_net, target_net, three heads,
    and the second registration of the online modules (self.backbone, self.neck)."""
    resnet = layouts.resnet50_names()
    return (layouts.prefixed('online_net.0.', resnet) + layouts.prefixed('online_net.1.', NECK)
            + layouts.prefixed('target_net.0.', resnet)
            + layouts.prefixed('target_net.1.', NECK)
            + layouts.prefixed('global_head.', PREDICTOR)
            + layouts.prefixed('local_intra_head.', PREDICTOR)
            + layouts.prefixed('local_inter_head.', PREDICTOR))


def with_aliases(state):
    state = dict(state)
    for key in list(state):
        for alias, src in (('backbone.', 'online_net.0.'), ('neck.', 'online_net.1.')):
            if key.startswith(src):
                state[alias + key[len(src):]] = state[key]  # the same tensor, as saved
    return state


@pytest.fixture(scope='module')
def reference(layouts):
    state = with_aliases(layouts.fill(orl_names(layouts)))
    return {'meta': {'epoch': 800, 'iter': 184800}, 'state_dict': state,
            'optimizer': {'state': {}, 'param_groups': []}}


@pytest.fixture(scope='module')
def imported(reference, tmp_path_factory, layouts):
    dst = str(tmp_path_factory.mktemp('orl') / 'orl_imported.pth')
    converted = import_official(reference, dst, 'orl')
    return dst, converted, layouts.load_imported(dst)


def test_full_checkpoint_loads_strictly_with_teacher_and_student_in_place(reference,
                                                                          imported):
    _, converted, (model, checkpoint) = imported
    src = reference['state_dict']
    assert torch.equal(model.target_net.module[0].conv1.weight, src['target_net.0.conv1.weight'])
    assert torch.equal(model.backbone.conv1.weight, src['online_net.0.conv1.weight'])
    assert not torch.equal(src['target_net.0.conv1.weight'], src['online_net.0.conv1.weight'])
    assert torch.equal(model.target_net.module[1].fc0.bias, src['target_net.1.fc0.bias'])
    assert torch.equal(model.inter_head.predictor.fc1.weight,
                       src['local_inter_head.predictor.fc1.weight'])
    assert torch.equal(model.intra_head.predictor.bn0.running_mean,
                       src['local_intra_head.predictor.bn0.running_mean'])
    assert torch.equal(model.head.predictor.fc0.weight, src['global_head.predictor.fc0.weight'])
    # the next EMA update averages, it does not copy the student over the teacher
    assert int(model.target_net.steps) == 1
    assert converted.absent == []
    assert checkpoint['meta']['imported']['lacks'] == []
    assert sorted(converted.dropped) == ['meta', 'optimizer']


def test_tools_take_the_online_backbone_orl_transfers(reference, imported):
    dst = imported[0]
    assert checkpoint_method(dst).name == 'orl'
    state, depth = load_backbone_state_dict(dst, 'auto')
    assert depth == 50
    assert torch.equal(state['layer4.2.bn3.running_var'],
                       reference['state_dict']['online_net.0.layer4.2.bn3.running_var'])
    target, _ = load_backbone_state_dict(dst, 'target')
    assert torch.equal(target['conv1.weight'],
                       reference['state_dict']['target_net.0.conv1.weight'])


def test_corrupted_key_list_is_refused_naming_both_keys(reference, tmp_path):
    state = dict(reference['state_dict'])
    del state['target_net.1.fc1.weight']
    state['local_inter_head.predictor.fc2.weight'] = torch.zeros(256, 256)
    dst = str(tmp_path / 'out.pth')
    with pytest.raises(OfficialCheckpointError) as err:
        import_official(dict(reference, state_dict=state), dst, 'orl')
    assert 'target_net.1.fc1.weight' in str(err.value)
    assert 'local_inter_head.predictor.fc2.weight' in str(err.value)
    assert err.value.missing == ['target_net.1.fc1.weight']
    assert err.value.unknown == ['local_inter_head.predictor.fc2.weight']
    assert not osp.exists(dst) and list(tmp_path.iterdir()) == []


def test_a_second_copy_that_differs_from_online_net_is_refused(reference, tmp_path):
    state = dict(reference['state_dict'])
    state['neck.fc0.bias'] = state['neck.fc0.bias'] + 1
    with pytest.raises(OfficialCheckpointError, match='neck.fc0.bias'):
        import_official(dict(reference, state_dict=state), str(tmp_path / 'o.pth'), 'orl')
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_shape_is_refused(reference, tmp_path):
    state = dict(reference['state_dict'])
    state['global_head.predictor.fc1.weight'] = torch.zeros(128, 4096)
    with pytest.raises(OfficialCheckpointError, match=r'global_head.predictor.fc1.weight '
                       r'\(128, 4096\) \(ours head.predictor.fc1.weight: \(256, 4096\)\)'):
        import_official(dict(reference, state_dict=state), str(tmp_path / 'o.pth'), 'orl')


def test_backbone_only_file_imports_as_the_online_backbone_and_says_what_it_lacks(
        layouts, tmp_path):
    # tools/extract_backbone_weights.py: backbone.* with the prefix stripped
    backbone = layouts.fill(layouts.resnet50_names(), seed=3)
    dst = str(tmp_path / 'orl_backbone.pth')
    converted = import_official({'state_dict': backbone, 'author': 'OpenSelfSup'}, dst, 'orl')
    assert converted.present == ['online backbone']
    lacks = set(converted.absent)
    assert {'online projector', 'target backbone', 'target projector', 'global predictor',
            'intra-RoI predictor', 'inter-RoI predictor'} <= lacks
    assert checkpoint_method(dst).name == 'orl'
    state, _ = load_backbone_state_dict(dst, 'auto')
    assert torch.equal(state['conv1.weight'], backbone['conv1.weight'])
    with pytest.raises(CheckpointMismatchError, match='target'):
        load_backbone_state_dict(dst, 'target')


def test_backbone_only_file_with_a_missing_key_is_refused(layouts, tmp_path):
    backbone = layouts.fill(layouts.resnet50_names(), seed=3)
    del backbone['layer3.5.bn2.bias']
    with pytest.raises(OfficialCheckpointError, match=r'1 missing keys: layer3\.5\.bn2\.bias'):
        import_official({'state_dict': backbone, 'author': 'OpenSelfSup'},
                        str(tmp_path / 'o.pth'), 'orl')
    assert list(tmp_path.iterdir()) == []
