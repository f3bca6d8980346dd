"""The command line: a real SIGKILL then the same command, and 2 ranks under torchrun."""
import filecmp
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

SMALL_ARGS = ['--min-size', '24', '--top-n', '30', '--knn', '3', '--knn-resize', '36',
              '--knn-crop', '32', '--roi-size', '32', '--batch-size', '16', '--workers', '1',
              '--no-progress']
OUTPUTS = ['proposals.json', 'knn.json', 'correspondence.json', 'pair_scores.json']


def _cmd(repo_root, tiny_config, ckpt, data, work):
    return [os.path.join(repo_root, 'tools', 'stage2', 'discover.py'), tiny_config, ckpt,
            '--data-root', data, '--work-dir', work] + SMALL_ARGS


def _env(repo_root):
    env = dict(os.environ, PYTHONPATH=repo_root, OMP_NUM_THREADS='1')
    return env


@pytest.fixture(scope='module')
def cli_reference(repo_root, tiny_config, tiny_checkpoint, small_coco, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('cli_ref'))
    subprocess.run([sys.executable] + _cmd(repo_root, tiny_config, tiny_checkpoint, small_coco,
                                           work), check=True, env=_env(repo_root),
                   capture_output=True)
    return work


@pytest.mark.slow
def test_sigkill_then_resume(repo_root, tiny_config, tiny_checkpoint, small_coco,
                             cli_reference, tmp_path):
    work = str(tmp_path / 'w')
    proc = subprocess.Popen([sys.executable] + _cmd(repo_root, tiny_config, tiny_checkpoint,
                                                    small_coco, work),
                            env=_env(repo_root), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    roi = osp.join(work, 'roi_feats', '00000')
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if osp.isdir(roi) and len([f for f in os.listdir(roi) if f.endswith('.npy')]) >= 1:
            break
        time.sleep(0.01)
    assert proc.poll() is None, 'the run finished before it could be killed'
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not osp.isfile(osp.join(work, 'correspondence.json'))
    out = subprocess.run([sys.executable] + _cmd(repo_root, tiny_config, tiny_checkpoint,
                                                 small_coco, work),
                         env=_env(repo_root), capture_output=True, text=True, check=True)
    assert '"computed": 0' in out.stdout  # proposals were not redone
    for name in OUTPUTS:
        assert filecmp.cmp(osp.join(cli_reference, name), osp.join(work, name), False), name


@pytest.mark.slow
def test_two_ranks_with_torchrun(repo_root, tiny_config, tiny_checkpoint, small_coco,
                                 cli_reference, tmp_path):
    work = str(tmp_path / 'dist')
    out = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
         '--master_port', '29533'] + _cmd(repo_root, tiny_config, tiny_checkpoint, small_coco,
                                          work) + ['--launcher', 'pytorch'],
        env=_env(repo_root), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    # both ranks worked: each wrote its own k-NN embedding shard
    assert sorted(f for f in os.listdir(osp.join(work, 'knn')) if f.endswith('.npy')) == [
        'embeddings_rank0of2.npy', 'embeddings_rank1of2.npy']
    for name in ('proposals.json', 'correspondence.json'):
        assert filecmp.cmp(osp.join(cli_reference, name), osp.join(work, name), False), name
