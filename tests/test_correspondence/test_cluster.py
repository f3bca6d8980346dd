"""Stage 2 on a cluster: slurm ranks waiting past a short timeout, proposals shards
(a job array) merged by a later step, and a full disk."""
import errno
import filecmp
import json
import os
import os.path as osp
import re
import socket
import subprocess
import sys
import time

import pytest

from orl_mm.correspondence import FileWriter, Stage2Error, run_stage2
from orl_mm.correspondence.step import Context
from orl_mm.correspondence.sync import RankStatus, status_path, wait_for
from orl_mm.correspondence.workdir import WorkDir
from orl_mm.utils.io import atomic_write

SMALL_ARGS = ['--min-size', '24', '--top-n', '30', '--knn', '3', '--knn-resize', '36',
              '--knn-crop', '32', '--roi-size', '32', '--batch-size', '16', '--workers', '1']
OUTPUTS = ['proposals.json', 'knn.json', 'correspondence.json', 'pair_scores.json']

# srun stand-in: starts --ntasks copies of the command with slurm's variables
FAKE_SRUN = '''import os, subprocess, sys
args, ntasks = sys.argv[1:], 1
while args and args[0].startswith('-'):
    a = args.pop(0)
    if a.startswith('--ntasks='):
        ntasks = int(a.split('=')[1])
    elif a == '-p':
        args.pop(0)
procs = [subprocess.Popen(args, env=dict(
    os.environ, SLURM_PROCID=str(r), SLURM_NTASKS=str(ntasks), SLURM_LOCALID=str(r),
    SLURM_NTASKS_PER_NODE=str(ntasks), SLURM_NODELIST='localhost')) for r in range(ntasks)]
sys.exit(max(p.wait() for p in procs))
'''

# makes rank 1 slow: every proposals part it writes takes SLOW_S seconds more
SLOW_RANK = '''import os
if os.environ.get('SLURM_PROCID') == '1':
    import time
    from orl_mm.correspondence import workdir
    _json = workdir.FileWriter.json

    def json(self, obj, path):
        if os.path.join('proposals', 'parts', '') in path:
            time.sleep(float(os.environ['SLOW_S']))
        _json(self, obj, path)
    workdir.FileWriter.json = json
'''


def _discover(repo_root, tiny_config, ckpt, data, work, *extra):
    return [sys.executable, osp.join(repo_root, 'tools', 'stage2', 'discover.py'), tiny_config,
            ckpt, '--data-root', data, '--work-dir', work] + SMALL_ARGS + list(extra)


def _env(repo_root, **kw):
    return dict(os.environ, PYTHONPATH=repo_root, OMP_NUM_THREADS='1', **kw)


@pytest.fixture(scope='module')
def one_process(repo_root, tiny_config, tiny_checkpoint, small_coco, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('one_process'))
    subprocess.run(_discover(repo_root, tiny_config, tiny_checkpoint, small_coco, work,
                             '--no-progress'), check=True, env=_env(repo_root),
                   capture_output=True)
    return work


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_slurm_ranks_wait_past_a_short_timeout(repo_root, tiny_config, tiny_checkpoint,
                                               small_coco, one_process, tmp_path):
    """2 gloo ranks through slurm_discover.sh (srun faked), process-group timeout 10 s,
    rank 1 12 s slower in selective search: the others wait on its files, not in a
    barrier, and the output is the one-process run's; rank 0 shows the whole job."""
    bin_dir, slow_dir = tmp_path / 'bin', tmp_path / 'slow'
    os.makedirs(bin_dir)
    os.makedirs(slow_dir)
    (bin_dir / 'srun').write_text(f'#!{sys.executable}\n{FAKE_SRUN}')
    os.chmod(bin_dir / 'srun', 0o755)
    (bin_dir / 'python').write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    os.chmod(bin_dir / 'python', 0o755)
    (slow_dir / 'sitecustomize.py').write_text(SLOW_RANK)
    work = str(tmp_path / 'w')
    env = _env(repo_root, PATH=f'{bin_dir}:{os.environ["PATH"]}', GPUS='2', GPUS_PER_NODE='0',
               CPUS_PER_TASK='1', MASTER_ADDR='127.0.0.1', MASTER_PORT=str(_free_port()),
               SLOW_S='6')
    env['PYTHONPATH'] = f'{slow_dir}:{repo_root}'
    t = time.monotonic()
    out = subprocess.run(
        ['bash', osp.join(repo_root, 'tools', 'stage2', 'slurm_discover.sh'), 'part', 'job',
         tiny_config, tiny_checkpoint, work, '--data-root', small_coco, '--timeout', '10',
         '--heartbeat', '0.2'] + SMALL_ARGS, env=env, capture_output=True, text=True,
        timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert time.monotonic() - t > 12  # rank 1 really was slower than the timeout
    assert sorted(f for f in os.listdir(osp.join(work, 'knn')) if f.endswith('.npy')) == [
        'embeddings_rank0of2.npy', 'embeddings_rank1of2.npy']
    for name in OUTPUTS:
        assert filecmp.cmp(osp.join(one_process, name), osp.join(work, name), False), name
    log = open(osp.join(work, 'stage2.log')).read()
    # rank 0 (3 of the 5 images) reports the job's 5, its own and rank 1's, with the rate
    # and ETA of the whole job
    for title in ('selective search', 'pair mining'):
        assert f'{title} (all 2 ranks): 5 to do' in log, log[-3000:]
        assert re.search(rf'{title} \(all 2 ranks\): 5/5 \(100%\), [0-9.]+/s, elapsed '
                         r'[0-9:]+, ETA', log), log[-3000:]
    # the job's count went past rank 0's own 3 of 5 while rank 1 was still at work
    assert re.search(r'selective search \(all 2 ranks\): 4/5 \(80%\)', log), log[-3000:]


@pytest.mark.slow
def test_proposal_shards_then_the_other_steps(repo_root, tiny_config, tiny_checkpoint,
                                              small_coco, one_process, tmp_path):
    """A job array's tasks: `--steps proposals --shard I/2` as separate processes; the next
    step refuses while a shard is missing, naming it, then merges: byte-identical output."""
    work = str(tmp_path / 'w')
    args = (repo_root, tiny_config, tiny_checkpoint, small_coco, work)

    def run(*extra):
        return subprocess.run(_discover(*args, '--no-progress', *extra), env=_env(repo_root),
                              capture_output=True, text=True, timeout=300)

    assert run('--steps', 'proposals', '--shard', '1/2').returncode == 0
    later = ['--steps', 'knn', 'roi', 'pairs', 'quality']
    refused = run(*later)
    assert refused.returncode == 2
    assert 'shard(s) 0/2 (not started)' in refused.stderr, refused.stderr[-2000:]
    assert '000000000009.jpg' in refused.stderr  # image 0 belongs to shard 0
    assert not osp.exists(osp.join(work, 'proposals.json'))
    assert run('--steps', 'proposals', '--shard', '0/2').returncode == 0
    done = run(*later)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in OUTPUTS:
        assert filecmp.cmp(osp.join(one_process, name), osp.join(work, name), False), name


def test_shard_takes_the_proposals_step_alone(small_coco, tmp_path):
    from orl_mm.correspondence import Stage2Config
    cfg = Stage2Config(img_dir=osp.join(small_coco, 'train2017'), work_dir=str(tmp_path),
                       shard=(0, 2), progress=False)
    with pytest.raises(Stage2Error, match='proposals step only'):
        run_stage2(cfg, steps=['proposals', 'knn'])
    cfg.shard = (2, 2)
    with pytest.raises(Stage2Error, match='0 <= I < N'):
        run_stage2(cfg, steps=['proposals'])


def _ctx(tmp_path, rank=0, world=2, timeout=0.6):
    from orl_mm.correspondence import Stage2Config
    cfg = Stage2Config(work_dir=str(tmp_path), timeout=timeout, heartbeat_s=0.05,
                       progress=False)
    return Context(cfg, WorkDir(str(tmp_path)), [], rank=rank, world=world, token='run')


def test_a_silent_rank_stops_the_wait_after_the_timeout(tmp_path):
    ctx = _ctx(tmp_path)
    t = time.monotonic()
    with pytest.raises(Stage2Error, match=r'rank 1 has given no sign of life .*no status '
                       r'written by this run'):
        wait_for(ctx, 'roi', [1])  # rank 1 never started
    assert 0.6 < time.monotonic() - t < 5
    # a status file of an earlier run (another token) is not this run's
    other = _ctx(tmp_path, rank=1)
    other.token = 'earlier'
    with RankStatus(other, 'knn', 3):
        pass
    with pytest.raises(Stage2Error, match='rank 1 has given no sign'):
        wait_for(ctx, 'knn', [1])
    # a frozen rank: its status never changes after it started
    frozen = _ctx(tmp_path, rank=1)
    status = RankStatus(frozen, 'pairs', 4)
    status.write()
    with pytest.raises(Stage2Error, match=r'0/4 done on .*pid'):
        wait_for(ctx, 'pairs', [1])


def test_a_live_rank_is_waited_for_longer_than_the_timeout(tmp_path):
    ctx, worker = _ctx(tmp_path), _ctx(tmp_path, rank=1)
    import threading

    def slow():
        with RankStatus(worker, 'proposals', 2) as status:
            time.sleep(1.5)  # 2.5x the timeout, heartbeating
            status.done = 2
    thread = threading.Thread(target=slow)
    thread.start()
    t = time.monotonic()
    wait_for(ctx, 'proposals', [1])
    assert time.monotonic() - t > 1.2
    thread.join()
    assert json.load(open(status_path(ctx, 'proposals', 1)))['state'] == 'finished'


def test_a_failed_rank_stops_the_others_with_its_message(tmp_path):
    ctx, worker = _ctx(tmp_path, timeout=60), _ctx(tmp_path, rank=1)
    with pytest.raises(Stage2Error, match='disk full'):
        with RankStatus(worker, 'proposals', 2):
            raise Stage2Error('cannot write x: disk full')
    t = time.monotonic()
    with pytest.raises(Stage2Error, match=r'rank 1 \(.*\) stopped in proposals: cannot '
                       'write x: disk full'):
        wait_for(ctx, 'proposals', [1])
    assert time.monotonic() - t < 5  # at once, not after the timeout


class DiskFullWriter(FileWriter):
    """Writes ``n`` JSON files, then fails half-way through the next ones (ENOSPC)."""

    def __init__(self, n):
        self.left = n

    def json(self, obj, path):
        if self.left == 0:
            text = json.dumps(obj)

            def half_then_full(f):
                f.write(text[:len(text) // 2])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            atomic_write(path, half_then_full, binary=False)
        self.left -= 1
        super().json(obj, path)


def test_a_full_disk_stops_naming_the_path_and_the_next_run_resumes(small_coco, tmp_path):
    from orl_mm.correspondence import ProposalSettings, Stage2Config
    cfg = Stage2Config(img_dir=osp.join(small_coco, 'train2017'), work_dir=str(tmp_path / 'w'),
                       proposal=ProposalSettings(min_size=24, top_n=30), retrieval_resize=36,
                       retrieval_crop=32, roi_size=32, batch_size=16, num_neighbours=3,
                       progress=False)
    parts = osp.join(cfg.work_dir, 'proposals', 'parts', '00000')
    # images.json, proposals/settings.json, 2 parts; the 3rd part hits a full disk
    with pytest.raises(Stage2Error) as err:
        run_stage2(cfg, steps=['proposals'], writer=DiskFullWriter(4))
    third = osp.join(parts, '00000002.json')
    assert f'cannot write {third}: No space left on device' in str(err.value)
    assert 'run the same command again' in str(err.value)
    assert sorted(os.listdir(parts)) == ['00000000.json', '00000001.json']  # no partial file
    report = run_stage2(cfg, steps=['proposals'])
    assert report['proposals']['computed'] == 3  # the 2 written parts are kept
    ref = str(tmp_path / 'ref')
    run_stage2(Stage2Config(**dict(cfg.__dict__, work_dir=ref)), steps=['proposals'])
    assert filecmp.cmp(osp.join(ref, 'proposals.json'),
                       osp.join(cfg.work_dir, 'proposals.json'), False)


def test_merge_names_a_shard_that_started_but_did_not_finish(tmp_path):
    """A job-array task killed mid-way: the later step names it, its host, and the
    images it still owes; the images of the finished shard are not listed."""
    from orl_mm.correspondence.images import ImageRecord
    from orl_mm.correspondence.steps.proposals import ProposalsStep
    ctx = _ctx(tmp_path, world=1)
    ctx.images = [ImageRecord(i, f'img{i}.jpg', i, f'/x/img{i}.jpg') for i in range(5)]
    for i in (0, 2, 4, 1):  # shard 0/2 finished; shard 1/2 wrote image 1, not image 3
        ctx.work.write_json(dict(file_name=f'img{i}.jpg', boxes=[[0, 0, 4, 4]], width=8,
                                 height=8, num_raw=1), ctx.work.image_file('proposals', i))
    for i, finished in ((0, True), (1, False)):
        ctx.work.write_json(dict(shard=i, num_shards=2, images=3 - i, computed=1,
                                 host='node7', finished=finished),
                            ctx.work.path('proposals', 'shards', f'{i}of2.json'))
    with pytest.raises(Stage2Error) as err:
        ProposalsStep.merge(ctx)
    msg = str(err.value)
    assert 'proposals of 1 image(s) are missing (img3.jpg)' in msg
    assert 'shard(s) 1/2 (started on node7, not finished)' in msg
    assert '0/2' not in msg
    assert not osp.exists(ctx.work.output('proposals'))
