"""model-index.yml and the metafiles: every algorithm config listed once, every entry real."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from orl_mm.structures.method import method_of_algorithm, registered_methods

#: The config folders of the methods that train (from their records: orl/ holds BYOL's too).
ALGORITHM_DIRS = sorted({osp.dirname(m.tiny_config) for m in registered_methods() if m.trains})


@pytest.fixture(scope='module')
def model_index(repo_root):
    from modelindex.load_model_index import load
    index = load(osp.join(repo_root, 'model-index.yml'))
    index.build_models_with_collections()
    return index


def test_every_algorithm_config_is_in_the_index(repo_root, model_index):
    listed = [m.config for m in model_index.models]
    assert len(listed) == len(set(listed))
    on_disk = sorted(osp.relpath(p, repo_root) for d in ALGORITHM_DIRS
                     for p in glob.glob(osp.join(repo_root, 'configs', d, '*.py')))
    assert sorted(listed) == on_disk
    assert ALGORITHM_DIRS == ['densecl', 'orl', 'scrl', 'slotcon']
    assert {m.in_collection for m in model_index.models} == {
        'ORL-Stage1-BYOL', 'ORL', 'SCRL', 'SlotCon', 'DenseCL'}


def test_entries_match_their_configs(repo_root, model_index):
    for model in model_index.models:
        assert model.name == osp.splitext(osp.basename(model.config))[0]
        assert model.weights is None  # no trained weights are published
        cfg = Config.fromfile(osp.join(repo_root, model.config))
        meta = model.metadata
        assert meta.epochs == cfg.train_cfg.max_epochs, model.name
        algorithm = model.in_collection.replace('ORL-Stage1-', '')
        # the collection names the method; stage-1 BYOL's model type is BYOLParamEMA
        assert method_of_algorithm(cfg.model.type).label == algorithm, model.name
        gpus, per_gpu = model.name.split('_')[2].split('-')[0].split('xb')
        assert cfg.train_dataloader.batch_size == int(per_gpu), model.name
        if meta.batch_size is not None:
            assert meta.batch_size == int(gpus) * int(per_gpu), model.name
        # results, where given, are the authors' reported numbers and say so
        for result in model.results or []:
            assert str(result.metrics['Source']).startswith('reported ('), model.name


def test_every_record_names_indexed_configs_of_its_algorithm(repo_root, model_index):
    """Each method record's tiny and paper configs are listed and build its algorithm (a
    record naming a config that is missing, e.g. DenseCL's before its configs, fails)."""
    listed = {m.config for m in model_index.models}
    for spec in registered_methods():
        if not spec.trains:
            continue
        for config in (spec.tiny_config, *spec.paper_configs):
            assert f'configs/{config}' in listed, (spec.name, config)
            cfg = Config.fromfile(spec.config_path(config))
            assert method_of_algorithm(cfg.model.type) is spec, (spec.name, config)
