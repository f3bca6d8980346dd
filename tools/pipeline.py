"""Every method in one command (BYOL, ORL, SCRL, SlotCon, DenseCL): train -> evaluate ->
export -> report.

Every method trains from random initialisation on the same images for the same number of
epochs (``--epochs``), then goes through the same frozen-feature evaluation (linear SVM per
layer and k-NN, same split) and the same transfer export (SlotCon: its teacher backbone).
ORL's stage 1 is the BYOL run, then stage 2 (``tools/stage2/discover.py``) mines the RoI
pairs and stage 3 trains ORL on them. Every stage runs one of the project's front doors
(``tools/train.py``, ``tools/stage2/discover.py``, ``tools/evaluation/{svm,knn}.py``,
``tools/model_converters/export_backbone.py``, ``tools/analysis/*``), is skipped when
complete, resumed when interrupted (run the same command again) and re-run from scratch
when its resolved config, the epochs or an upstream result changed. Without
``--data-root`` it runs on the embedded demo set (built on first use) with the tiny
ResNet-18 configs, on CPU. The methods are the registered method records
(``orl_mm/structures/method.py``); it runs from a clone or from the installed package
(installed: ``python <site-packages>/orl_mm/.mim/tools/pipeline.py``).

Examples::

    python tools/pipeline.py                                    # the demo (make demo)
    python tools/pipeline.py --methods byol orl random          # ORL vs its stage 1
    python tools/pipeline.py --data-root data/coco --work-dir work_dirs/compare_coco \\
        --config byol=configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py \\
        --config orl=configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py \\
        --config scrl=configs/scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py \\
        --config slotcon=configs/slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py \\
        --config densecl=configs/densecl/densecl_resnet50_8xb32-coslr-800e_coco.py \\
        --epochs 0 --roi-size 224 --knn-resize 256 --knn-crop 224 --img-size 224 --fig-size 224
    python tools/pipeline.py --launcher pytorch --gpus 8 ...    # training, stage 2: torchrun
    python tools/pipeline.py --launcher slurm --partition gpu --gpus 16 ...   # srun

Training and stage 2 then go through ``tools/dist_train.sh`` / ``tools/slurm_train.sh`` and
``tools/stage2/{dist,slurm}_discover.sh``; evaluation, export and figures stay in this
process. The launcher is in no stage's fingerprint (docs/cluster.md).

The report: ``<work-dir>/report/report.md`` and the self-contained ``report.html`` (tables
of compute and frozen-feature scores, loss curves, ORL's mined pairs, SCRL's box pairs,
SlotCon's prototype maps, attention maps of all methods); the layout of the work dir is in
``orl_mm/pipeline/plan.py``.
"""
import argparse
import os.path as osp
import signal
import sys
import threading
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from orl_mm.demo import build_demo_dataset  # noqa: E402
from orl_mm.pipeline import (LAUNCHERS, METHODS, LaunchOptions, PipelineError,  # noqa: E402
                             PipelineOptions, build_plan, parse_methods, run_stages, write_report)


def _method_config(text: str):
    trains = [m for m in METHODS if METHODS[m].trains]
    if '=' not in text or text.split('=', 1)[0] not in trains:
        raise argparse.ArgumentTypeError(
            f'--config takes METHOD=PATH with METHOD in {trains}, got {text!r}')
    return tuple(text.split('=', 1))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--methods', nargs='+', default=list(METHODS), metavar='METHOD',
                   help=f'among {list(METHODS)} (default: all); stage 2 runs only with orl')
    p.add_argument('--random-depth', type=int,
                   help='ResNet depth of the random-init baseline (default: the depth of the '
                   'trained methods\' configs)')
    p.add_argument('--data-root', help='COCO-layout root (train2017/, annotations/); '
                   'default: the embedded demo set, built in data/demo')
    p.add_argument('--work-dir', default='work_dirs/pipeline_demo')
    p.add_argument('--config', action='append', type=_method_config, metavar='METHOD=PATH',
                   help='training config of a method (repeat; default: its tiny demo config)')
    p.add_argument('--epochs', type=int, default=6,
                   help='epochs of every method (ORL: of stage 1 and of stage 3); '
                   '0 keeps each config\'s own')
    p.add_argument('--knn-resize', type=int, default=73, help='stage 2 k-NN resize side')
    p.add_argument('--knn-crop', type=int, default=64, help='stage 2 k-NN centre crop')
    p.add_argument('--roi-size', type=int, default=64, help='stage 2 RoI crop side')
    p.add_argument('--img-size', type=int, default=64, help='evaluation input side')
    p.add_argument('--fig-size', type=int, default=160, help='side of the figures\' tiles')
    p.add_argument('--eval-data', help='labelled set for the frozen-feature evaluation '
                   '(default: <data-root>/annotations/multilabel_train2017.csv when present)')
    p.add_argument('--demo-images', type=int, default=64, help='size of the demo set')
    p.add_argument('--demo-dir', default=osp.join('data', 'demo'),
                   help='where the demo set is built (the tiny configs\' data_root)')
    p.add_argument('--tensorboard', action='store_true',
                   help='also log the training runs to TensorBoard (needs tensorboard)')
    launch = p.add_argument_group(
        'launch', 'how training and stage 2 run (evaluation and figures: one process here)')
    launch.add_argument('--launcher', choices=LAUNCHERS, default='none',
                        help='none: one process; pytorch: torchrun on this machine '
                        '(tools/dist_train.sh, tools/stage2/dist_discover.sh); slurm: srun '
                        '(tools/slurm_train.sh, tools/stage2/slurm_discover.sh)')
    launch.add_argument('--gpus', type=int, default=1,
                        help='processes of each training run and of stage 2 (one per GPU)')
    launch.add_argument('--partition', help='slurm partition (--launcher slurm)')
    launch.add_argument('--job-name', default='orl_mm',
                        help='prefix of the slurm job names (<prefix>_<stage>)')
    launch.add_argument('--gpus-per-node', type=int,
                        help='slurm GPUs and tasks per node (default: min(--gpus, 8))')
    launch.add_argument('--cpus-per-task', type=int, default=5, help='slurm CPUs per task')
    launch.add_argument('--srun-args', default='',
                        help='further srun arguments, one string (e.g. "--time=72:00:00")')
    p.add_argument('--force', nargs='*', default=[],
                   help='stages to run again from scratch though complete (names as in logs/)')
    args = p.parse_args(argv)
    try:
        args.methods = parse_methods(args.methods)
    except ValueError as err:
        p.error(str(err))
    return args


def _exit_on_sigterm(signum, frame):
    """A ``kill`` unwinds like Ctrl-C: the running stage's child stops and its time is kept."""
    raise SystemExit(128 + signum)


def options_of(args: argparse.Namespace) -> PipelineOptions:
    """The library's typed options from the command line."""
    return PipelineOptions(
        methods=args.methods, work_dir=args.work_dir, epochs=args.epochs,
        configs=dict(args.config or []), knn_resize=args.knn_resize, knn_crop=args.knn_crop,
        roi_size=args.roi_size, img_size=args.img_size, fig_size=args.fig_size,
        eval_data=args.eval_data, tensorboard=args.tensorboard,
        random_depth=args.random_depth, launch=LaunchOptions(
            launcher=args.launcher, gpus=args.gpus, partition=args.partition,
            job_name=args.job_name, gpus_per_node=args.gpus_per_node,
            cpus_per_task=args.cpus_per_task, srun_args=args.srun_args))


def main(argv=None) -> int:
    args = parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    start = time.perf_counter()
    try:
        options = options_of(args)
    except ValueError as err:
        print(f'[pipeline] ERROR: {err}', file=sys.stderr)
        return 2
    data_root = args.data_root
    if data_root is None:
        data_root = build_demo_dataset(args.demo_dir, num_images=args.demo_images)
        print(f'[pipeline] demo data: {data_root}')
    data_root = osp.abspath(data_root)
    try:
        plan = build_plan(options, data_root)
    except (ValueError, FileNotFoundError) as err:
        print(f'[pipeline] ERROR: {err}', file=sys.stderr)
        return 2
    try:
        summary = run_stages(plan.stages, osp.join(plan.work_dir, 'logs'), force=args.force)
    except PipelineError as err:
        print(f'[pipeline] ERROR: {err}', file=sys.stderr)
        return 1
    write_report(plan, time.perf_counter() - start, summary)
    with open(osp.join(plan.report_dir, 'report.md')) as f:
        print(f.read())
    print(f'[pipeline] report: {osp.join(plan.report_dir, "report.html")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
