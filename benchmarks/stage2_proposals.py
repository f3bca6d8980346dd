"""Selective search of ORL stage 2: speed-up of N processes vs 1, and peak memory vs size.

    python benchmarks/stage2_proposals.py speedup --images 16 --workers 2
    python benchmarks/stage2_proposals.py rss --repeat 8 --max-side 320

``speedup`` runs the proposals step on the same images (full resolution unless
``--max-side``) with 1 process and with N, each in a fresh work dir, and prints the wall
times and the ratio. ``rss`` runs the step on the coco128 photos and on the same photos
listed ``--repeat`` times (symlinks in a temporary folder), each in a fresh subprocess,
and prints the peak RSS of the coordinating process and of the largest worker: it must
not grow with the number of images (results are streamed to one file per image).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_DATA = os.environ.get('ORL_MM_SHARED_DATA', osp.join(REPO, '..', 'shared', 'data'))

CHILD = r'''
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from orl_mm.correspondence import ProposalSettings, Stage2Config, run_stage2
cfg = Stage2Config(img_dir={img_dir!r}, work_dir={work_dir!r}, proposal_workers={workers},
                   proposal=ProposalSettings(max_side={max_side!r}), progress=False)
t = time.perf_counter()
rep = run_stage2(cfg, steps=['proposals'])
print(json.dumps(dict(images=rep['list']['images'], seconds=time.perf_counter() - t,
    step_seconds=rep['proposals']['seconds'],
    rss_main_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    rss_worker_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)))
'''


def run_child(img_dir, work_dir, workers, max_side):
    code = CHILD.format(repo=REPO, img_dir=img_dir, work_dir=work_dir, workers=workers,
                        max_side=max_side)
    out = subprocess.run([sys.executable, '-c', code], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def link_images(src, dst, names, repeat):
    os.makedirs(dst, exist_ok=True)
    for r in range(repeat):
        for n in names:
            os.symlink(osp.join(src, n), osp.join(dst, f'r{r}_{n}'))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['speedup', 'rss'])
    p.add_argument('--data', default=osp.join(DEFAULT_DATA, 'coco128', 'train2017'))
    p.add_argument('--images', type=int, default=16)
    p.add_argument('--proposal-workers', '--workers', type=int, default=2)
    p.add_argument('--repeat', type=int, default=8)
    p.add_argument('--max-side', type=int, default=None)
    args = p.parse_args()
    names = sorted(os.listdir(args.data))
    with tempfile.TemporaryDirectory() as tmp:
        if args.mode == 'speedup':
            img_dir = osp.join(tmp, 'img')
            link_images(args.data, img_dir, names[:args.images], 1)
            res = {}
            for w in (1, args.proposal_workers):
                res[w] = run_child(img_dir, osp.join(tmp, f'w{w}'), w, args.max_side)
                print(f'{w} process(es): {res[w]["step_seconds"]:.1f} s for '
                      f'{res[w]["images"]} images '
                      f'({res[w]["step_seconds"] / res[w]["images"]:.2f} s/image)', flush=True)
            print(f'speed-up {args.proposal_workers} vs 1: '
                  f'{res[1]["step_seconds"] / res[args.proposal_workers]["step_seconds"]:.2f}x '
                  f'(load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)')
            with open(osp.join(tmp, 'w1', 'proposals.json')) as f1, \
                    open(osp.join(tmp, f'w{args.proposal_workers}', 'proposals.json')) as f2:
                same = f1.read() == f2.read()
            print(f'proposals.json identical between 1 and {args.proposal_workers} '
                  f'processes: {same}')
        else:
            res = {}
            for repeat in (1, args.repeat):
                img_dir = osp.join(tmp, f'img{repeat}')
                link_images(args.data, img_dir, names, repeat)
                res[repeat] = r = run_child(img_dir, osp.join(tmp, f'w{repeat}'),
                                            args.proposal_workers, args.max_side)
                print(f'{r["images"]} images: {r["seconds"]:.1f} s, peak RSS main '
                      f'{r["rss_main_mb"]:.0f} MB, largest worker {r["rss_worker_mb"]:.0f} MB',
                      flush=True)
            a, b = res[1], res[args.repeat]
            print(f'peak RSS ratio {b["images"]} vs {a["images"]} images: main '
                  f'{b["rss_main_mb"] / a["rss_main_mb"]:.2f}x, worker '
                  f'{b["rss_worker_mb"] / a["rss_worker_mb"]:.2f}x')


if __name__ == '__main__':
    main()
