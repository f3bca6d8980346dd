"""ORL stage 2 in one command: proposals -> image k-NN -> RoI embeddings -> pairs.

Example (the whole of stage 2 on COCO train2017 with a stage-1 checkpoint)::

    python tools/stage2/discover.py configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py \\
        work_dirs/byol/epoch_800.pth --data-root data/coco --work-dir work_dirs/stage2

COCO+ (train2017 + unlabeled2017, file names relative to data/coco, as the COCO+ stage-3
config expects)::

    python tools/stage2/discover.py CONFIG CKPT --data-root data/coco \
        --img-dir data/coco/train2017 data/coco/unlabeled2017 \
        --ann-file data/coco/annotations/instances_train2017.json \
                   data/coco/annotations/image_info_unlabeled2017.json \
        --work-dir work_dirs/stage2_coco_plus

Each step alone: ``--steps proposals`` (or ``tools/stage2/proposals.py ...``, ``knn.py``,
``roi.py``, ``pairs.py``, ``quality.py`` with the same arguments). The same command again
after a kill resumes. Distributed: ``torchrun --nproc_per_node N tools/stage2/discover.py
... --launcher pytorch`` (gloo without a GPU), or ``tools/stage2/slurm_discover.sh``
(``--launcher slurm``). Selective search on a CPU farm / slurm job array: N processes with
``--steps proposals --shard I/N``, then the other steps. See docs/cluster.md "Stage 2 on slurm
and CPU farms".
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from orl_mm.correspondence import (STEPS, ProposalSettings, Stage2Config, Stage2Error,  # noqa: E402
                                   run_stage2)
from orl_mm.utils.launch import init_dist  # noqa: E402

DEFAULTS = Stage2Config()  # the one source of every default below
DEFAULT_PROPOSALS = DEFAULTS.proposal


def _shard(text: str):
    try:
        i, n = (int(v) for v in text.split('/'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not I/N (e.g. 3/8)') from None
    if not 0 <= i < n:
        raise argparse.ArgumentTypeError(f'{text}: need 0 <= I < N')
    return i, n


def _add_source_args(p: argparse.ArgumentParser, steps) -> None:
    """The stage-1 model, the images and the work dir."""
    p.add_argument('config', help='stage-1 config (BYOL-like, mmpretrain layout)')
    p.add_argument('checkpoint', help='stage-1 checkpoint (backbone.*, neck.*)')
    p.add_argument('--data-root', help='COCO-layout root: <root>/train2017 and, if present, '
                   '<root>/annotations/instances_train2017.json; with several --img-dir, '
                   'the root file names are relative to')
    p.add_argument('--img-dir', nargs='+', help='image folder(s) (default '
                   '<data-root>/train2017); several make one run (e.g. COCO+)')
    p.add_argument('--ann-file', nargs='+', help='COCO-layout JSON listing the images of '
                   'each --img-dir, in the same order (default <data-root>/annotations/'
                   "instances_train2017.json if it exists); '' for every image of a folder")
    p.add_argument('--root', help='file names are relative to this folder (default: the '
                   'image folder with one source, --data-root or the common parent with '
                   'several)')
    p.add_argument('--work-dir', required=True)
    if steps is None:
        p.add_argument('--steps', nargs='+', choices=STEPS, default=list(STEPS))


def _add_proposal_args(p: argparse.ArgumentParser) -> None:
    """Selective search, its filter, or ORL's released boxes."""
    p.add_argument('--min-size', type=int, default=DEFAULT_PROPOSALS.min_size)
    p.add_argument('--max-aspect-ratio', type=float,
                   default=DEFAULT_PROPOSALS.max_aspect_ratio)
    p.add_argument('--max-iou', type=float, default=DEFAULT_PROPOSALS.max_iou)
    p.add_argument('--top-n', type=int, default=DEFAULT_PROPOSALS.top_n,
                   help='boxes kept per image')
    p.add_argument('--max-side', type=int, default=DEFAULT_PROPOSALS.max_side,
                   help='speed option, off by default: selective search on a copy whose '
                   'longer side is at most this (boxes scaled back to original pixels)')
    p.add_argument('--max-pixels', type=int, default=DEFAULT_PROPOSALS.max_pixels,
                   help='bound on selective search time: larger images are searched on a '
                   'copy with this many pixels, boxes mapped back (default 1 MP: every COCO '
                   'photo is searched as it is); 0 for full resolution everywhere')
    p.add_argument('--seed', type=int, default=DEFAULT_PROPOSALS.seed,
                   help="seed of the C rand() that OpenCV's selective search uses")
    p.add_argument('--proposals-from', nargs='+', metavar='FILE',
                   help="ORL's released train2017_selective_search_proposal.json (several: "
                   'concatenated, in --img-dir order): filter its boxes instead of running '
                   'selective search; give it to every later step of the work dir too')
    p.add_argument('--proposals-no-extent-check', action='store_true',
                   help="with --proposals-from: accept images whose boxes lack the "
                   'whole-image box that selective search always returns (weakens the '
                   'order check)')


def _add_embedding_args(p: argparse.ArgumentParser) -> None:
    """Neighbour retrieval, RoI embeddings and pairs (old flag names kept as aliases)."""
    p.add_argument('--num-neighbours', '--knn', type=int, default=DEFAULTS.num_neighbours,
                   help='neighbours per image (K)')
    p.add_argument('--pair-ratio', type=float, default=DEFAULTS.pair_ratio)
    p.add_argument('--retrieval-resize', '--knn-resize', type=int,
                   default=DEFAULTS.retrieval_resize,
                   help='shorter side of the images embedded for the neighbour retrieval')
    p.add_argument('--retrieval-crop', '--knn-crop', type=int,
                   default=DEFAULTS.retrieval_crop,
                   help='centre crop of the images embedded for the neighbour retrieval')
    p.add_argument('--roi-size', type=int, default=DEFAULTS.roi_size)
    p.add_argument('--batch-size', type=int, default=DEFAULTS.batch_size)
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--roi-dtype', choices=['float32', 'float16'], default=DEFAULTS.roi_dtype,
                   help='RoI embedding cache (float16: half the disk)')
    p.add_argument('--roi-mode', choices=['crop', 'align'], default=DEFAULTS.roi_mode,
                   help="'crop' (ORL); 'align': approximate, one forward per image and "
                   'RoIAlign on res5 (not the published rule; see docs/stage2.md)')


def _add_run_args(p: argparse.ArgumentParser) -> None:
    """Processes, device, distribution and waits."""
    p.add_argument('--proposal-workers', '--workers', type=int, default=None,
                   help='selective-search processes per rank (default: the cores divided '
                   'by the ranks on this machine)')
    p.add_argument('--loader-workers', type=int, default=DEFAULTS.loader_workers,
                   help='DataLoader workers decoding/cropping for the backbone')
    p.add_argument('--device', default=None, help='default: cuda:<local rank> if available')
    p.add_argument('--skip-bad-images', action='store_true',
                   help='leave unreadable images out (listed) instead of stopping')
    p.add_argument('--no-progress', action='store_true')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
                   help='pytorch: torchrun; slurm: srun (tools/stage2/slurm_discover.sh)')
    p.add_argument('--timeout', type=float, default=DEFAULTS.timeout,
                   help='seconds a rank waits without a sign of life from another before '
                   'it stops (the ranks wait on files in the work dir, so a long step is '
                   'never cut short; also the process group timeout)')
    p.add_argument('--heartbeat', type=float, default=DEFAULTS.heartbeat_s,
                   help='seconds between two status-file writes and polls of a rank')
    p.add_argument('--shard', type=_shard, default=DEFAULTS.shard, metavar='I/N',
                   help='with --steps proposals: compute images I, I+N, ... only, no '
                   'process group (a slurm job array task, a CPU farm); the first later '
                   'step merges and names the shards not finished')


def parse_args(argv=None, steps=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    _add_source_args(p, steps)
    _add_proposal_args(p)
    _add_embedding_args(p)
    _add_run_args(p)
    args = p.parse_args(argv)
    if steps is not None:
        args.steps = list(steps)
    return args


def build_config(args) -> Stage2Config:
    import torch
    if args.img_dir is None and args.data_root is None:
        raise SystemExit('give --data-root or --img-dir')
    img_dirs = args.img_dir or [osp.join(args.data_root, 'train2017')]
    anns = args.ann_file
    if anns is None:
        default = osp.join(args.data_root or '', 'annotations', 'instances_train2017.json')
        anns = [default if args.data_root and osp.isfile(default) and len(img_dirs) == 1
                else '']
        anns += [''] * (len(img_dirs) - 1)
    if len(anns) != len(img_dirs):
        raise SystemExit(f'{len(img_dirs)} --img-dir but {len(anns)} --ann-file')
    root = args.root or (args.data_root if len(img_dirs) > 1 else None)
    device = args.device
    if device is None:
        device = (f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}'
                  if torch.cuda.is_available() else 'cpu')
    return Stage2Config(
        sources=[(d, a or None) for d, a in zip(img_dirs, anns)], root=root,
        work_dir=args.work_dir, config=args.config,
        checkpoint=args.checkpoint,
        proposal=ProposalSettings(
            min_size=args.min_size, max_aspect_ratio=args.max_aspect_ratio,
            max_iou=args.max_iou, top_n=args.top_n, max_side=args.max_side,
            max_pixels=args.max_pixels, seed=args.seed),
        retrieval_resize=args.retrieval_resize, retrieval_crop=args.retrieval_crop,
        roi_size=args.roi_size,
        batch_size=args.batch_size, channels_last=args.channels_last,
        roi_dtype=args.roi_dtype, roi_mode=args.roi_mode, num_neighbours=args.num_neighbours,
        pair_ratio=args.pair_ratio,
        proposal_workers=args.proposal_workers or max(
            1, (os.cpu_count() or 1) // int(os.environ.get('LOCAL_WORLD_SIZE', 1))),
        loader_workers=args.loader_workers, device=device,
        skip_bad_images=args.skip_bad_images, progress=not args.no_progress,
        proposals_from=args.proposals_from,
        proposals_extent_check=not args.proposals_no_extent_check,
        timeout=args.timeout, heartbeat_s=args.heartbeat, shard=args.shard)


def main(argv=None, steps=None) -> int:
    args = parse_args(argv, steps)
    if args.shard and args.launcher != 'none':
        raise SystemExit('--shard runs without a process group: use --launcher none')
    init_dist(args.launcher, timeout=args.timeout)
    cfg = build_config(args)
    from mmengine.logging import MMLogger
    log_file = osp.join(cfg.work_dir, 'stage2.log')
    try:
        os.makedirs(cfg.work_dir, exist_ok=True)
        MMLogger.get_instance('orl_mm_stage2', log_file=log_file, file_mode='a')
    except OSError as err:
        print(f'stage 2 stopped: cannot write {log_file}: {err.strerror}', file=sys.stderr)
        return 2
    try:
        report = run_stage2(cfg, args.steps)
    except Stage2Error as err:
        print(f'stage 2 stopped: {err}', file=sys.stderr)
        return 2
    import torch.distributed as dist
    from mmengine.dist import get_dist_info
    if get_dist_info()[0] == 0:
        print(json.dumps(report, indent=1))
        if 'quality' in report:
            q = report['quality']
            print(f"pairs matching GT (IoU>=0.5, same category): mined "
                  f"{q['mined_fraction']:.4f} vs random {q['random_fraction']:.4f} "
                  f"({q['num_pairs']} pairs)")
    if dist.is_initialized():
        dist.destroy_process_group()
    return 0


if __name__ == '__main__':
    sys.exit(main())
