"""The pipeline's plan: every stage (command, outputs, fingerprint key, dependencies).

Work-dir layout::

    train/<method>/      training runs (byol = ORL's stage 1, orl = stage 3, scrl, slotcon)
    stage2/              ORL stage 2 (proposals, k-NN, RoI pairs, correspondence.json,
                         quality.json)
    eval/<method>/       svm.json, knn.json (frozen features, same data and splits for all)
    export/<method>.pth  the transfer backbone (SlotCon: the teacher)
    report/              report.md, report.html, report.json and the figures
    logs/<stage>.log, state/<stage>.json
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .methods import (METHODS, ROOT, epoch_options, final_checkpoint, parse_cli, resolve,
                      to_cli, trained)
from .stages import Stage, python_command

ANN = 'annotations/instances_train2017.json'
LABELS = 'annotations/multilabel_train2017.csv'
FIGURES = dict(losses='loss_curves.png', pairs='correspondence_pairs.png',
               scrl_boxes='scrl_boxes.png', prototypes='slotcon_prototypes.png',
               attention='attention.png')


@dataclass
class Run:
    """One training run: where it writes, its last checkpoint, its resolved settings."""
    method: str
    work_dir: str
    checkpoint: str
    batch_size: int
    epochs: int
    config: str
    options: List[str]


@dataclass
class Plan:
    """What :func:`build_plan` returns: the stages and what the report reads."""
    work_dir: str
    data_root: str
    methods: List[str]
    stages: List[Stage] = field(default_factory=list)
    runs: Dict[str, Run] = field(default_factory=dict)
    eval_dirs: Dict[str, str] = field(default_factory=dict)
    exports: Dict[str, str] = field(default_factory=dict)
    figures: Dict[str, str] = field(default_factory=dict)
    stage2_dir: Optional[str] = None

    @property
    def report_dir(self) -> str:
        return osp.join(self.work_dir, 'report')


def _tool(path: str, *args: str) -> List[str]:
    return python_command(osp.join(ROOT, path), *args)


def _config_path(args, method: str) -> str:
    chosen = dict(args.config or {})
    path = chosen.get(method) or METHODS[method].config
    return path if osp.isabs(path) else osp.join(ROOT, path)


def _train_stage(args, plan: Plan, method: str, data_opts: List[str],
                 extra: List[str], deps: List[str]) -> Stage:
    config = _config_path(args, method)
    work = osp.join(plan.work_dir, 'train', method)
    cfg = resolve(config, data_opts + extra)
    epochs = to_cli(epoch_options(cfg, args.epochs))
    cfg.merge_from_dict(parse_cli(epochs))
    options, text = data_opts + extra + epochs, cfg.pretty_text
    run = Run(method, work, final_checkpoint(cfg, work), int(cfg.train_dataloader.batch_size),
              int(cfg.train_cfg.max_epochs), config, options)
    plan.runs[method] = run
    command = _tool('tools/train.py', config, '--work-dir', work, '--resume',
                    '--cfg-options', *options)
    if args.tensorboard:
        command.append('--tensorboard')
    return Stage(f'train_{method}', command, [run.checkpoint], work, key=text, deps=deps)


def build_plan(args, data_root: str) -> Plan:
    """The stages for ``args`` (see ``tools/pipeline.py``) on a COCO-layout data root."""
    plan = Plan(osp.abspath(args.work_dir), data_root, list(args.methods))
    work = plan.work_dir
    has_ann = osp.isfile(osp.join(data_root, ANN))
    data_opts = [f'train_dataloader.dataset.data_root={data_root}']
    if has_ann:
        data_opts.append(f'train_dataloader.dataset.ann_file={ANN}')
    img_dir = osp.join(data_root, 'train2017')
    figures = {k: osp.join(plan.report_dir, v) for k, v in FIGURES.items()}
    stages = plan.stages

    for method in trained(plan.methods):
        if method == 'orl':
            byol = plan.runs['byol']
            s2 = plan.stage2_dir = osp.join(work, 'stage2')
            corr = osp.join(s2, 'correspondence.json')
            stages.append(Stage('stage2', _tool(
                'tools/stage2/discover.py', byol.config, byol.checkpoint, '--data-root',
                data_root, '--work-dir', s2, '--knn-resize', str(args.knn_resize),
                '--knn-crop', str(args.knn_crop), '--roi-size', str(args.roi_size)),
                [corr] + ([osp.join(s2, 'quality.json')] if has_ann else []), s2,
                deps=['train_byol']))
            stages.append(_train_stage(args, plan, 'orl', data_opts,
                                       [f'train_dataloader.dataset.corr_file={corr}'],
                                       ['stage2']))
        else:
            stages.append(_train_stage(args, plan, method, data_opts, [], []))

    eval_data = args.eval_data or (osp.join(data_root, LABELS)
                                   if osp.isfile(osp.join(data_root, LABELS)) else None)
    for method in plan.methods:
        spec = METHODS[method]
        ckpt = plan.runs[method].checkpoint if method in plan.runs else 'random'
        deps = [f'train_{method}'] if method in plan.runs else []
        if eval_data:
            out = plan.eval_dirs[method] = osp.join(work, 'eval', method)
            common = ['--data', eval_data, '--work-dir', out, '--img-size', str(args.img_size),
                      '--depth', '18', '--weights', spec.weights]
            for bench in ('svm', 'knn'):
                stages.append(Stage(f'eval_{method}_{bench}', _tool(
                    f'tools/benchmarks/{bench}.py', ckpt, *common),
                    [osp.join(out, f'{bench}.json')], None, deps=deps, in_process=True))
        if method in plan.runs:
            export = plan.exports[method] = osp.join(work, 'export', f'{method}.pth')
            stages.append(Stage(f'export_{method}', _tool(
                'tools/model_converters/export_backbone.py', ckpt, export, '--weights',
                spec.weights), [export], None, deps=deps, in_process=True))

    fig_size = str(args.fig_size)
    if 'orl' in plan.methods:
        plan.figures['pairs'] = figures['pairs']
        stages.append(Stage('fig_pairs', _tool(
            'tools/analysis/visualize_correspondence.py',
            osp.join(plan.stage2_dir, 'correspondence.json'), '--img-dir', img_dir, '--out',
            figures['pairs'], '--tile', '160'), [figures['pairs']], None, deps=['stage2'],
            in_process=True))
    if 'scrl' in plan.methods:
        run = plan.runs['scrl']
        plan.figures['scrl_boxes'] = figures['scrl_boxes']
        stages.append(Stage('fig_scrl_boxes', _tool(
            'tools/analysis/visualize_scrl_boxes.py', run.config, '--images', img_dir,
            '--out', figures['scrl_boxes'], '--size', fig_size, '--cfg-options',
            *run.options), [figures['scrl_boxes']], None, deps=['train_scrl'],
            in_process=True))
    if 'slotcon' in plan.methods:
        run = plan.runs['slotcon']
        plan.figures['prototypes'] = figures['prototypes']
        stages.append(Stage('fig_prototypes', _tool(
            'tools/analysis/visualize_prototypes.py', run.config, run.checkpoint, '--images',
            img_dir, '--num', '4', '--size', fig_size, '--out', figures['prototypes'],
            '--cfg-options', *run.options), [figures['prototypes']], None,
            deps=['train_slotcon'], in_process=True))
    specs, deps = [], []
    for method in plan.methods:
        spec = METHODS[method]
        path = plan.runs[method].checkpoint if method in plan.runs else 'random'
        specs += ['--ckpt', f'{spec.label}:{spec.weights}={path}']
        deps += [f'train_{method}'] if method in plan.runs else []
    plan.figures['attention'] = figures['attention']
    stages.append(Stage('fig_attention', _tool(
        'tools/analysis/visualize_attention.py', *specs, '--images', img_dir, '--num', '4',
        '--size', fig_size, '--depth', '18', '--out', figures['attention']),
        [figures['attention']], None, deps=deps, in_process=True))
    if plan.runs:
        plan.figures['losses'] = figures['losses']
    return plan
