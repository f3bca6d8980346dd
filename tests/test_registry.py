"""Importing orl_mm registers its modules in mmpretrain's registries."""
from mmengine.runner import CheckpointLoader
from mmpretrain.registry import DATASETS, OPTIMIZERS


def test_plugin_modules_registered():
    import orl_mm
    assert DATASETS.get('SceneImageDataset') is orl_mm.datasets.SceneImageDataset
    # configs name it by type (SlotCon/SCRL schedules); mmpretrain's own LARS is untouched
    assert OPTIMIZERS.get('LARSSGD') is orl_mm.engine.optimizers.LARSSGD
    assert OPTIMIZERS.get('LARS').__module__ == 'mmpretrain.engine.optimizers.lars'


def test_custom_imports_registers_through_config(repo_root):
    from mmengine.config import Config
    cfg = Config.fromfile(f'{repo_root}/configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py')
    assert cfg.custom_imports == dict(imports=['orl_mm'], allow_failed_imports=False)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.train_dataloader.dataset.type == 'SceneImageDataset'


def test_local_checkpoint_scheme_is_ours():
    import orl_mm
    assert CheckpointLoader._get_checkpoint_loader('/x/epoch_1.pth') is \
        orl_mm.compat.load_from_local_safe
