"""The shell launchers: each wrapper hands its arguments to the one torchrun / srun launcher
in ``tools/launch/``, which adds ``--launcher``. ``srun`` and the interpreter are replaced by
stand-ins that write down the command line they were given."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from orl_mm.testing.cli import load_tool

RECORDER = ('#!/usr/bin/env bash\n'
            'printf "%s\\n" "$(basename "$0")" "$@" > "$RECORD_TO.$(basename "$0")"\n')


@pytest.fixture
def recorders(tmp_path):
    """A folder with stand-ins for ``srun`` and ``python``; returns a runner."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for name in ('srun', 'python'):
        (bin_dir / name).write_text(RECORDER)
        os.chmod(bin_dir / name, 0o755)

    def run(repo_root, script, *args, **env):
        record = tmp_path / 'argv'
        full_env = dict(os.environ, PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
                        RECORD_TO=str(record), PYTHON=str(bin_dir / 'python'),
                        **{k: str(v) for k, v in env.items()})
        subprocess.run(['bash', osp.join(repo_root, script), *args], check=True,
                       env=full_env, capture_output=True, timeout=60)
        launched = 'srun' if osp.exists(f'{record}.srun') else 'python'
        with open(f'{record}.{launched}') as f:
            return f.read().splitlines()[1:]

    return run


def _script_args(argv, script):
    """The arguments that follow the launched script's path."""
    pos = next(i for i, a in enumerate(argv) if a.endswith(script))
    return argv[pos + 1:]


def test_dist_train_runs_torchrun_with_the_process_count(repo_root, recorders):
    argv = recorders(repo_root, 'tools/dist_train.sh', 'cfg.py', '4', '--work-dir', 'w',
                     '--cfg-options', 'a=1', PORT=29123, NNODES=2, NODE_RANK=1)
    assert argv[:2] == ['-m', 'torch.distributed.run']
    assert {'--nproc_per_node=4', '--master_port=29123', '--nnodes=2', '--node_rank=1'} <= set(
        argv)
    assert _script_args(argv, 'tools/train.py') == [
        'cfg.py', '--work-dir', 'w', '--cfg-options', 'a=1', '--launcher', 'pytorch']


def test_dist_test_passes_the_checkpoint_before_the_extra_args(repo_root, recorders):
    argv = recorders(repo_root, 'tools/dist_test.sh', 'cfg.py', 'model.pth', '2', '--out', 'o')
    assert '--nproc_per_node=2' in argv
    assert _script_args(argv, 'tools/test.py') == [
        'cfg.py', 'model.pth', '--out', 'o', '--launcher', 'pytorch']


def test_slurm_train_asks_srun_for_the_ranks_and_passes_the_work_dir(repo_root, recorders):
    argv = recorders(repo_root, 'tools/slurm_train.sh', 'gpu', 'orl', 'cfg.py', 'work', '--resume',
                     GPUS=16, CPUS_PER_TASK=7, SRUN_ARGS='--qos=high')
    assert argv[:2] == ['-p', 'gpu']
    assert {'--job-name=orl', '--ntasks=16', '--ntasks-per-node=8', '--gres=gpu:8',
            '--cpus-per-task=7', '--qos=high'} <= set(argv)
    assert _script_args(argv, 'tools/train.py') == [
        'cfg.py', '--work-dir=work', '--resume', '--launcher', 'slurm']


def test_slurm_test_on_cpu_nodes_keeps_one_task_per_node(repo_root, recorders):
    argv = recorders(repo_root, 'tools/slurm_test.sh', 'cpu', 'eval', 'cfg.py', 'model.pth',
                     GPUS=2, GPUS_PER_NODE=0)
    assert {'--ntasks=2', '--ntasks-per-node=1', '--gres=gpu:0'} <= set(argv)
    assert _script_args(argv, 'tools/test.py') == [
        'cfg.py', 'model.pth', '--launcher', 'slurm']


@pytest.mark.parametrize('tool,args', [('tools/train.py', ['cfg.py']),
                                       ('tools/test.py', ['cfg.py', 'model.pth'])])
def test_front_doors_take_the_launcher_and_export_the_local_rank(tool, args, monkeypatch):
    """What torchrun / srun add (``--launcher``, the legacy ``--local_rank``) is understood."""
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    monkeypatch.setattr(sys, 'argv', [tool, *args, '--launcher', 'slurm', '--local_rank', '3'])
    parsed = load_tool(tool).parse_args()
    assert parsed.launcher == 'slurm' and os.environ['LOCAL_RANK'] == '3'
