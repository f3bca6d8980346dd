"""Peak memory of the ORL stage-3 dataset (``CorrespondenceDataset``) at COCO+ scale.

Writes a synthetic correspondence file in the reference layout (default: COCO+'s 241,690
images, 100 boxes per image, 10 neighbours, 10 pairs per neighbour = ``int(0.1 * 100)``),
an image list with sizes (``ann_file``, so no image header is read) and one symlink per
image to a single small JPEG, then in a fresh process builds the dataset (mmengine's
``serialize_data``, the default) and draws samples through a ``DataLoader`` with
``--workers`` workers (pipeline: the correspondence sampling only, no image decoding).

Printed: the main process's peak RSS while building (``ru_maxrss``) and its RSS after;
sampled every 0.2 s while the workers run, the largest RSS, USS (pages only that process
holds) and the sum of PSS over the main process and the workers (shared pages divided
among their sharers: the memory the job really takes).

Result (one run, a loaded 2-core machine; memory is meaningful, times are not), COCO+ size:
build peak RSS 10.23 GiB, RSS after 2.95 GiB (serialized 0.93 GiB); 8 workers: per worker RSS
2.61 GiB (shared pages), USS 7 MiB; main + workers total PSS 3.02 GiB.

Example (on demand, not part of the test suite)::

    python benchmarks/stage3_dataset_memory.py --work-dir /tmp/s3mem            # COCO+
    python benchmarks/stage3_dataset_memory.py --work-dir /tmp/s3mem --images 24169
"""
import argparse
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import threading
import time

import numpy as np


def write_synthetic(work_dir: str, images: int, boxes: int, knn: int, pairs: int) -> str:
    """Write the correspondence file, the image list and the symlinks; return the file."""
    from PIL import Image
    img_dir = osp.join(work_dir, 'images')
    os.makedirs(img_dir, exist_ok=True)
    source = osp.join(work_dir, 'one.jpg')
    Image.new('RGB', (640, 480), (120, 90, 60)).save(source)
    names = [f'{i:012d}.jpg' for i in range(images)]
    for name in names:
        link = osp.join(img_dir, name)
        if not osp.lexists(link):
            os.symlink(source, link)
    with open(osp.join(work_dir, 'images.json'), 'w') as f:
        json.dump(dict(images=[dict(file_name=n, id=i, width=640, height=480)
                               for i, n in enumerate(names)]), f)
    rng = np.random.default_rng(0)
    path = osp.join(work_dir, 'corr.json')
    with open(path + '.part', 'w') as f:  # written image by image, in the reference layout
        info = dict(bbox_min_size=96, bbox_max_aspect_ratio=3, bbox_max_iou=0.5,
                    intra_bbox_num=boxes, knn_image_num=knn, knn_bbox_pair_ratio=0.1)
        f.write('{"info": %s, "images": {"file_name": %s, "id": %s}, "pseudo_annotations": '
                '{"image_id": %s, "bbox": [' % (json.dumps(info), json.dumps(names),
                                                json.dumps(list(range(images))),
                                                json.dumps(list(range(images)))))

        def box_rows(n):  # [x, y, w, h] inside 640 x 480, whole pixels as stage 2 writes
            wh = rng.integers(96, 240, (n, 2))
            xy = (rng.random((n, 2)) * (np.array([640, 480]) - wh + 1)).astype(int)
            return np.concatenate([xy, wh], 1).tolist()

        for i in range(images):
            f.write((',' if i else '') + json.dumps(box_rows(boxes)))
        f.write('], "knn_image_id": [')
        for i in range(images):
            nbrs = ((i + 1 + np.arange(knn)) % images).tolist()
            f.write((',' if i else '') + json.dumps(nbrs))
        f.write('], "knn_bbox_pair": [')
        for i in range(images):
            per = [np.concatenate([box_rows(pairs), box_rows(pairs)], 1).tolist()
                   for _ in range(knn)]
            f.write((',' if i else '') + json.dumps(per))
        f.write(']}}')
    os.replace(path + '.part', path)
    return path


def _memory(pid: int) -> dict:
    """rss, pss and uss (private clean + dirty) of a process, in bytes (Linux)."""
    out = {}
    with open(f'/proc/{pid}/smaps_rollup') as f:
        for line in f:
            key, _, rest = line.partition(':')
            if key in ('Rss', 'Pss', 'Private_Clean', 'Private_Dirty'):
                out[key] = int(rest.split()[0]) * 1024
    return dict(rss=out['Rss'], pss=out['Pss'],
                uss=out['Private_Clean'] + out['Private_Dirty'])


def measure(work_dir: str, workers: int, samples: int, seconds: float) -> None:
    """Build the dataset and draw samples with workers; print the memory."""
    import torch
    from mmengine.registry import init_default_scope

    import orl_mm  # noqa: F401
    from orl_mm.datasets import CorrespondenceDataset
    init_default_scope('mmpretrain')
    start = time.time()
    ds = CorrespondenceDataset(osp.join(work_dir, 'corr.json'), data_root=work_dir,
                               data_prefix=dict(img_path='images/'),
                               ann_file=osp.join(work_dir, 'images.json'), pipeline=[])
    build_s = time.time() - start
    peak_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    after = _memory(os.getpid())
    print(f'{len(ds):,} images; built in {build_s:.0f} s; main process peak RSS while '
          f'building {peak_build / 2**30:.2f} GiB, RSS after {after["rss"] / 2**30:.2f} '
          f'GiB (serialized data {ds.data_bytes.nbytes / 2**30:.2f} GiB)', flush=True)

    loader = torch.utils.data.DataLoader(ds, batch_size=16, num_workers=workers,
                                         collate_fn=len, shuffle=True)
    worst = dict(sum_pss=0, rss=0, uss=0, workers=0)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            pids = [os.getpid()] + [int(p) for p in subprocess.run(
                ['pgrep', '-P', str(os.getpid())], capture_output=True,
                text=True).stdout.split()]
            try:
                mems = [_memory(p) for p in pids]
            except (FileNotFoundError, ProcessLookupError):
                continue
            worst['sum_pss'] = max(worst['sum_pss'], sum(m['pss'] for m in mems))
            worst['workers'] = max(worst['workers'], len(mems) - 1)
            for m in mems[1:]:
                worst['rss'] = max(worst['rss'], m['rss'])
                worst['uss'] = max(worst['uss'], m['uss'])
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    start, seen = time.time(), 0
    while seen < samples or time.time() - start < seconds:  # long enough to be sampled
        for n in loader:
            seen += n
            if seen >= samples and time.time() - start >= seconds:
                break
    stop.set()
    thread.join()
    if not worst['workers']:
        raise RuntimeError('the workers ended before their memory could be read: raise '
                           '--seconds')
    print(f'{worst["workers"]} of {workers} workers seen, {seen:,} samples in '
          f'{time.time() - start:.0f} s: per worker peak RSS {worst["rss"] / 2**30:.2f} GiB, '
          f'peak USS {worst["uss"] / 2**20:.0f} MiB; main + workers peak total PSS '
          f'{worst["sum_pss"] / 2**30:.2f} GiB', flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--images', type=int, default=241690)
    parser.add_argument('--boxes', type=int, default=100)
    parser.add_argument('--knn', type=int, default=10)
    parser.add_argument('--pairs', type=int, default=10, help='pairs per neighbour')
    parser.add_argument('--workers', type=int, default=8)
    parser.add_argument('--samples', type=int, default=20000)
    parser.add_argument('--seconds', type=float, default=30,
                        help='draw samples for at least this long')
    parser.add_argument('--measure-only', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        measure(args.work_dir, args.workers, args.samples, args.seconds)
        return
    os.makedirs(args.work_dir, exist_ok=True)
    start = time.time()
    path = write_synthetic(args.work_dir, args.images, args.boxes, args.knn, args.pairs)
    print(f'synthetic file {path}: {osp.getsize(path) / 2**30:.2f} GiB, {args.images:,} '
          f'images x {args.boxes} boxes, {args.knn} neighbours x {args.pairs} pairs '
          f'(written in {time.time() - start:.0f} s)', flush=True)
    # a fresh process, so that its peak RSS is the dataset's only
    subprocess.run([sys.executable, __file__, '--work-dir', args.work_dir, '--workers',
                    str(args.workers), '--samples', str(args.samples), '--seconds',
                    str(args.seconds), '--measure-only'],
                   check=True)


if __name__ == '__main__':
    main()
