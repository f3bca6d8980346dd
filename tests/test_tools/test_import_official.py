"""tools/model_converters/import_official.py: a released file in, a checkpoint every tool reads.

The reference layouts are written here as data: a ResNet-50's names and shapes are
torchvision's without ``fc`` (OpenSelfSup's and SlotCon's ResNets name their tensors alike),
ORL's neck and predictors those of ``openselfsup/models/necks.py`` ``NonLinearNeckSimCLR``
with ``fc0`` biased, ``bn0``, unbiased ``fc1`` (the per-method tests in
``tests/test_models/test_converters`` check every layout in full).
"""

import pytest
import torch
import torchvision
from mmdet.models.backbones import ResNet as MMDetResNet

from orl_mm.evaluation.checkpoints import build_backbone, checkpoint_method, resolve_weights
from orl_mm.testing.cli import load_tool


def _tool(name):
    return load_tool(f'tools/model_converters/{name}.py')


def _random(shapes, seed):
    gen = torch.Generator().manual_seed(seed)
    return {k: (torch.randint(0, 100, (), generator=gen) if not s else
                torch.rand(s, generator=gen) + 0.5 if k.endswith('running_var') else
                torch.randn(s, generator=gen)) for k, s in shapes.items()}


def resnet50(seed):
    """A ResNet-50 without ``fc`` in the references' names, random values."""
    shapes = {k: tuple(v.shape) for k, v in torchvision.models.resnet50().state_dict().items()
              if not k.startswith('fc.')}
    return _random(shapes, seed)


def mlp(in_channels, seed):
    """``NonLinearNeckSimCLR(in, 4096, 256, num_layers=2, with_bias=False,
    with_last_bn=False)``: ``fc0`` (with bias), ``bn0``, ``fc1`` (without)."""
    bn = {f'bn0.{n}': (4096, ) for n in ('weight', 'bias', 'running_mean', 'running_var')}
    return _random({'fc0.weight': (4096, in_channels), 'fc0.bias': (4096, ), **bn,
                    'bn0.num_batches_tracked': (), 'fc1.weight': (256, 4096)}, seed)


def _under(prefix, state):
    return {prefix + k: v for k, v in state.items()}


@pytest.fixture(scope='module')
def orl_file(tmp_path_factory):
    """ORL's training checkpoint (mmcv save_checkpoint of openselfsup/models/orl.py)."""
    online, neck = resnet50(1), mlp(2048, 2)
    state = {**_under('online_net.0.', online), **_under('online_net.1.', neck),
             **_under('target_net.0.', resnet50(3)), **_under('target_net.1.', mlp(2048, 4))}
    for seed, head in enumerate(('global_head', 'local_intra_head', 'local_inter_head')):
        state.update(_under(f'{head}.predictor.', mlp(256, 5 + seed)))
    # self.backbone / self.neck: the online modules registered a second time
    state.update({**_under('backbone.', online), **_under('neck.', neck)})
    checkpoint = {'meta': {'epoch': 800}, 'state_dict': state, 'optimizer': {}}
    path = str(tmp_path_factory.mktemp('src') / 'orl_coco_800ep.pth')
    torch.save(checkpoint, path)
    return path, state


@pytest.fixture(scope='module')
def slotcon_backbone_file(tmp_path_factory):
    """SlotCon's backbone-only file (convert_pretrain_to_mm.py: {'state_dict': encoder_k})."""
    state = resnet50(7)
    path = str(tmp_path_factory.mktemp('src') / 'slotcon_backbone.pth')
    torch.save({'state_dict': state}, path)
    return path, state


def test_full_orl_file_is_our_orl_checkpoint(orl_file, tmp_path, capsys):
    from mmengine.config import Config
    from mmpretrain.registry import MODELS
    src, state = orl_file
    dst = str(tmp_path / 'imported' / 'orl.pth')
    assert _tool('import_official').main([src, dst, '--method', 'orl']) == 0
    out = capsys.readouterr().out
    assert 'imported: online backbone, online projector, target backbone' in out
    assert 'lacks:' not in out  # the full model
    assert 'left out (no part of the model): meta, optimizer' in out

    checkpoint = torch.load(dst, weights_only=False)
    assert checkpoint['meta']['imported']['lacks'] == []
    model = MODELS.build(Config.fromstring(checkpoint['meta']['cfg'], '.py').model)
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    # the reference's teacher conv1 is our teacher conv1, its student ours
    assert torch.equal(model.target_net.module[0].conv1.weight, state['target_net.0.conv1.weight'])
    assert torch.equal(model.backbone.conv1.weight, state['online_net.0.conv1.weight'])
    assert torch.equal(model.inter_head.predictor.fc1.weight,
                       state['local_inter_head.predictor.fc1.weight'])

    assert checkpoint_method(dst).name == 'orl'
    assert resolve_weights(dst)[0] == 'online'  # what ORL transfers
    net = build_backbone(dst, 'auto')  # what the SVM / kNN tools extract features with
    assert torch.equal(net.layer4[2].conv3.weight, state['online_net.0.layer4.2.conv3.weight'])
    exported = str(tmp_path / 'r50.pth')
    assert _tool('export_backbone').main([dst, exported, '--weights', 'target']) == 0
    target = torch.load(exported, weights_only=True)
    assert torch.equal(target['layer1.0.bn1.running_var'],
                       state['target_net.0.layer1.0.bn1.running_var'])


def test_backbone_only_file_exports_and_initialises_like_our_own(slotcon_backbone_file,
                                                                 tmp_path, capsys):
    src, state = slotcon_backbone_file
    dst = str(tmp_path / 'slotcon.pth')
    assert _tool('import_official').main([src, dst, '--method', 'slotcon']) == 0
    out = capsys.readouterr().out
    assert 'imported: target backbone (' in out
    assert 'lacks: student backbone, student projector, teacher projector' in out

    exported = str(tmp_path / 'r50.pth')
    assert _tool('export_backbone').main([dst, exported]) == 0  # auto: the teacher
    net = MMDetResNet(depth=50)
    net.load_state_dict(torch.load(exported, weights_only=True), strict=True)
    assert torch.equal(net.layer2[1].conv2.weight, state['layer2.1.conv2.weight'])

    det = MMDetResNet(depth=50, init_cfg=dict(type='OrlPretrained', checkpoint=dst))
    det.init_weights()  # the transfer initialiser of configs/transfer/mmdetection
    assert torch.equal(det.conv1.weight, state['conv1.weight'])


@pytest.mark.parametrize('method', ['orl', 'slotcon'])
def test_corrupted_file_fails_with_the_keys_and_writes_nothing(method, orl_file,
                                                               slotcon_backbone_file,
                                                               tmp_path, capsys):
    _, state = orl_file if method == 'orl' else slotcon_backbone_file
    prefix = 'target_net.0.' if method == 'orl' else ''
    state = dict(state)
    del state[f'{prefix}layer1.0.downsample.1.running_var']
    state[f'{prefix}layer5.0.conv1.weight'] = torch.zeros(1)
    src = str(tmp_path / 'bad.pth')
    torch.save({'state_dict': state}, src)
    dst = tmp_path / 'out' / f'{method}.pth'
    assert _tool('import_official').main([src, str(dst), '--method', method]) == 1
    err = capsys.readouterr().err
    assert f'1 unknown keys (no place in our model): {prefix}layer5.0.conv1.weight' in err
    assert f'1 missing keys: {prefix}layer1.0.downsample.1.running_var' in err
    assert 'Nothing was written' in err
    assert not dst.exists() and not dst.parent.exists()


def test_a_file_of_another_method_is_refused(orl_file, tmp_path, capsys):
    dst = tmp_path / 'o.pth'
    assert _tool('import_official').main([orl_file[0], str(dst), '--method', 'slotcon']) == 1
    assert "unknown top-level entries in a SlotCon backbone-only file: ['meta', 'optimizer']" \
        in capsys.readouterr().err
    assert not dst.exists()


def test_missing_source_and_overwriting_it_are_clear_errors(orl_file, tmp_path, capsys):
    assert _tool('import_official').main([str(tmp_path / 'nope.pth'), str(tmp_path / 'o.pth'),
                                          '--method', 'orl']) == 1
    assert 'checkpoint not found' in capsys.readouterr().err
    assert _tool('import_official').main([orl_file[0], orl_file[0], '--method', 'orl']) == 1
    assert 'would overwrite the reference file' in capsys.readouterr().err
    assert not (tmp_path / 'o.pth').exists()
