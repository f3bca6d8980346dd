"""ORL end to end in one command: stage 1 -> stage 2 -> stage 3 -> evaluation -> report.

Every stage runs one of the project's front doors (``tools/train.py``,
``tools/stage2/discover.py``, ``tools/benchmarks/{svm,knn}.py``, the visualisation tools),
writes under ``--work-dir``, is skipped when its output is complete and resumes when it was
interrupted (run the same command again). Without ``--data-root`` it runs on the embedded
demo set (built on first use), on CPU, with the tiny ResNet-18 configs.

Examples::

    python tools/pipeline.py                                   # the demo (make demo)
    python tools/pipeline.py --data-root data/coco --work-dir work_dirs/orl_coco \\
        --stage1-config configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py \\
        --stage3-config configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py \\
        --epochs 0 --roi-size 224 --knn-resize 256 --knn-crop 224 --img-size 224

Layout of the work dir: ``stage1/`` (BYOL checkpoints), ``stage2/`` (proposals, k-NN,
RoI embeddings, ``correspondence.json``, ``quality.json``), ``stage3/`` (ORL checkpoints),
``eval/<model>/`` (``svm.json``, ``knn.json``), ``report/`` (``report.md``,
``report.json``, ``correspondence_pairs.png``, ``attention.png``), ``logs/<stage>.log``.
"""
import argparse
import os.path as osp
import sys
import time
from typing import Dict, List

from mmengine.config import Config

from orl_mm.correspondence.io import atomic_write_json, read_json
from orl_mm.demo import build_demo_dataset
from orl_mm.pipeline import Stage, python_command, run_stages

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY_STAGE1 = osp.join(ROOT, 'configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py')
TINY_STAGE3 = osp.join(ROOT, 'configs/orl/orl_resnet18_1xb8-tiny-2e_demo.py')
ANN = 'annotations/instances_train2017.json'
LABELS = 'annotations/multilabel_train2017.csv'


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data-root', help='COCO-layout root (train2017/, annotations/); '
                   'default: the embedded demo set, built in data/demo')
    p.add_argument('--work-dir', default='work_dirs/pipeline_demo')
    p.add_argument('--stage1-config', default=TINY_STAGE1)
    p.add_argument('--stage3-config', default=TINY_STAGE3)
    p.add_argument('--epochs', type=int, default=10,
                   help='epochs of stage 1 and of stage 3 (same compute); 0 keeps the configs')
    p.add_argument('--knn-resize', type=int, default=73, help='stage 2 k-NN resize side')
    p.add_argument('--knn-crop', type=int, default=64, help='stage 2 k-NN centre crop')
    p.add_argument('--roi-size', type=int, default=64, help='stage 2 RoI crop side')
    p.add_argument('--img-size', type=int, default=64, help='evaluation input side')
    p.add_argument('--eval-data', help='labelled set for the frozen-feature evaluation '
                   f'(default: <data-root>/{LABELS} when present)')
    p.add_argument('--force', nargs='*', default=[], help='stages to re-run though complete')
    return p.parse_args(argv)


def _epoch_options(config: str, epochs: int) -> List[str]:
    """``--cfg-options`` that train for ``epochs`` with the config's warm-up + cosine."""
    if epochs <= 0:
        return []
    cfg = Config.fromfile(config)
    warmup_end = cfg.param_scheduler[0]['end']
    return [f'train_cfg.max_epochs={epochs}', f'param_scheduler.1.begin={warmup_end}',
            f'param_scheduler.1.end={epochs}', f'param_scheduler.1.T_max={epochs - warmup_end}']


def _final_checkpoint(config: str, work_dir: str, epochs: int) -> str:
    max_epochs = epochs if epochs > 0 else Config.fromfile(config).train_cfg.max_epochs
    return osp.join(work_dir, f'epoch_{max_epochs}.pth')


def build_stages(args: argparse.Namespace, data_root: str) -> List[Stage]:
    """The pipeline's stages for a data root (see the module docstring)."""
    work = osp.abspath(args.work_dir)
    ann = osp.join(data_root, ANN)
    has_ann = osp.isfile(ann)
    s1_dir, s2_dir, s3_dir = (osp.join(work, d) for d in ('stage1', 'stage2', 'stage3'))
    s1_ckpt = _final_checkpoint(args.stage1_config, s1_dir, args.epochs)
    s3_ckpt = _final_checkpoint(args.stage3_config, s3_dir, args.epochs)
    corr = osp.join(s2_dir, 'correspondence.json')
    data_opts = [f'train_dataloader.dataset.data_root={data_root}']
    if has_ann:
        data_opts.append(f'train_dataloader.dataset.ann_file={ANN}')

    stages = [
        Stage('stage1', python_command(
            osp.join(ROOT, 'tools/train.py'), args.stage1_config, '--work-dir', s1_dir,
            '--resume', '--cfg-options', *data_opts,
            *_epoch_options(args.stage1_config, args.epochs)), [s1_ckpt], s1_dir),
        Stage('stage2', python_command(
            osp.join(ROOT, 'tools/stage2/discover.py'), args.stage1_config, s1_ckpt,
            '--data-root', data_root, '--work-dir', s2_dir, '--knn-resize',
            str(args.knn_resize), '--knn-crop', str(args.knn_crop), '--roi-size',
            str(args.roi_size)), [corr] + ([osp.join(s2_dir, 'quality.json')] if has_ann else []),
            s2_dir),
        Stage('stage3', python_command(
            osp.join(ROOT, 'tools/train.py'), args.stage3_config, '--work-dir', s3_dir,
            '--resume', '--cfg-options', *data_opts, f'train_dataloader.dataset.corr_file={corr}',
            *_epoch_options(args.stage3_config, args.epochs)), [s3_ckpt], s3_dir),
    ]
    eval_data = args.eval_data or (osp.join(data_root, LABELS)
                                   if osp.isfile(osp.join(data_root, LABELS)) else None)
    if eval_data:
        for name, ckpt in (('byol', s1_ckpt), ('orl', s3_ckpt), ('random', 'random')):
            out = osp.join(work, 'eval', name)
            common = ['--data', eval_data, '--work-dir', out, '--img-size', str(args.img_size),
                      '--depth', '18']
            stages.append(Stage(f'eval_{name}_svm', python_command(
                osp.join(ROOT, 'tools/benchmarks/svm.py'), ckpt, *common),
                [osp.join(out, 'svm.json')], None))
            stages.append(Stage(f'eval_{name}_knn', python_command(
                osp.join(ROOT, 'tools/benchmarks/knn.py'), ckpt, *common),
                [osp.join(out, 'knn.json')], None))
    report = osp.join(work, 'report')
    stages.append(Stage('pairs_png', python_command(
        osp.join(ROOT, 'tools/analysis/visualize_correspondence.py'), corr, '--img-dir',
        osp.join(data_root, 'train2017'), '--out',
        osp.join(report, 'correspondence_pairs.png'), '--tile', '160'),
        [osp.join(report, 'correspondence_pairs.png')], None))
    stages.append(Stage('attention_png', python_command(
        osp.join(ROOT, 'tools/analysis/visualize_attention.py'), '--ckpt', f'BYOL={s1_ckpt}',
        '--ckpt', f'ORL={s3_ckpt}', '--images', osp.join(data_root, 'train2017'), '--num', '4',
        '--size', '160', '--out', osp.join(report, 'attention.png')),
        [osp.join(report, 'attention.png')], None))
    return stages


def write_report(work: str, summary: Dict[str, dict], wall: float) -> str:
    """Collect the stage-2 quality and the frozen-feature scores into report.md/json."""
    report = osp.join(work, 'report')
    quality = read_json(osp.join(work, 'stage2', 'quality.json'))
    scores = {}
    for name in ('byol', 'orl', 'random'):
        svm = read_json(osp.join(work, 'eval', name, 'svm.json'))
        knn = read_json(osp.join(work, 'eval', name, 'knn.json'))
        if svm or knn:
            scores[name] = dict(
                svm_map={k: round(v['mAP'], 2) for k, v in (svm or {}).get('layers', {}).items()},
                knn={k: round(v, 2) for k, v in (knn or {}).get('scores', {}).items()},
                knn_metric=(knn or {}).get('metric'))
    payload = dict(stages=summary, wall_seconds=round(wall, 1), stage2_quality=quality,
                   frozen_features=scores)
    atomic_write_json(payload, osp.join(report, 'report.json'), indent=1)

    lines = ['# ORL pipeline report', '']
    if quality:
        lines += ['## Stage 2: mined pairs vs random pairs (GT, IoU >= 0.5, same category)', '',
                  f"- mined pairs correct: {100 * quality['mined_fraction']:.2f}% "
                  f"of {quality['num_pairs']}",
                  f"- random pairs correct: {100 * quality['random_fraction']:.2f}% "
                  f"of {quality['num_random_pairs']}",
                  f"- ratio mined / random: {quality['ratio']:.2f}", '']
    if scores:
        layers = sorted({k for s in scores.values() for k in s['svm_map']},
                        key=['conv1', 'res2', 'res3', 'res4', 'res5', 'gap'].index)
        ks = sorted({k for s in scores.values() for k in s['knn']}, key=int)
        lines += ['## Frozen features (SVM mAP per layer; k-NN ' +
                  str(next(iter(scores.values()))['knn_metric']) + ')', '',
                  '| model | ' + ' | '.join(f'SVM {k}' for k in layers) + ' | ' +
                  ' | '.join(f'k-NN k={k}' for k in ks) + ' |',
                  '|---' * (1 + len(layers) + len(ks)) + '|']
        for name, s in scores.items():
            lines.append(f'| {name} | ' + ' | '.join(str(s['svm_map'].get(k, '')) for k in layers)
                         + ' | ' + ' | '.join(str(s['knn'].get(k, '')) for k in ks) + ' |')
        lines.append('')
    lines += ['## Pictures', '', '- mined pairs: `report/correspondence_pairs.png`',
              '- attention maps, BYOL vs ORL: `report/attention.png`', '',
              f'Total wall time of this run: {wall:.0f} s.']
    text = '\n'.join(lines) + '\n'
    with open(osp.join(report, 'report.md'), 'w') as f:
        f.write(text)
    return text


def main(argv=None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    data_root = args.data_root
    if data_root is None:
        data_root = build_demo_dataset(osp.join(ROOT, 'data', 'demo'))
        print(f'[pipeline] demo data: {data_root}')
    data_root = osp.abspath(data_root)
    stages = build_stages(args, data_root)
    summary = run_stages(stages, osp.join(osp.abspath(args.work_dir), 'logs'),
                         force=args.force)
    print(write_report(osp.abspath(args.work_dir), summary, time.perf_counter() - start))
    return 0


if __name__ == '__main__':
    sys.exit(main())
