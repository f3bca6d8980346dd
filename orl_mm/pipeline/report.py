"""The pipeline's report: what each method cost, what its frozen features score, pictures.

:func:`collect` reads the runs' logs (mmengine's scalars), the stage records, the
benchmarks' JSON and stage 2's quality report into one dict (``report.json``);
:func:`render_markdown` writes ``report.md`` (figures linked) and
:mod:`orl_mm.pipeline.html` ``report.html`` (figures embedded).
"""
import math
import os.path as osp
from typing import Dict, List, Optional

from orl_mm.utils.io import read_json
from orl_mm.visualization.losses import curves, plot_loss_curves, read_scalars, training_throughput
from .methods import METHODS
from .plan import Plan

LAYER_ORDER = ('conv1', 'res2', 'res3', 'res4', 'res5', 'gap')


def figure_titles() -> Dict[str, str]:
    """``key -> caption`` of the report's figures, in their order: the loss curves, each
    method's own figure (from its record), the attention maps."""
    titles = dict(losses='Training losses of all methods (total and each term, from '
                  'mmengine\'s scalars)')
    titles.update({m.figure.key: m.figure.title for m in METHODS.values() if m.figure})
    titles['attention'] = 'Attention maps (res5 channel mean) of every method, side by side'
    return titles


def _seconds(plan: Plan, stage: str) -> Optional[float]:
    record = read_json(osp.join(plan.work_dir, 'state', f'{stage}.json'))
    return float(record['seconds']) if record and record.get('done') else None


def _compute(plan: Plan) -> Dict[str, dict]:
    """Per trained method: epochs, images/s, iteration and stage wall times."""
    out = {}
    for method, run in plan.runs.items():
        batch = run.batch_size * run.processes  # images of one iteration, all processes
        stats = training_throughput(read_scalars(run.work_dir), batch)
        out[method] = dict(epochs=run.epochs, batch_size=batch, **stats,
                           train_wall_s=_seconds(plan, f'train_{method}'))
    if 'orl' in out:
        orl = out['orl']
        orl['stage2_wall_s'] = _seconds(plan, 'stage2')
        parts = [out['byol']['train_wall_s'], orl['stage2_wall_s'], orl['train_wall_s']]
        orl['total_wall_s'] = round(sum(parts), 1) if None not in parts else None
    return out


def _scores(plan: Plan) -> Dict[str, dict]:
    out = {}
    for method, folder in plan.eval_dirs.items():
        svm = read_json(osp.join(folder, 'svm.json')) or {}
        knn = read_json(osp.join(folder, 'knn.json')) or {}
        out[method] = dict(
            svm_map={k: round(v['mAP'], 2) for k, v in svm.get('layers', {}).items()},
            knn={k: round(v, 2) for k, v in knn.get('scores', {}).items()},
            knn_k_used=knn.get('k_used', {}),
            knn_metric=knn.get('metric'),
            weights=METHODS[method].transfer if method in plan.runs else None)
    return out


def loss_note(methods) -> str:
    """One line ``label: note`` per trained method whose record has a ``loss_note``."""
    import orl_mm.models  # noqa: F401  (registers the method records)
    from orl_mm.structures.method import get_method
    notes = [(METHODS[m].label, get_method(m).loss_note) for m in methods]
    return '\n'.join(f'{label}: {note}' for label, note in notes if note)


def draw_loss_figure(plan: Plan) -> Optional[str]:
    """The loss curves of every trained method in one figure; its path (None if nothing
    was logged)."""
    runs = {}
    for method, run in plan.runs.items():
        keys = ('loss', ) + METHODS[method].loss_terms
        runs[METHODS[method].label] = curves(read_scalars(run.work_dir), keys)
    if not any(runs.values()):
        return None
    plot_loss_curves(runs, plan.figures['losses'], note=loss_note(plan.runs))
    return plan.figures['losses']


def collect(plan: Plan, wall: float, stage_summary: Dict[str, dict]) -> dict:
    """Everything the report shows, as one JSON-able dict."""
    quality = None
    if plan.stage2_dir:
        quality = read_json(osp.join(plan.stage2_dir, 'quality.json'))
    figures = {k: osp.relpath(plan.figures[k], plan.report_dir) for k in figure_titles()
               if k in plan.figures and osp.isfile(plan.figures[k])}
    recorded = [_seconds(plan, s.name) for s in plan.stages]
    return dict(methods=plan.methods, data_root=plan.data_root, wall_seconds=round(wall, 1),
                stage_seconds=round(sum(t for t in recorded if t is not None), 1),
                stages=stage_summary, compute=_compute(plan), frozen_features=_scores(plan),
                stage2_quality=quality, figures=figures,
                figure_notes=dict(losses=loss_note(plan.runs)) if 'losses' in figures else {},
                exports={k: osp.relpath(v, plan.work_dir) for k, v in plan.exports.items()})


def fmt(value) -> str:
    if value is None:
        return '–'
    if isinstance(value, float):
        return f'{value:.2f}' if math.isfinite(value) else str(value)
    return str(value)


def knn_header(k: str, scores: Dict[str, dict]) -> str:
    """``'k-NN k=100'``, or ``'k-NN k=100 (used 32)'`` when the training split is smaller
    than k (the k used, from ``knn.json``'s ``k_used``, is the same for every method)."""
    used = {s.get('knn_k_used', {}).get(k) for s in scores.values()} - {None}
    if used and used != {int(k)}:
        return f'k-NN k={k} (used {"/".join(str(u) for u in sorted(used))})'
    return f'k-NN k={k}'


def tables(report: dict) -> List[dict]:
    """The report's tables as ``dict(title, header, rows, note)`` (markdown and HTML)."""
    out = []
    compute = report['compute']
    if compute:
        rows = []
        for method, c in compute.items():
            rows.append([METHODS[method].label, c['epochs'], c['batch_size'], c['iters'],
                         c['images_per_s'], c['iter_seconds'], c['timed_iters'],
                         c['train_wall_s'],
                         c.get('stage2_wall_s'), c.get('total_wall_s')])
        out.append(dict(
            title='Compute: same images, same epochs, random initialisation',
            header=['method', 'epochs', 'batch', 'iterations', 'images/s',
                    'mean iteration time (s)', 'timed iterations', 'training wall (s)',
                    'ORL stage 2 (s)', 'ORL total: BYOL + stage 2 + stage 3 (s)'],
            rows=rows,
            note='mean iteration time: mean of mmengine\'s logged iteration `time` (data + '
                 'step) over the timed iterations; batch: of all processes; images/s = '
                 'batch / that mean; wall times include start-up and checkpointing (all '
                 'runs of the stage).'))
    scores = report['frozen_features']
    if scores:
        layers = sorted({k for s in scores.values() for k in s['svm_map']},
                        key=LAYER_ORDER.index)
        ks = sorted({k for s in scores.values() for k in s['knn']}, key=int)
        metric = next((s['knn_metric'] for s in scores.values() if s['knn_metric']), '')
        rows = [[METHODS[m].label, s['weights']] + [s['svm_map'].get(k) for k in layers]
                + [s['knn'].get(k) for k in ks] for m, s in scores.items()]
        out.append(dict(
            title='Frozen features: linear SVM mAP per layer and k-NN ' + metric + ' (res5)',
            header=['method', 'weights'] + [f'SVM {k}' for k in layers]
            + [knn_header(k, scores) for k in ks],
            rows=rows,
            note='Same labelled images, same train/test split and settings for every method; '
                 'SlotCon is evaluated and exported with its teacher backbone, as the paper '
                 'transfers it.'))
    quality = report['stage2_quality']
    if quality:
        out.append(dict(
            title='ORL stage 2: mined pairs vs random pairs (ground truth: IoU ≥ 0.5, '
                  'same category)',
            header=['pairs', 'mined correct (%)', 'random correct (%)', 'mined / random'],
            rows=[[quality['num_pairs'], 100 * quality['mined_fraction'],
                   100 * quality['random_fraction'], quality['ratio']]], note=''))
    return out


def footer(report: dict) -> str:
    """The closing line: the time of all stages (over resumes) and of this invocation."""
    return (f'Time of all stages (summed over runs and resumes): {report["stage_seconds"]:.0f} s; '
            f'this invocation: {report["wall_seconds"]:.0f} s.')


def figure_note(report: dict, key: str) -> str:
    """The words under figure ``key`` (the loss figure: how each method's loss is scaled)."""
    note = report.get('figure_notes', {}).get(key)
    return 'Loss scales: ' + '; '.join(note.splitlines()) + '.' if note else ''


def render_markdown(report: dict) -> str:
    """``report.md``: the tables, then the figures as image links (report-relative)."""
    lines = ['# Object-level pre-training: ' + ', '.join(
        METHODS[m].label for m in report['methods']), '']
    for table in tables(report):
        lines += [f'## {table["title"]}', '',
                  '| ' + ' | '.join(table['header']) + ' |',
                  '|' + '---|' * len(table['header'])]
        lines += ['| ' + ' | '.join(fmt(v) for v in row) + ' |' for row in table['rows']]
        lines += ['', table['note'], ''] if table['note'] else ['']
    titles = figure_titles()
    for key, path in report['figures'].items():
        lines += [f'## {titles[key]}', '', f'![{key}]({path})', '']
        lines += [figure_note(report, key), ''] if figure_note(report, key) else []
    if report['exports']:
        lines += ['## Transfer weights', ''] + [
            f'- {METHODS[m].label}: `{p}`' for m, p in report['exports'].items()] + ['']
    lines.append(footer(report))
    return '\n'.join(lines) + '\n'
