"""The pipeline's plan: every stage (command, outputs, fingerprint key, dependencies).

Work-dir layout::

    train/<method>/      training runs (byol = ORL's stage 1, orl = stage 3, scrl, ...)
    stage2/              ORL stage 2 (proposals, k-NN, RoI pairs, correspondence.json,
                         quality.json)
    eval/<method>/       svm.json, knn.json (frozen features, same data and splits for all)
    export/<method>.pth  the transfer backbone (the one the method's record names)
    report/              report.md, report.html, report.json and the figures (<key>.png)
    logs/<stage>.log, state/<stage>.json

The stages come from the method records (:mod:`orl_mm.structures.method`): a training run
per method that trains (after the run it starts from, and stage 2 between for a method that
needs it), the same evaluation and export for every method, the method's own figure where
its record has one (drawn by the builder of that figure key, :data:`FIGURE_STAGES`), the
loss curves and the attention maps of all.
"""
import json
import os.path as osp
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence

from .launch import LaunchOptions, launch_command
from .methods import (METHODS, config_path, epoch_options, final_checkpoint, parse_cli,
                      parse_methods, resolve, to_cli, tool_path, trained)
from .stages import Stage, python_command

ANN = 'annotations/instances_train2017.json'
LABELS = 'annotations/multilabel_train2017.csv'


@dataclass
class PipelineOptions:
    """What :func:`build_plan` needs (``tools/pipeline.py``'s options, typed).

    Attributes:
        methods: Names of the compared methods (records); validated and put in the
            records' order.
        work_dir: Root of everything the pipeline writes.
        epochs: Epochs of every training run; 0 keeps each config's own.
        configs: ``method -> training config`` (default: the record's tiny config).
            Relative paths are read from the working directory, else the package root.
        knn_resize: Stage 2's k-NN resize side.
        knn_crop: Stage 2's k-NN centre crop.
        roi_size: Stage 2's RoI crop side.
        img_size: Input side of the frozen-feature evaluation.
        fig_size: Side of the figures' tiles.
        eval_data: Labelled set of the evaluation (default: the data root's multi-label
            CSV when present; no evaluation without one).
        tensorboard: Also log the training runs to TensorBoard.
        random_depth: ResNet depth of the random-init baseline; default: the depth of the
            trained methods' resolved configs (they must agree).
        launch: How training and stage 2 are started (one process, torchrun, slurm);
            not part of any fingerprint (:mod:`orl_mm.pipeline.launch`).
    """
    methods: Sequence[str]
    work_dir: str = 'work_dirs/pipeline_demo'
    epochs: int = 6
    configs: Mapping[str, str] = field(default_factory=dict)
    knn_resize: int = 73
    knn_crop: int = 64
    roi_size: int = 64
    img_size: int = 64
    fig_size: int = 160
    eval_data: Optional[str] = None
    tensorboard: bool = False
    random_depth: Optional[int] = None
    launch: LaunchOptions = field(default_factory=LaunchOptions)

    def __post_init__(self):
        self.methods = parse_methods(list(self.methods))
        self.configs = dict(self.configs)
        untrained = sorted(m for m in self.configs
                           if m not in METHODS or not METHODS[m].trains)
        if untrained:
            raise ValueError(f'configs given for {untrained}, which have no training run; '
                             f'the methods that train are '
                             f'{[m for m in METHODS if METHODS[m].trains]}')
        if not isinstance(self.launch, LaunchOptions):
            raise TypeError(f'launch takes LaunchOptions, not {type(self.launch).__name__}')


@dataclass
class Run:
    """One training run: where it writes, its last checkpoint, its resolved settings
    (``batch_size`` per process; ``processes`` of them share each iteration)."""
    method: str
    work_dir: str
    checkpoint: str
    batch_size: int
    epochs: int
    config: str
    options: List[str]
    depth: int
    processes: int = 1


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

    @property
    def img_dir(self) -> str:
        return osp.join(self.data_root, 'train2017')

    def figure(self, key: str) -> str:
        """Record and return the path of the report figure ``key``."""
        path = self.figures[key] = osp.join(self.report_dir, f'{key}.png')
        return path


def _tool(path: str, *args: str) -> List[str]:
    return python_command(tool_path(path), *args)


def _data_options(data_root: str) -> List[str]:
    """The ``--cfg-options`` that point every training run at the same images."""
    options = [f'train_dataloader.dataset.data_root={data_root}']
    if osp.isfile(osp.join(data_root, ANN)):
        options.append(f'train_dataloader.dataset.ann_file={ANN}')
    return options


def _train_stage(options: PipelineOptions, plan: Plan, method: str, cfg_options: List[str],
                 deps: List[str]) -> Stage:
    config = config_path(options.configs.get(method) or METHODS[method].config_path())
    work = osp.join(plan.work_dir, 'train', method)
    cfg = resolve(config, cfg_options)
    epochs = to_cli(epoch_options(cfg, options.epochs))
    cfg.merge_from_dict(parse_cli(epochs))
    cfg_options = cfg_options + epochs
    run = Run(method, work, final_checkpoint(cfg, work), int(cfg.train_dataloader.batch_size),
              int(cfg.train_cfg.max_epochs), config, cfg_options, int(cfg.model.backbone.depth),
              options.launch.processes)
    plan.runs[method] = run
    command = _tool('tools/train.py', config, '--work-dir', work, '--resume')
    if options.tensorboard:
        command.append('--tensorboard')
    command += ['--cfg-options', *cfg_options]
    name = f'train_{method}'
    command, env = launch_command(options.launch, 'tools/train.py', command, name)
    return Stage(name, command, [run.checkpoint], work, env=env, key=cfg.pretty_text,
                 deps=deps)


def _stage2_stage(options: PipelineOptions, plan: Plan, source: Run) -> Stage:
    """ORL's stage 2 on the run it starts from: mines the RoI pairs (``correspondence.json``)."""
    s2 = plan.stage2_dir = osp.join(plan.work_dir, 'stage2')
    outputs = [osp.join(s2, 'correspondence.json')]
    if osp.isfile(osp.join(plan.data_root, ANN)):
        outputs.append(osp.join(s2, 'quality.json'))
    one_process = _tool(
        'tools/stage2/discover.py', source.config, source.checkpoint, '--data-root',
        plan.data_root, '--work-dir', s2, '--knn-resize', str(options.knn_resize),
        '--knn-crop', str(options.knn_crop), '--roi-size', str(options.roi_size))
    command, env = launch_command(options.launch, 'tools/stage2/discover.py', one_process,
                                  'stage2')
    # the result does not depend on the ranks: the one-process command fingerprints it
    return Stage('stage2', command, outputs, s2, env=env, key=json.dumps(one_process[1:]),
                 deps=[f'train_{source.method}'])


def _training_stages(options: PipelineOptions, plan: Plan) -> None:
    data = _data_options(plan.data_root)
    for method in trained(plan.methods):
        spec = METHODS[method]
        extra: List[str] = []
        deps = [f'train_{spec.starts_from}'] if spec.starts_from else []
        if spec.needs_stage2:
            plan.stages.append(_stage2_stage(options, plan, plan.runs[spec.starts_from]))
            extra = [f'train_dataloader.dataset.corr_file='
                     f'{osp.join(plan.stage2_dir, "correspondence.json")}']
            deps = ['stage2']
        plan.stages.append(_train_stage(options, plan, method, data + extra, deps))


def random_depth(options: PipelineOptions, plan: Plan) -> int:
    """The random baseline's ResNet depth: the option, else the trained runs' one.

    Raises:
        ValueError: If the trained runs' depths differ, or nothing trains, and no depth
            was given.
    """
    if options.random_depth is not None:
        return int(options.random_depth)
    depths = sorted({run.depth for run in plan.runs.values()})
    if len(depths) != 1:
        found = (f'the trained methods have ResNet depths {depths}' if depths
                 else 'no compared method trains')
        raise ValueError(f'the random baseline needs a depth: {found}; give it '
                         '(--random-depth)')
    return depths[0]


def _depth(options: PipelineOptions, plan: Plan, method: str) -> int:
    run = plan.runs.get(method)
    return run.depth if run else random_depth(options, plan)


def _evaluation_stages(options: PipelineOptions, plan: Plan) -> None:
    """The same frozen-feature benchmarks and export for every method."""
    eval_data = options.eval_data
    if eval_data is None and osp.isfile(osp.join(plan.data_root, LABELS)):
        eval_data = osp.join(plan.data_root, LABELS)
    for method in plan.methods:
        run = plan.runs.get(method)
        ckpt = run.checkpoint if run else 'random'
        deps = [f'train_{method}'] if run else []
        weights = METHODS[method].transfer
        if eval_data:
            out = plan.eval_dirs[method] = osp.join(plan.work_dir, 'eval', method)
            common = ['--data', eval_data, '--work-dir', out, '--img-size',
                      str(options.img_size), '--depth', str(_depth(options, plan, method)),
                      '--weights', weights]
            for bench in ('svm', 'knn'):
                plan.stages.append(Stage(f'eval_{method}_{bench}', _tool(
                    f'tools/evaluation/{bench}.py', ckpt, *common),
                    [osp.join(out, f'{bench}.json')], None, deps=deps, in_process=True))
        if run:
            export = plan.exports[method] = osp.join(plan.work_dir, 'export', f'{method}.pth')
            plan.stages.append(Stage(f'export_{method}', _tool(
                'tools/model_converters/export_backbone.py', ckpt, export, '--weights',
                weights), [export], None, deps=deps, in_process=True))


def _pairs_figure(options: PipelineOptions, plan: Plan, method: str, out: str) -> Stage:
    return Stage('fig_pairs', _tool(
        'tools/analysis/visualize_correspondence.py',
        osp.join(plan.stage2_dir, 'correspondence.json'), '--img-dir', plan.img_dir, '--out',
        out, '--tile', '160'), [out], None, deps=['stage2'], in_process=True)


def _scrl_boxes_figure(options: PipelineOptions, plan: Plan, method: str, out: str) -> Stage:
    run = plan.runs[method]
    return Stage('fig_scrl_boxes', _tool(
        'tools/analysis/visualize_scrl_boxes.py', run.config, '--images', plan.img_dir,
        '--out', out, '--size', str(options.fig_size), '--cfg-options', *run.options),
        [out], None, deps=[f'train_{method}'], in_process=True)


def _prototypes_figure(options: PipelineOptions, plan: Plan, method: str, out: str) -> Stage:
    run = plan.runs[method]
    return Stage('fig_prototypes', _tool(
        'tools/analysis/visualize_prototypes.py', run.config, run.checkpoint, '--images',
        plan.img_dir, '--num', '4', '--size', str(options.fig_size), '--out', out,
        '--cfg-options', *run.options), [out], None, deps=[f'train_{method}'],
        in_process=True)


#: The stage that draws each method figure (``FigureSpec.key`` of the records).
FIGURE_STAGES: Dict[str, Callable[[PipelineOptions, Plan, str, str], Stage]] = dict(
    pairs=_pairs_figure, scrl_boxes=_scrl_boxes_figure, prototypes=_prototypes_figure)


def _figure_stages(options: PipelineOptions, plan: Plan) -> None:
    """Each compared method's own figure, then the attention maps of all methods."""
    for method in plan.methods:
        figure = METHODS[method].figure
        if figure is None:
            continue
        if figure.key not in FIGURE_STAGES:
            raise ValueError(f'method {method}: no pipeline stage draws its figure '
                             f'{figure.key!r} (known: {sorted(FIGURE_STAGES)})')
        plan.stages.append(FIGURE_STAGES[figure.key](options, plan, method,
                                                     plan.figure(figure.key)))
    specs, deps = [], []
    for method in plan.methods:
        run = plan.runs.get(method)
        spec = METHODS[method]
        specs += ['--ckpt', f'{spec.label}:{spec.transfer}={run.checkpoint if run else "random"}']
        deps += [f'train_{method}'] if run else []
    if any(not METHODS[m].trains for m in plan.methods):  # the random-init network's
        specs += ['--depth', str(random_depth(options, plan))]
    out = plan.figure('attention')
    plan.stages.append(Stage('fig_attention', _tool(
        'tools/analysis/visualize_attention.py', *specs, '--images', plan.img_dir, '--num',
        '4', '--size', str(options.fig_size), '--out', out), [out], None, deps=deps,
        in_process=True))


def build_plan(options: PipelineOptions, data_root: str) -> Plan:
    """The stages for ``options`` on a COCO-layout data root.

    Raises:
        TypeError: If ``options`` is not a :class:`PipelineOptions`.
    """
    if not isinstance(options, PipelineOptions):
        raise TypeError(f'build_plan takes PipelineOptions, not {type(options).__name__}')
    plan = Plan(osp.abspath(options.work_dir), data_root, list(options.methods))
    _training_stages(options, plan)
    _evaluation_stages(options, plan)
    _figure_stages(options, plan)
    if plan.runs:
        plan.figure('losses')
    return plan
