"""The pipeline's plan (orl_mm.pipeline.plan/methods): which stages, with which settings."""
import argparse
import os.path as osp

import pytest
from mmengine.config import Config

from orl_mm.pipeline import PipelineOptions, build_plan, fingerprint, parse_methods
from orl_mm.pipeline.methods import epoch_options, trained
from orl_mm.structures.method import registered_methods


def _args(tmp_path, methods, epochs=3, **kw):
    return PipelineOptions(methods=methods, work_dir=str(tmp_path / 'work'), epochs=epochs,
                           fig_size=96, **kw)


def _arg(command, flag):
    return command[command.index(flag) + 1]


def _prints(plan):
    out = {}
    for stage in plan.stages:
        out[stage.name] = fingerprint(stage, out)
    return out


def test_methods_are_validated_and_ordered():
    assert parse_methods(['random', 'densecl', 'slotcon', 'byol']) == [
        'byol', 'slotcon', 'densecl', 'random']
    with pytest.raises(ValueError, match="unknown method.*'moco'"):
        parse_methods(['moco'])
    assert trained(['orl', 'random']) == ['byol', 'orl']  # ORL's stage 1 is BYOL


def test_epoch_options_keep_warmup_and_fill_cosine(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, 'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py'))
    warmup = cfg.param_scheduler[0]['end']
    assert epoch_options(cfg, 7) == {
        'train_cfg.max_epochs': 7, 'param_scheduler.1.begin': warmup,
        'param_scheduler.1.end': 7, 'param_scheduler.1.T_max': 7 - warmup}
    assert epoch_options(cfg, 0) == {}
    with pytest.raises(ValueError, match='must exceed the warm-up'):
        epoch_options(cfg, warmup)
    # ORL's and BYOL's single per-epoch cosine spans all epochs, its warm-up kept
    orl = Config.fromfile(osp.join(repo_root, 'configs/orl/orl_resnet18_1xb8-tiny-2e_demo.py'))
    assert epoch_options(orl, 7) == {'train_cfg.max_epochs': 7, 'param_scheduler.0.end': 7,
                                     'param_scheduler.0.T_max': 7}
    with pytest.raises(ValueError, match='must exceed the warm-up'):
        epoch_options(orl, orl.param_scheduler[0]['warmup_epochs'])


def test_all_methods_same_epochs_same_images_same_eval(tmp_path, demo_root):
    plan = build_plan(_args(tmp_path, ['byol', 'orl', 'scrl', 'slotcon', 'random']), demo_root)
    names = [s.name for s in plan.stages]
    assert names[:5] == ['train_byol', 'stage2', 'train_orl', 'train_scrl', 'train_slotcon']
    assert {r.epochs for r in plan.runs.values()} == {3}
    for run in plan.runs.values():
        assert f'train_dataloader.dataset.data_root={demo_root}' in run.options
        assert run.checkpoint.endswith('epoch_3.pth')
    stage = {s.name: s for s in plan.stages}
    for method in ('byol', 'orl', 'scrl', 'slotcon', 'random'):
        weights = 'target' if method == 'slotcon' else 'online'
        for bench in ('svm', 'knn'):
            cmd = stage[f'eval_{method}_{bench}'].command
            assert cmd[cmd.index('--weights') + 1] == weights
            assert cmd[cmd.index('--data') + 1] == osp.join(
                demo_root, 'annotations/multilabel_train2017.csv')
        if method != 'random':
            cmd = stage[f'export_{method}'].command
            assert cmd[cmd.index('--weights') + 1] == weights
    assert 'export_random' not in stage
    attention = stage['fig_attention'].command
    assert [a for a in attention if a.startswith('SlotCon:')] == [
        f'SlotCon:target={plan.runs["slotcon"].checkpoint}']
    assert set(plan.figures) == {'losses', 'pairs', 'scrl_boxes', 'prototypes', 'attention'}


def test_stage2_only_with_orl(tmp_path, demo_root):
    plan = build_plan(_args(tmp_path, ['scrl', 'slotcon']), demo_root)
    names = [s.name for s in plan.stages]
    assert 'stage2' not in names and 'train_byol' not in names and 'fig_pairs' not in names


def test_changed_epochs_or_config_change_the_fingerprints(tmp_path, demo_root):
    base = _prints(build_plan(_args(tmp_path, ['byol', 'orl', 'scrl']), demo_root))
    again = _prints(build_plan(_args(tmp_path, ['byol', 'orl', 'scrl']), demo_root))
    assert base == again
    longer = _prints(build_plan(_args(tmp_path, ['byol', 'orl', 'scrl'], epochs=4), demo_root))
    rerun = ('train_byol', 'stage2', 'train_orl', 'train_scrl', 'eval_orl_svm', 'fig_attention')
    assert all(longer[n] != base[n] for n in rerun)
    # a changed SCRL config re-runs SCRL and what reads it, nothing of ORL
    cfg = tmp_path / 'scrl_changed.py'
    cfg.write_text("_base_ = '%s'\nmodel = dict(base_momentum=0.05)\n" % osp.join(
        osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
        'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py'))
    changed = _prints(build_plan(_args(tmp_path, ['byol', 'orl', 'scrl'],
                                       configs={'scrl': str(cfg)}), demo_root))
    assert changed['train_scrl'] != base['train_scrl']
    assert changed['eval_scrl_knn'] != base['eval_scrl_knn']
    assert changed['train_orl'] == base['train_orl'] and changed['stage2'] == base['stage2']


def test_every_record_gets_the_same_stages(tmp_path, demo_root):
    """The default method list is every record: each trained one gets training, the
    benchmarks and an export with the weights its record transfers (DenseCL included)."""
    names = [m.name for m in registered_methods()]
    plan = build_plan(_args(tmp_path, names), demo_root)
    stage = {s.name: s for s in plan.stages}
    assert plan.methods == names and 'densecl' in names
    for spec in registered_methods():
        for bench in ('svm', 'knn'):
            assert _arg(stage[f'eval_{spec.name}_{bench}'].command, '--weights') == spec.transfer
        if spec.trains:
            assert plan.runs[spec.name].config == spec.config_path()
            assert _arg(stage[f'export_{spec.name}'].command, '--weights') == spec.transfer
    densecl = stage['train_densecl']
    assert densecl.deps == [] and plan.runs['densecl'].epochs == 3
    assert f'DenseCL:online={plan.runs["densecl"].checkpoint}' in stage['fig_attention'].command
    # the figures: the loss curves, the records' own figures, the attention maps
    assert set(plan.figures) == {'losses', 'attention'} | {
        m.figure.key for m in registered_methods() if m.figure}


def test_random_baseline_takes_the_depth_of_the_trained_configs(tmp_path, demo_root):
    """The paper-scale (ResNet-50) configs give a ResNet-50 random baseline in the
    evaluation and the attention maps (it was ResNet-18 whatever the configs)."""
    configs = {'byol': 'configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py',
               'densecl': 'configs/densecl/densecl_resnet50_8xb32-coslr-800e_coco.py'}
    plan = build_plan(_args(tmp_path, ['byol', 'densecl', 'random'], epochs=0,
                            configs=configs), demo_root)
    stage = {s.name: s for s in plan.stages}
    assert {run.depth for run in plan.runs.values()} == {50}
    for method in ('byol', 'densecl', 'random'):
        assert _arg(stage[f'eval_{method}_svm'].command, '--depth') == '50'
    assert _arg(stage['fig_attention'].command, '--depth') == '50'
    tiny = build_plan(_args(tmp_path, ['densecl', 'random']), demo_root)
    assert _arg(tiny.stages[-1].command, '--depth') == '18'
    # mixed depths need the option, which then wins
    mixed = dict(configs, densecl=plan.runs['densecl'].config.replace(
        'densecl_resnet50_8xb32-coslr-800e_coco', 'densecl_resnet18_1xb8-tiny-2e_demo'))
    with pytest.raises(ValueError, match=r'depths \[18, 50\].*--random-depth'):
        build_plan(_args(tmp_path, ['byol', 'densecl', 'random'], epochs=0, configs=mixed),
                   demo_root)
    chosen = build_plan(_args(tmp_path, ['byol', 'densecl', 'random'], epochs=0,
                              configs=mixed, random_depth=34), demo_root)
    assert _arg(chosen.stages[-1].command, '--depth') == '34'
    with pytest.raises(ValueError, match='no compared method trains'):
        build_plan(_args(tmp_path, ['random']), demo_root)


def test_options_are_typed_and_checked(tmp_path, demo_root):
    with pytest.raises(TypeError, match='PipelineOptions, not Namespace'):
        build_plan(argparse.Namespace(methods=['byol'], work_dir=str(tmp_path)), demo_root)
    with pytest.raises(ValueError, match="configs given for \\['random'\\]"):
        _args(tmp_path, ['byol'], configs={'random': 'x.py'})
    with pytest.raises(ValueError, match="unknown method.*'moco'"):
        _args(tmp_path, ['moco'])
