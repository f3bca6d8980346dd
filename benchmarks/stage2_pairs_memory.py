"""Peak RSS of stage 2's pairs step at COCO+ scale, on a synthetic work dir.

    python benchmarks/stage2_pairs_memory.py --root /tmp/pairs_mem \
        --scales 0.0625 0.125 0.25 [--full]

COCO+ is 241,690 images (train2017 + unlabeled2017); each gets ``--boxes`` (100)
proposals and ``--num-neighbours`` (10) neighbours, as in ORL's COCO+ files. For every scale a work
dir of ``scale x 241,690`` images is made in a child process: ``proposals.json`` and
``knn.json`` of the full shape, the per-image pair files already written for every image
but ``--mine`` of them (their pairs taken from their boxes, 10 per neighbour: the step's
``max(1, int(0.1 x 100))``), and ``(100, --dim)`` float16 RoI embeddings for those
``--mine`` images, whose neighbours lie among them. A fresh child process then runs
:class:`~orl_mm.correspondence.steps.pairs.PairsStep` as ``--steps pairs`` does
(one rank): it loads both files, mines the ``--mine`` images and merges every image's
pairs into ``correspondence.json`` and ``pair_scores.json``. It reports its peak RSS
(``getrusage``) after the imports, before the merge, and at the end.

The mining loop holds at most 64 images' embeddings (its cache), so its memory does not
grow with the data set; the merge holds the whole correspondence file as Python objects
and its text. The peaks are fitted linearly in the number of images and projected to
COCO+; ``--full`` then also runs the full size when the fit says it fits in the memory
available now (it refuses otherwise).

Caveat: measured on whatever machine runs it; the RSS does not depend on the load, the
seconds do (printed for orientation only).
"""
import argparse
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import time

import numpy as np

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
COCO_PLUS = 118_287 + 123_403
SIZE = (640, 480)


def _boxes(rng, n: int, b: int) -> np.ndarray:
    """(n, b, 4) integer ``[x, y, w, h]`` boxes inside a 640x480 image."""
    w = rng.integers(20, 320, (n, b))
    h = rng.integers(20, 240, (n, b))
    x = rng.integers(0, SIZE[0] - w)
    y = rng.integers(0, SIZE[1] - h)
    return np.stack([x, y, w, h], axis=-1)


def make(root: str, n: int, b: int, k: int, mine: int, dim: int) -> None:
    """Write the synthetic work dir (run in a child: its memory is not measured)."""
    sys.path.insert(0, REPO)
    from orl_mm.correspondence import ProposalSettings
    from orl_mm.correspondence.workdir import WorkDir
    work = WorkDir(root)
    rng = np.random.default_rng(0)
    names = [f'{i:012d}.jpg' for i in range(n)]
    os.makedirs(root, exist_ok=True)
    json.dump(dict(file_name=names, id=list(range(n))), open(work.images_file, 'w'))
    for step, settings in (('proposals', ProposalSettings().to_dict()), ('knn', dict(k=k)),
                           ('pairs', dict(ratio=0.1))):
        os.makedirs(osp.dirname(work.record_path(step)), exist_ok=True)
        json.dump(dict(settings=settings, inputs={}), open(work.record_path(step), 'w'))
    boxes = _boxes(rng, n, b)
    with open(work.output('proposals'), 'w') as f:  # streamed: one image at a time
        f.write(f'{{"images":{json.dumps(list(range(n)))},"boxes":[')
        f.write(','.join(json.dumps(boxes[i].tolist()) for i in range(n)))
        f.write(f'],"image_size":{json.dumps([list(SIZE)] * n)},'
                f'"num_raw_boxes":{json.dumps([b * 10] * n)},"skipped":[]}}')
    nbrs = (np.arange(n)[:, None] + rng.integers(1, n, (n, k))) % n
    nbrs[:mine] = (np.arange(mine)[:, None] + 1 + np.arange(k) % max(mine - 1, 1)) % mine
    sims = np.sort(rng.random((n, k)), axis=1)[:, ::-1].round(6)
    json.dump(dict(images=list(range(n)), neighbours=nbrs.tolist(), similarity=sims.tolist()),
              open(work.output('knn'), 'w'), separators=(',', ':'))
    for i in range(mine):
        path = work.image_file('roi', i)
        os.makedirs(osp.dirname(path), exist_ok=True)
        np.save(path, rng.standard_normal((b, dim)).astype(np.float16))
    per = max(1, int(0.1 * b))
    for i in range(mine, n):
        q = rng.integers(0, b, (k, per))
        c = rng.integers(0, b, (k, per))
        pairs = np.concatenate([boxes[i][q], boxes[nbrs[i]][np.arange(k)[:, None], c]], -1)
        scores = np.sort(rng.random((k, per)), axis=1)[:, ::-1].round(6)
        path = work.image_file('pairs', i)
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(dict(file_name=names[i], pairs=pairs.tolist(), scores=scores.tolist()),
                      f, separators=(',', ':'))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(root: str, k: int) -> dict:
    """Run the pairs step on ``root`` in this (fresh) process; peak RSS in MiB."""
    sys.path.insert(0, REPO)
    from orl_mm.correspondence import Stage2Config
    from orl_mm.correspondence.images import ImageRecord
    from orl_mm.correspondence.step import Context
    from orl_mm.correspondence.steps.pairs import PairsStep
    from orl_mm.correspondence.workdir import WorkDir
    out = dict(imports_mb=_peak_mb())
    names = json.load(open(osp.join(root, 'images.json')))['file_name']
    images = [ImageRecord(i, f, i, osp.join(root, f)) for i, f in enumerate(names)]
    del names
    out['image_list_mb'] = _peak_mb()
    merge = PairsStep.merge

    def timed_merge(ctx, props, knn):
        out['before_merge_mb'] = _peak_mb()
        t = time.perf_counter()
        merge(ctx, props, knn)
        out['merge_s'] = time.perf_counter() - t
    PairsStep.merge = staticmethod(timed_merge)
    cfg = Stage2Config(work_dir=root, num_neighbours=k, progress=False)
    ctx = Context(cfg, WorkDir(root), images, rank=0, world=1)
    t = time.perf_counter()
    report = PairsStep().run(ctx)
    out.update(peak_mb=_peak_mb(), seconds=time.perf_counter() - t,
               mined=report['computed'], images=len(images))
    return out


def _child(*argv: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *argv], check=True, text=True,
                         capture_output=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _available_mb() -> float:
    for line in open('/proc/meminfo'):
        if line.startswith('MemAvailable:'):
            return int(line.split()[1]) / 1024
    return float('inf')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--root', default='/tmp/stage2_pairs_memory')
    p.add_argument('--scales', type=float, nargs='+', default=[0.0625, 0.125, 0.25])
    p.add_argument('--full', action='store_true', help='also run COCO+ size if it fits')
    p.add_argument('--boxes', type=int, default=100)
    p.add_argument('--num-neighbours', '--knn', type=int, default=10)
    p.add_argument('--mine', type=int, default=64, help='images mined in the run')
    p.add_argument('--dim', type=int, default=2048, help='RoI embedding size (ResNet-50)')
    p.add_argument('--make', help=argparse.SUPPRESS)
    p.add_argument('--images', type=int, help=argparse.SUPPRESS)
    p.add_argument('--measure', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.make:
        make(args.make, args.images, args.boxes, args.num_neighbours, args.mine, args.dim)
        print('{}')
        return
    if args.measure:
        print(json.dumps(measure(args.measure, args.num_neighbours)))
        return
    rows = []

    def run(n: int) -> dict:
        root = osp.join(args.root, f'{n}_images')
        if not osp.isfile(osp.join(root, 'knn.json')):
            t = time.perf_counter()
            _child('--make', root, '--images', str(n), '--boxes', str(args.boxes),
                   '--num-neighbours', str(args.num_neighbours), '--mine', str(args.mine),
                   '--dim', str(args.dim))
            print(f'made {root} in {time.perf_counter() - t:.0f} s', flush=True)
        for name in ('correspondence.json', 'pair_scores.json'):
            if osp.exists(osp.join(root, name)):
                os.remove(osp.join(root, name))
        for i in range(args.mine):  # mined again in every run
            part = osp.join(root, 'pairs', 'parts', f'{i // 1000:05d}', f'{i:08d}.json')
            if osp.exists(part):
                os.remove(part)
        r = _child('--measure', root, '--num-neighbours', str(args.num_neighbours))
        r['file_mb'] = os.path.getsize(osp.join(root, 'correspondence.json')) / 2 ** 20
        print(f'{n:>7} images: peak RSS {r["peak_mb"]:8.0f} MiB (imports {r["imports_mb"]:.0f}, '
              f'loaded + {r["mined"]} mined {r["before_merge_mb"]:.0f}); correspondence.json '
              f'{r["file_mb"]:.0f} MiB; {r["seconds"]:.0f} s (merge {r["merge_s"]:.0f} s)',
              flush=True)
        rows.append((n, r))
        return r

    print(f'pairs step, {args.boxes} boxes and {args.num_neighbours} neighbours per image, '
          f'{args.mine} images mined (dim {args.dim}), the rest merged:')
    for s in args.scales:
        run(max(args.mine + 1, round(s * COCO_PLUS)))
    if len(rows) >= 2:
        n = np.array([r[0] for r in rows], float)
        slope, icpt = np.polyfit(n, [r[1]['peak_mb'] for r in rows], 1)
        pre = np.polyfit(n, [r[1]['before_merge_mb'] for r in rows], 1)
        proj = slope * COCO_PLUS + icpt
        print(f'linear fit: {slope * 1e3:.1f} MiB per 1000 images + {icpt:.0f} MiB; '
              f'COCO+ ({COCO_PLUS} images): peak {proj / 1024:.1f} GiB projected, '
              f'{(pre[0] * COCO_PLUS + pre[1]) / 1024:.1f} GiB before the merge')
        if args.full:
            if proj * 1.2 > _available_mb():
                print(f'--full refused: {proj / 1024:.1f} GiB projected, '
                      f'{_available_mb() / 1024:.1f} GiB available')
            else:
                run(COCO_PLUS)


if __name__ == '__main__':
    main()
