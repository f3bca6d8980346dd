"""model-index.yml and the metafiles: every algorithm config listed once, every entry real."""
import glob
import os.path as osp
import re
from numbers import Number

import pytest
from mmengine.config import Config

from orl_mm.structures.method import method_of_algorithm, registered_methods

#: The config folders of the methods that train (from their records: orl/ holds BYOL's too).
ALGORITHM_DIRS = sorted({osp.dirname(m.tiny_config) for m in registered_methods() if m.trains})
#: Where the transfer configs (the models named in `Downstream`) live.
TRANSFER_DIR = 'configs/transfer/'


def _pretraining(models):
    return [m for m in models if not m.config.startswith(TRANSFER_DIR)]


@pytest.fixture(scope='module')
def model_index(repo_root):
    from modelindex.load_model_index import load
    index = load(osp.join(repo_root, 'model-index.yml'))
    index.build_models_with_collections()
    return index


def test_every_algorithm_config_is_in_the_index(repo_root, model_index):
    listed = [m.config for m in _pretraining(model_index.models)]
    assert len(listed) == len(set(listed))
    on_disk = sorted(osp.relpath(p, repo_root) for d in ALGORITHM_DIRS
                     for p in glob.glob(osp.join(repo_root, 'configs', d, '*.py')))
    assert sorted(listed) == on_disk
    assert ALGORITHM_DIRS == ['densecl', 'orl', 'scrl', 'slotcon']
    assert {m.in_collection for m in model_index.models} == {
        'ORL-Stage1-BYOL', 'ORL', 'SCRL', 'SlotCon', 'DenseCL'}


def test_entries_match_their_configs(repo_root, model_index):
    for model in _pretraining(model_index.models):
        assert model.name == osp.splitext(osp.basename(model.config))[0]
        cfg = Config.fromfile(osp.join(repo_root, model.config))
        assert model.metadata.epochs == cfg.train_cfg.max_epochs, model.name
        algorithm = model.in_collection.replace('ORL-Stage1-', '')
        # the collection names the method; stage-1 BYOL's model type is BYOLParamEMA
        assert method_of_algorithm(cfg.model.type).label == algorithm, model.name


def test_batch_sizes_and_weights(repo_root, model_index):
    """Every model (pre-training and transfer): the `<gpus>xb<per gpu>` of its name is its
    config's per-GPU batch, and `Batch Size` is the total; no trained weights are published."""
    for model in model_index.models:
        assert model.weights is None, model.name
        gpus, per_gpu = map(int, re.search(r'_(\d+)xb(\d+)', model.name).groups())
        cfg = Config.fromfile(osp.join(repo_root, model.config))
        assert cfg.train_dataloader.batch_size == per_gpu, model.name
        if model.metadata.batch_size is not None:
            assert model.metadata.batch_size == gpus * per_gpu, model.name


def test_metrics_are_numbers_and_reported_results_name_their_source(model_index):
    for model in model_index.models:
        for result in model.results or []:
            assert result.metrics, model.name
            for key, value in result.metrics.items():
                assert isinstance(value, Number) and not isinstance(value, bool), (
                    model.name, key, value)
        if model.results:  # the authors' numbers: where from, and by which protocol
            reported = model.data.get('Reported From') or {}
            assert {'Source', 'URL', 'Protocol'} <= set(reported), model.name
            assert all(str(reported[k]).strip() for k in ('Source', 'URL', 'Protocol'))


def test_each_collection_links_its_readme(repo_root, model_index):
    """The README a collection names exists, and names every pre-training config of it."""
    collections = {c.name: c for c in model_index.collections}
    readmes = {}
    for model in model_index.models:
        readme = collections[model.in_collection].readme
        assert readme and readme.startswith('configs/'), model.in_collection
        path = osp.join(repo_root, readme)
        assert osp.isfile(path), readme
        if not model.config.startswith(TRANSFER_DIR):
            text = readmes.setdefault(readme, open(path).read())
            assert osp.basename(model.config) in text, (readme, model.name)
    assert len(readmes) == len(collections)  # one README per method


def test_downstream_names_transfer_models_of_the_same_collection(repo_root, model_index):
    by_name = {m.name: m for m in model_index.models}
    named = set()
    for model in _pretraining(model_index.models):
        for downstream in model.data.get('Downstream') or []:
            assert downstream in by_name, (model.name, downstream)
            target = by_name[downstream]
            assert target.config.startswith(TRANSFER_DIR), downstream
            assert osp.isfile(osp.join(repo_root, target.config)), target.config
            assert target.in_collection == model.in_collection, downstream
            named.add(downstream)
    transfer = {m.name for m in model_index.models if m.config.startswith(TRANSFER_DIR)}
    assert transfer == named  # no transfer model that no pre-training model leads to
    # every method's paper pre-training links a transfer config
    assert {by_name[n].in_collection for n in named} == {
        m.in_collection for m in model_index.models}


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
