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


@pytest.fixture
def mim(tmp_path):
    """A stand-in ``mim`` on PATH; returns a runner giving (exit code, recorded argv)."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / 'mim').write_text(RECORDER)
    os.chmod(bin_dir / 'mim', 0o755)
    ckpt = tmp_path / 'model.pth'
    ckpt.write_bytes(b'')

    def run(repo_root, script, config, gpus, **env):
        record = tmp_path / 'argv'
        full_env = dict(os.environ, PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
                        RECORD_TO=str(record), **env)
        proc = subprocess.run(
            ['bash', osp.join(repo_root, 'tools/transfer/mmdetection', script), config,
             str(ckpt), str(gpus)], env=full_env, capture_output=True, text=True, timeout=60)
        if proc.returncode:
            return proc.returncode, proc.stderr
        with open(f'{record}.mim') as f:
            return 0, f.read().splitlines()[1:]

    return run, str(ckpt)


C4 = 'configs/transfer/mmdetection/mask-rcnn_r50_c4_8xb2-syncbn-ms-90k_coco.py'
FPN = 'configs/transfer/mmdetection/mask-rcnn_r50_fpn_8xb2-syncbn-ms-90k_coco.py'


def test_mmdet_train_reads_the_checkpoint_into_backbone_and_c4_head(repo_root, mim):
    run, ckpt = mim
    code, argv = run(repo_root, 'mim_dist_train.sh', C4, 8, WEIGHTS='target')
    assert code == 0 and argv[:3] == ['train', 'mmdet', C4]
    assert argv[3:6] == ['--launcher', 'pytorch', '-G'] and argv[6] == '8'
    assert {f'model.backbone.init_cfg.checkpoint={ckpt}', 'model.backbone.init_cfg.weights=target',
            f'model.roi_head.shared_head.init_cfg.checkpoint={ckpt}'} <= set(argv)
    assert not any('norm_cfg.type=BN' in a for a in argv)  # SyncBN kept on 8 GPUs


@pytest.mark.parametrize('script', ['mim_dist_train.sh', 'mim_dist_test.sh'])
@pytest.mark.parametrize('config,absent', [(C4, 'model.neck'), (FPN, 'shared_head')])
def test_one_process_turns_the_syncbn_of_that_config_kind_into_bn(repo_root, mim, script,
                                                                  config, absent):
    """A C4 model has no neck and an FPN model no shared head: each gets its own BN options
    (the test launcher gave a C4 config the FPN's before)."""
    run, _ = mim
    code, argv = run(repo_root, script, config, 1)
    assert code == 0 and '--launcher' in argv and argv[argv.index('--launcher') + 1] == 'none'
    bn = [a for a in argv if a.endswith('norm_cfg.type=BN')]
    assert 'model.backbone.norm_cfg.type=BN' in bn and not any(absent in a for a in bn)


def test_mmdet_launchers_refuse_bad_input_in_words(repo_root, mim, tmp_path):
    run, _ = mim
    code, err = run(repo_root, 'mim_dist_train.sh', FPN, 8, WEIGHTS='teacher')
    assert code == 2 and 'WEIGHTS must be auto, online or target' in err
    os.remove(tmp_path / 'model.pth')
    code, err = run(repo_root, 'mim_dist_test.sh', FPN, 8)
    assert code == 1 and 'checkpoint not found' in err
