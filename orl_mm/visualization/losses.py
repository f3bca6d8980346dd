"""Training curves from mmengine's logged scalars, several runs in one figure.

mmengine's ``LocalVisBackend`` appends one JSON line per logged iteration to
``<work_dir>/<timestamp>/vis_data/scalars.json`` (``step``, ``loss``, each ``loss_*`` term,
``lr``, ``time``...). A resumed run starts a new timestamp folder; :func:`read_scalars`
merges them, the later run winning for a step logged twice.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

from orl_mm.utils.io import atomic_write

__all__ = ['read_scalars', 'training_throughput', 'plot_loss_curves']

Curve = Tuple[np.ndarray, np.ndarray]  # steps, values


def read_scalars(work_dir: str) -> List[dict]:
    """The logged training records of a run, one per step, ordered by step.

    Args:
        work_dir: The run's ``--work-dir``.

    Returns:
        Dicts as mmengine logged them (records without ``step`` are left out); empty if
        nothing was logged.
    """
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    by_step: Dict[int, dict] = {}
    for path in files:  # timestamp folders sort by time
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a kill
                if 'step' in record and 'loss' in record:
                    by_step[int(record['step'])] = record
    return [by_step[s] for s in sorted(by_step)]


def training_throughput(records: Sequence[dict], batch_size: int) -> Dict[str, float]:
    """Mean iteration time and images per second from the logged ``time`` (data + step).

    Each record's ``time`` is the mean over the logger's window, so the mean of the records
    is the mean iteration time whether every iteration is logged (the tiny configs:
    ``interval=1``, ``window_size=1``) or one in ``interval`` with ``window_size`` equal.

    Returns:
        ``iters`` (the last logged step), ``iter_seconds`` (the mean iteration time),
        ``timed_iters`` (how many logged records it is the mean of) and ``images_per_s``
        (batch / mean time).
    """
    times = np.array([r['time'] for r in records if 'time' in r], np.float64)
    if not len(times) or times.mean() <= 0:
        return dict(iters=0, iter_seconds=0., timed_iters=0, images_per_s=0.)
    iters = int(max(r['step'] for r in records))
    return dict(iters=iters, iter_seconds=round(float(times.mean()), 4),
                timed_iters=len(times), images_per_s=round(batch_size / float(times.mean()), 2))


def curves(records: Sequence[dict], keys: Sequence[str]) -> Dict[str, Curve]:
    """``{key: (steps, values)}`` for the keys present in the records."""
    out = {}
    for key in keys:
        pts = [(r['step'], r[key]) for r in records if key in r]
        if pts:
            steps, values = zip(*pts)
            out[key] = (np.asarray(steps), np.asarray(values, np.float64))
    return out


def plot_loss_curves(runs: Dict[str, Dict[str, Curve]], out_file: str,
                     title: str = 'training losses', note: str = '') -> None:
    """One figure, one panel per run: the total ``loss`` (black) and each term.

    Args:
        runs: ``{label: {key: (steps, values)}}``, e.g. from :func:`curves`.
        out_file: PNG path.
        title: Figure title.
        note: Printed under the panels, one line per ``\\n`` (e.g. how each run's loss is
            scaled when the conventions differ).

    Raises:
        ValueError: If no run has a curve.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    runs = {label: c for label, c in runs.items() if c}
    if not runs:
        raise ValueError('no logged losses to plot')
    note_lines = note.splitlines()
    note_height = 0.2 * len(note_lines)  # inches
    fig, axes = plt.subplots(1, len(runs), figsize=(3.6 * len(runs), 3.2 + note_height),
                             squeeze=False)
    for ax, (label, run) in zip(axes[0], runs.items()):
        for key, (steps, values) in run.items():
            style = dict(color='black', lw=1.6) if key == 'loss' else dict(lw=1.0)
            ax.plot(steps, values, label=key, **style)
        ax.set_title(label)
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel('loss')
    fig.suptitle(title)
    fig.tight_layout(rect=(0, note_height / (3.2 + note_height), 1, 1))
    if note_lines:
        fig.text(0.01, 0.01, note, fontsize=7, ha='left', va='bottom', wrap=True)
    atomic_write(out_file, lambda f: fig.savefig(f, format='png', dpi=100))
    plt.close(fig)
