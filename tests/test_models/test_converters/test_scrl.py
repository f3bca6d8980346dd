"""Import of SCRL's released files (kakaobrain/scrl trainer checkpoints)."""
import copy

import pytest
import torch

from orl_mm.evaluation.checkpoints import checkpoint_method, load_backbone_state_dict
from orl_mm.models.converters import OfficialCheckpointError, import_official

# models/backbone.py Backbone.encoder = Sequential(*torchvision resnet50 children[:-1]):
# 0 conv1, 1 bn1, 2 relu, 3 maxpool, 4-7 layer1-4, 8 avgpool
ENCODER_STEM = ('encoder.0.', 'encoder.1.')
ENCODER_STAGES = ('encoder.4.', 'encoder.5.', 'encoder.6.', 'encoder.7.')
# models/heads.py TwoLayerLinearHead.net = Sequential(Linear(bias), BatchNorm1d, ReLU,
# Linear(bias=False)); projector 2048 -> 4096 -> 256 (config/scrl_200ep.yaml proj_head)
PROJECTOR = [('projector.net.0.weight', (4096, 2048)), ('projector.net.0.bias', (4096, )),
             ('projector.net.1.weight', (4096, )), ('projector.net.1.bias', (4096, )),
             ('projector.net.1.running_mean', (4096, )),
             ('projector.net.1.running_var', (4096, )),
             ('projector.net.1.num_batches_tracked', ()),
             ('projector.net.3.weight', (256, 4096))]
PREDICTOR = [('net.0.weight', (4096, 256)), ('net.0.bias', (4096, )),
             ('net.1.weight', (4096, )), ('net.1.bias', (4096, )),
             ('net.1.running_mean', (4096, )), ('net.1.running_var', (4096, )),
             ('net.1.num_batches_tracked', ()), ('net.3.weight', (256, 4096))]
# SingleLayerLinearHead (online linear evaluation, 1000 ImageNet classes)
EVALUATOR = [('linear.weight', (1000, 2048)), ('linear.bias', (1000, ))]


def backbone_names(layouts):
    return layouts.resnet50_names(ENCODER_STEM, ENCODER_STAGES) + PROJECTOR


@pytest.fixture(scope='module')
def reference(layouts):
    """trainer/base.py _save_checkpoint: scalars and one <attribute>_state_dict each."""
    return {
        'tag': '200', 'epoch': 200, 'max_eval_score': 68.3, 'max_eval_epoch': 200,
        'online_network_state_dict': layouts.fill(backbone_names(layouts), seed=1),
        'target_network_state_dict': layouts.fill(backbone_names(layouts), seed=2),
        'predictor_state_dict': layouts.fill(PREDICTOR, seed=4),
        'evaluator_state_dict': layouts.fill(EVALUATOR, seed=5),
        'xent_loss_state_dict': {},
        'optimizer_state_dict': {'state': {}, 'param_groups': []},
        'scheduler_state_dict': {'last_epoch': 200},
        'scaler_state_dict': {'scale': 65536.0},
    }


@pytest.fixture(scope='module')
def imported(reference, tmp_path_factory, layouts):
    dst = str(tmp_path_factory.mktemp('scrl') / 'scrl_imported.pth')
    converted = import_official(reference, dst, 'scrl')
    return dst, converted, layouts.load_imported(dst)


def test_trainer_checkpoint_loads_strictly_with_target_and_online_in_place(reference,
                                                                           imported):
    _, converted, (model, checkpoint) = imported
    online, target = reference['online_network_state_dict'], \
        reference['target_network_state_dict']
    assert torch.equal(model.target_net.module[0].conv1.weight, target['encoder.0.weight'])
    assert torch.equal(model.backbone.conv1.weight, online['encoder.0.weight'])
    assert torch.equal(model.backbone.layer1[2].conv3.weight, online['encoder.4.2.conv3.weight'])
    assert torch.equal(model.target_net.module[0].layer4[0].downsample[1].running_var,
                       target['encoder.7.0.downsample.1.running_var'])
    assert torch.equal(model.neck.fc1.weight, online['projector.net.3.weight'])
    assert torch.equal(model.head.predictor.fc1.weight,
                       reference['predictor_state_dict']['net.3.weight'])
    assert converted.absent == []
    assert 'evaluator_state_dict' in converted.dropped
    assert checkpoint_method(imported[0]).name == 'scrl'


@pytest.mark.parametrize('mode', ['train', 'eval'])
def test_folded_projector_bias_gives_the_reference_output(reference, imported, mode):
    """BN(W x + b) of the reference == our BN(W x) with running_mean - b, in both modes."""
    model = imported[2][0]
    src = reference['online_network_state_dict']
    x = torch.randn(8, 2048, generator=torch.Generator().manual_seed(0))
    h = x @ src['projector.net.0.weight'].T + src['projector.net.0.bias']
    bn = torch.nn.BatchNorm1d(4096)
    bn.load_state_dict({k[len('projector.net.1.'):]: v for k, v in src.items()
                        if k.startswith('projector.net.1.')})
    neck = copy.deepcopy(model.neck)  # a train-mode forward moves the running stats
    bn.train(mode == 'train')
    neck.train(mode == 'train')
    expected = torch.relu(bn(h)) @ src['projector.net.3.weight'].T
    with torch.no_grad():
        got = neck([x[:, :, None, None]])[0]
    torch.testing.assert_close(got, expected.detach(), rtol=1e-4, atol=1e-3)
    assert not torch.equal(neck.bn0.running_mean, src['projector.net.1.running_mean'])


def test_corrupted_key_list_is_refused_naming_both_keys(reference, tmp_path):
    online = dict(reference['online_network_state_dict'])
    del online['encoder.6.3.bn1.running_mean']
    online['encoder.8.weight'] = torch.zeros(1)
    dst = tmp_path / 'out.pth'
    with pytest.raises(OfficialCheckpointError) as err:
        import_official(dict(reference, online_network_state_dict=online), str(dst), 'scrl')
    assert 'online_network.encoder.6.3.bn1.running_mean' in str(err.value)
    assert 'online_network.encoder.8.weight' in str(err.value)
    assert not dst.exists() and list(tmp_path.iterdir()) == []


def test_unknown_trainer_entry_is_refused(reference, tmp_path):
    with pytest.raises(OfficialCheckpointError, match='box_head_state_dict'):
        import_official(dict(reference, box_head_state_dict={}), str(tmp_path / 'o.pth'),
                        'scrl')
    assert list(tmp_path.iterdir()) == []


def test_evaluation_only_file_imports_the_online_backbone_and_names_what_it_lacks(
        layouts, tmp_path):
    # --train/enabled=False: Backbone(trainable=False) has no projector; no target network
    encoder = layouts.fill(layouts.resnet50_names(ENCODER_STEM, ENCODER_STAGES), seed=7)
    dst = str(tmp_path / 'scrl_backbone.pth')
    converted = import_official({'tag': 'last', 'epoch': 1000, 'max_eval_score': 0.,
                                 'max_eval_epoch': 0, 'online_network_state_dict': encoder},
                                dst, 'scrl')
    assert converted.present == ['online backbone']
    assert converted.absent == ['online projector', 'target backbone', 'target projector',
                                'predictor']
    state, _ = load_backbone_state_dict(dst, 'auto')
    assert torch.equal(state['layer2.3.conv2.weight'], encoder['encoder.5.3.conv2.weight'])
