"""Import of SlotCon's released files (CVMI-Lab/SlotCon): full checkpoint, backbone only."""
import pytest
import torch

from orl_mm.evaluation.checkpoints import checkpoint_method, load_backbone_state_dict
from orl_mm.models.converters import OfficialCheckpointError, import_official

# models/slotcon.py DINOHead2d(2048, hidden_dim=4096, bottleneck_dim=256): mlp =
# Sequential(Conv2d 1x1, BN2d, GELU, Conv2d 1x1, BN2d, GELU, Conv2d 1x1)
PROJECTOR = [('mlp.0.weight', (4096, 2048, 1, 1)), ('mlp.0.bias', (4096, )),
             ('mlp.1.weight', (4096, )), ('mlp.1.bias', (4096, )),
             ('mlp.1.running_mean', (4096, )), ('mlp.1.running_var', (4096, )),
             ('mlp.1.num_batches_tracked', ()),
             ('mlp.3.weight', (4096, 4096, 1, 1)), ('mlp.3.bias', (4096, )),
             ('mlp.4.weight', (4096, )), ('mlp.4.bias', (4096, )),
             ('mlp.4.running_mean', (4096, )), ('mlp.4.running_var', (4096, )),
             ('mlp.4.num_batches_tracked', ()),
             ('mlp.6.weight', (256, 4096, 1, 1)), ('mlp.6.bias', (256, ))]
# DINOHead(256, hidden_dim=4096, bottleneck_dim=256): the same with Linear and BN1d
PREDICTOR = [('mlp.0.weight', (4096, 256)), ('mlp.0.bias', (4096, )),
             ('mlp.1.weight', (4096, )), ('mlp.1.bias', (4096, )),
             ('mlp.1.running_mean', (4096, )), ('mlp.1.running_var', (4096, )),
             ('mlp.1.num_batches_tracked', ()),
             ('mlp.3.weight', (4096, 4096)), ('mlp.3.bias', (4096, )),
             ('mlp.4.weight', (4096, )), ('mlp.4.bias', (4096, )),
             ('mlp.4.running_mean', (4096, )), ('mlp.4.running_var', (4096, )),
             ('mlp.4.num_batches_tracked', ()),
             ('mlp.6.weight', (256, 4096)), ('mlp.6.bias', (256, ))]


def slotcon_names(layouts, num_prototypes=256):
    """SlotCon.state_dict() inside DistributedDataParallel (every key under module.)."""
    resnet = layouts.resnet50_names()
    names = (layouts.prefixed('encoder_q.', resnet) + layouts.prefixed('encoder_k.', resnet)
             + layouts.prefixed('projector_q.', PROJECTOR)
             + layouts.prefixed('projector_k.', PROJECTOR)
             + [('center', (1, num_prototypes)),
                ('grouping_q.slot_embed.weight', (num_prototypes, 256)),
                ('grouping_k.slot_embed.weight', (num_prototypes, 256))]
             + layouts.prefixed('predictor_slot.', PREDICTOR))
    return layouts.prefixed('module.', names)


def full_checkpoint(layouts, num_prototypes=256):
    """main_pretrain.py save_checkpoint (fp16: with the scaler)."""
    return {'args': {'arch': 'resnet50', 'num_prototypes': num_prototypes},
            'model': layouts.fill(slotcon_names(layouts, num_prototypes), seed=11),
            'optimizer': {'state': {}, 'param_groups': []}, 'scheduler': {}, 'epoch': 800,
            'scaler': {'scale': 1024.}}


@pytest.fixture(scope='module')
def reference(layouts):
    return full_checkpoint(layouts)


@pytest.fixture(scope='module')
def imported(reference, tmp_path_factory, layouts):
    dst = str(tmp_path_factory.mktemp('slotcon') / 'slotcon_imported.pth')
    converted = import_official(reference, dst, 'slotcon')
    return dst, converted, layouts.load_imported(dst)


def test_full_checkpoint_loads_strictly_with_teacher_and_student_in_place(reference,
                                                                          imported):
    _, converted, (model, _) = imported
    src = reference['model']
    teacher_backbone, teacher_neck, teacher_grouping = model.target_net.module
    assert torch.equal(teacher_backbone.conv1.weight, src['module.encoder_k.conv1.weight'])
    assert torch.equal(model.backbone.conv1.weight, src['module.encoder_q.conv1.weight'])
    assert torch.equal(teacher_neck.mlp.fc2.weight, src['module.projector_k.mlp.6.weight'])
    assert torch.equal(model.neck.mlp.bn1.running_var,
                       src['module.projector_q.mlp.4.running_var'])
    assert torch.equal(teacher_grouping.prototypes.weight,
                       src['module.grouping_k.slot_embed.weight'])
    assert torch.equal(model.grouping.prototypes.weight,
                       src['module.grouping_q.slot_embed.weight'])
    assert torch.equal(model.predictor.mlp.fc1.bias, src['module.predictor_slot.mlp.3.bias'])
    assert torch.equal(model.grouping_loss.center, src['module.center'])
    assert converted.absent == []


def test_tools_take_the_teacher_slotcon_transfers(reference, imported):
    dst = imported[0]
    assert checkpoint_method(dst).name == 'slotcon'
    state, _ = load_backbone_state_dict(dst, 'auto')
    assert torch.equal(state['layer3.4.conv2.weight'],
                       reference['model']['module.encoder_k.layer3.4.conv2.weight'])


def test_corrupted_key_list_is_refused_naming_both_keys(reference, tmp_path):
    model = dict(reference['model'])
    del model['module.grouping_k.slot_embed.weight']
    model['module.projector_k.mlp.7.weight'] = torch.zeros(1)
    dst = tmp_path / 'out.pth'
    with pytest.raises(OfficialCheckpointError) as err:
        import_official(dict(reference, model=model), str(dst), 'slotcon')
    assert 'grouping_k.slot_embed.weight' in str(err.value)
    assert 'projector_k.mlp.7.weight' in str(err.value)
    assert not dst.exists() and list(tmp_path.iterdir()) == []


def test_imagenet_prototype_count_is_read_from_the_file(layouts, tmp_path):
    """The ImageNet scripts train 2048 prototypes; the COCO config has 256."""
    dst = str(tmp_path / 'in1k.pth')
    converted = import_official(full_checkpoint(layouts, 2048), dst, 'slotcon')
    assert any('2048' in note for note in converted.notes)
    model, _ = layouts.load_imported(dst)
    assert model.grouping.prototypes.weight.shape == (2048, 256)
    assert model.grouping_loss.center.shape == (1, 2048)


def test_backbone_only_file_is_the_teacher(layouts, tmp_path):
    # transfer/segmentation/convert_pretrain_to_mm.py: module.encoder_k.* stripped
    backbone = layouts.fill(layouts.resnet50_names(), seed=13)
    dst = str(tmp_path / 'slotcon_backbone.pth')
    converted = import_official({'state_dict': backbone}, dst, 'slotcon')
    assert converted.present == ['target backbone']
    assert 'student backbone' in converted.absent and 'slot predictor' in converted.absent
    state, _ = load_backbone_state_dict(dst, 'auto')
    assert torch.equal(state['conv1.weight'], backbone['conv1.weight'])
