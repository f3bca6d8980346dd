"""OrlPretrained: the transfer initialiser takes the weights the method's paper transfers."""
import pytest
import torch
from mmengine.config import Config
from mmengine.model import initialize
from mmpretrain.models import ResNet

from orl_mm.evaluation.checkpoints import CheckpointMismatchError
from orl_mm.evaluation.pretrained_init import OrlPretrained


def _resnets(depth=18, seed=0):
    torch.manual_seed(seed)
    online, target = ResNet(depth=depth), ResNet(depth=depth)
    for net in (online, target):
        net.init_weights()
        for m in net.modules():  # BN statistics that differ between the two
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_()
                m.running_var.uniform_(0.5, 2)
    return online.state_dict(), target.state_dict()


def _checkpoint(path, online, target, extra, cfg_text=None):
    state = {f'backbone.{k}': v for k, v in online.items()}
    state.update({f'target_net.module.0.{k}': v for k, v in target.items()})
    state.update(extra)
    meta = {'epoch': 2}
    if cfg_text:
        meta['cfg'] = cfg_text
    torch.save({'meta': meta, 'state_dict': state}, path)
    return str(path)


def _assert_holds(module_state, ref):
    assert set(module_state) == set(ref)
    for key, value in ref.items():
        torch.testing.assert_close(module_state[key], value, rtol=0, atol=0)


def _messages(logged):
    return ' '.join(logged)


@pytest.fixture
def caplog_current(monkeypatch):
    """What OrlPretrained logs (through mmengine's print_log)."""
    logged = []
    monkeypatch.setattr('orl_mm.evaluation.pretrained_init.print_log',
                        lambda msg, **kwargs: logged.append(msg))
    return logged


def test_slotcon_checkpoint_gives_the_teacher(tmp_path, caplog_current):
    """SlotCon's paper transfers the teacher (its record), recognised here by its keys."""
    online, target = _resnets()
    path = _checkpoint(tmp_path / 'slotcon.pth', online, target,
                       {'grouping.prototypes.weight': torch.zeros(4, 4)})
    from mmdet.models.backbones import ResNet as DetResNet
    net = DetResNet(depth=18, init_cfg=dict(type='OrlPretrained', checkpoint=path))
    net.init_weights()
    _assert_holds(net.state_dict(), target)
    log = _messages(caplog_current)
    assert 'OrlPretrained: ResNet <- ' in log and 'target weights: the teacher' in log
    assert 'SlotCon' in log and f'{len(target)} tensors loaded' in log


def test_orl_checkpoint_gives_the_online_backbone(repo_root, tmp_path, caplog_current):
    """ORL's paper transfers the online network; the algorithm is read from the saved config."""
    online, target = _resnets()
    cfg = Config.fromfile(f'{repo_root}/configs/orl/orl_resnet18_1xb8-tiny-2e_demo.py')
    path = _checkpoint(tmp_path / 'orl.pth', online, target, {}, cfg.pretty_text)
    net = ResNet(depth=18)
    initialize(net, dict(type='OrlPretrained', checkpoint=path, weights='auto'))
    _assert_holds(net.state_dict(), online)
    assert 'online weights: the online network, which ORL transfers' in _messages(caplog_current)
    # asked by name, the same file gives the target
    OrlPretrained(path, weights='target')(net)
    _assert_holds(net.state_dict(), target)


def test_exported_bare_backbone(tmp_path, caplog_current):
    online, _ = _resnets()
    path = str(tmp_path / 'r18.pth')
    torch.save(dict(online), path)
    net = ResNet(depth=18)
    OrlPretrained(path)(net)
    _assert_holds(net.state_dict(), online)
    assert 'a bare backbone (no prefix), taken as it is' in _messages(caplog_current)
    with pytest.raises(CheckpointMismatchError, match="no 'target' backbone"):
        OrlPretrained(path, weights='target')(net)


def test_c4_split_and_extra_norm(tmp_path):
    """A C4 backbone takes conv1-res4 and the res5 head layer4; the head's extra norm (not a
    ResNet part) keeps its init. A module missing from the checkpoint fails with the keys."""
    from mmdet.models.backbones import ResNet as DetResNet
    from mmpretrain.models.utils.res_layer_extra_norm import ResLayerExtraNorm
    online, target = _resnets()
    path = _checkpoint(tmp_path / 'orl.pth', online, target, {'intra_head.x': torch.zeros(1)})
    c4 = DetResNet(depth=18, num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1),
                   out_indices=(2, ), style='pytorch')
    head = ResLayerExtraNorm(depth=18, stage=3, style='pytorch')
    torch.nn.init.constant_(head.norm.weight, 1.)
    torch.nn.init.constant_(head.norm.bias, 0.)
    OrlPretrained(path)(c4)
    OrlPretrained(path)(head)
    both = {**c4.state_dict(), **{k: v for k, v in head.state_dict().items()
                                  if not k.startswith('norm.')}}
    _assert_holds(both, online)
    assert torch.equal(head.norm.weight, torch.ones(512))

    r50 = DetResNet(depth=50)  # a ResNet-18 checkpoint into a ResNet-50
    with pytest.raises(CheckpointMismatchError, match=r'missing keys \[.*layer1\.0\.conv3'):
        OrlPretrained(path)(r50)


def test_bad_arguments_are_said_in_words():
    with pytest.raises(ValueError, match='takes no prefix'):
        OrlPretrained('x.pth', prefix='backbone.')
    with pytest.raises(ValueError, match='weights must be one of'):
        OrlPretrained('x.pth', weights='teacher')
    with pytest.raises(ValueError, match='needs a checkpoint'):
        OrlPretrained('')
