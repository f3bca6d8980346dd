"""The pipeline on many processes (orl_mm.pipeline.launch): training and stage 2 through
the launch scripts, the same fingerprints whatever the launcher."""
import os
import os.path as osp
import socket
import sys

import pytest
import torch

from orl_mm.pipeline import LaunchOptions, PipelineOptions, build_plan, fingerprint, run_stages
from orl_mm.pipeline.methods import package_root
from orl_mm.structures.method import registered_methods
from orl_mm.testing.cli import load_tool

SLURM_DISCOVER = osp.join(package_root(), 'tools/stage2/slurm_discover.sh')


def _options(tmp_path, methods, launch=None, epochs=3, **kw):
    return PipelineOptions(methods=methods, work_dir=str(tmp_path / 'work'), epochs=epochs,
                           fig_size=96, launch=launch or LaunchOptions(), **kw)


def _prints(plan):
    out = {}
    for stage in plan.stages:
        out[stage.name] = fingerprint(stage, out)
    return out


def _tool(name):
    return osp.join(package_root(), name)


def test_fingerprints_do_not_depend_on_the_launcher(tmp_path, demo_root):
    """Every stage of every record: one process, torchrun with 2, slurm with 16 (a run
    started on one GPU is finished on many, and the other way round)."""
    names = [m.name for m in registered_methods()]
    one = build_plan(_options(tmp_path, names), demo_root)
    two = build_plan(_options(tmp_path, names, LaunchOptions('pytorch', gpus=2)), demo_root)
    assert [s.name for s in two.stages] == [s.name for s in one.stages]
    assert 'stage2' in _prints(one) and len(_prints(one)) == len(one.stages)
    assert _prints(two) == _prints(one)
    launched = {s.name for s in two.stages if s.command != next(
        o for o in one.stages if o.name == s.name).command}
    assert launched == {f'train_{m}' for m in one.runs} | {'stage2'}  # the rest: one process
    assert all(s.in_process for s in two.stages if s.name not in launched)
    if osp.isfile(SLURM_DISCOVER):
        methods = names
    else:  # tools/stage2/slurm_discover.sh not on this branch yet: no stage 2
        methods = [m.name for m in registered_methods() if m.name != 'orl']
        one = build_plan(_options(tmp_path, methods), demo_root)
    slurm = build_plan(_options(tmp_path, methods, LaunchOptions(
        'slurm', gpus=16, partition='gpu')), demo_root)
    assert _prints(slurm) == _prints(one)
    # and a changed setting still changes them under a launcher
    longer = build_plan(_options(tmp_path, ['byol'], LaunchOptions('pytorch', gpus=2),
                                 epochs=4), demo_root)
    assert _prints(longer)['train_byol'] != _prints(two)['train_byol']


def test_training_and_stage2_go_through_the_launch_scripts(tmp_path, demo_root):
    one = build_plan(_options(tmp_path, ['orl']), demo_root)
    two = build_plan(_options(tmp_path, ['orl'], LaunchOptions('pytorch', gpus=2)), demo_root)
    stage1, stage = ({s.name: s for s in p.stages} for p in (one, two))
    train, plain = stage['train_byol'].command, stage1['train_byol'].command
    # python tools/train.py CONFIG ARGS -> bash tools/dist_train.sh CONFIG 2 ARGS
    assert plain[:2] == [sys.executable, _tool('tools/train.py')]
    assert train == ['bash', _tool('tools/dist_train.sh'), plain[2], '2', *plain[3:]]
    s2, plain = stage['stage2'].command, stage1['stage2'].command
    assert plain[:2] == [sys.executable, _tool('tools/stage2/discover.py')]
    assert s2 == ['bash', _tool('tools/stage2/dist_discover.sh'), *plain[2:4], '2', *plain[4:]]
    # the scripts call `python`: this interpreter
    assert stage['stage2'].env['PYTHON'] == sys.executable
    assert stage['stage2'].env['PATH'].split(os.pathsep)[0] == osp.dirname(sys.executable)
    assert stage1['train_byol'].env == {} and stage1['stage2'].env == {}
    assert two.runs['byol'].processes == 2 and one.runs['byol'].processes == 1


def test_slurm_commands_take_the_scripts_arguments(tmp_path, demo_root):
    launch = LaunchOptions('slurm', gpus=16, partition='gpu', job_name='cmp',
                           cpus_per_task=6, srun_args='--time=72:00:00')
    methods = ['orl'] if osp.isfile(SLURM_DISCOVER) else ['byol']
    plan = build_plan(_options(tmp_path, methods, launch), demo_root)
    one = {s.name: s for s in build_plan(_options(tmp_path, methods), demo_root).stages}
    stage = {s.name: s for s in plan.stages}
    plain = one['train_byol'].command
    work = plan.runs['byol'].work_dir
    at = plain.index('--work-dir')
    assert plain[at + 1] == work
    # GPUS=16 ... bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [args]
    assert stage['train_byol'].command == [
        'bash', _tool('tools/slurm_train.sh'), 'gpu', 'cmp_train_byol', plain[2], work,
        *plain[3:at], *plain[at + 2:]]
    env = stage['train_byol'].env
    assert (env['GPUS'], env['GPUS_PER_NODE'], env['CPUS_PER_TASK'], env['SRUN_ARGS']) == (
        '16', '8', '6', '--time=72:00:00')
    if 'stage2' in stage:  # bash tools/stage2/slurm_discover.sh PART JOB CONFIG CKPT WORK_DIR
        plain = one['stage2'].command
        at = plain.index('--work-dir')
        assert stage['stage2'].command == [
            'bash', SLURM_DISCOVER, 'gpu', 'cmp_stage2', *plain[2:4], plan.stage2_dir,
            *plain[4:at], *plain[at + 2:]]


def test_launch_options_are_checked():
    with pytest.raises(ValueError, match='--gpus 2 needs --launcher pytorch'):
        LaunchOptions(gpus=2)
    with pytest.raises(ValueError, match='--launcher slurm needs --partition'):
        LaunchOptions('slurm', gpus=8)
    with pytest.raises(ValueError, match="unknown launcher 'mpi'"):
        LaunchOptions('mpi')
    with pytest.raises(ValueError, match='at least 1, got 0'):
        LaunchOptions('pytorch', gpus=0)
    assert LaunchOptions('slurm', gpus=2, partition='p').gpus_per_node == 2
    assert LaunchOptions('slurm', gpus=32, partition='p').gpus_per_node == 8
    with pytest.raises(TypeError, match='launch takes LaunchOptions, not str'):
        PipelineOptions(methods=['byol'], launch='pytorch')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_two_gloo_processes_then_finished_on_one(tmp_path, demo_root, monkeypatch):
    """BYOL (ORL's stage 1) and stage 2 under torchrun with 2 CPU processes on the demo
    set; the same stages planned for one process are then complete (skipped)."""
    monkeypatch.setenv('PORT', str(_free_port()))  # dist_train.sh / dist_discover.sh
    launch = LaunchOptions('pytorch', gpus=2)
    plan = build_plan(_options(tmp_path, ['orl'], launch, epochs=2), demo_root)
    stages = [s for s in plan.stages if s.name in ('train_byol', 'stage2')]
    logs = str(tmp_path / 'work' / 'logs')
    summary = run_stages(stages, logs)
    assert [summary[s.name]['status'] for s in stages] == ['ran', 'ran']
    train_log = open(osp.join(logs, 'train_byol.log')).read()
    assert 'dist_train.sh' in train_log and "'backend': 'gloo'" in train_log, train_log[-3000:]
    # 16 images, 2 processes of batch 8: one iteration an epoch
    ckpt = torch.load(plan.runs['byol'].checkpoint, map_location='cpu', weights_only=False)
    assert ckpt['meta']['epoch'] == 2 and ckpt['meta']['iter'] == 2
    knn = osp.join(plan.stage2_dir, 'knn')  # each rank embedded its share
    assert sorted(f for f in os.listdir(knn) if f.endswith('.npy')) == [
        'embeddings_rank0of2.npy', 'embeddings_rank1of2.npy']
    assert osp.getsize(osp.join(plan.stage2_dir, 'correspondence.json')) > 0

    single = build_plan(_options(tmp_path, ['orl'], epochs=2), demo_root)
    again = [s for s in single.stages if s.name in ('train_byol', 'stage2')]
    summary = run_stages(again, logs)
    assert [summary[s.name]['status'] for s in again] == ['skipped', 'skipped']


def test_command_line_sets_the_launch_options(repo_root):
    cli = load_tool('tools/pipeline.py')
    args = cli.parse_args(['--methods', 'byol', '--launcher', 'slurm', '--gpus', '16',
                           '--partition', 'gpu', '--gpus-per-node', '4',
                           '--cpus-per-task', '6', '--srun-args=--time=72:00:00'])
    assert cli.options_of(args).launch == LaunchOptions(
        'slurm', gpus=16, partition='gpu', gpus_per_node=4, cpus_per_task=6,
        srun_args='--time=72:00:00')
    assert cli.options_of(cli.parse_args(['--methods', 'byol'])).launch == LaunchOptions()
    assert cli.main(['--methods', 'byol', '--gpus', '2']) == 2  # before any work
