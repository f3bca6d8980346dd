"""The one-command pipeline (``tools/pipeline.py``): train every registered method (BYOL,
ORL, SCRL, SlotCon, DenseCL; :mod:`orl_mm.structures.method`) on the same images with the
same epochs, evaluate and export each the same way, and report.

- :mod:`.stages`: stages, skip/resume, fingerprints (a changed config re-runs a stage);
- :mod:`.methods`: the compared methods (the records), where the tools and configs are,
  how the runs are configured;
- :mod:`.plan`: every stage's command, outputs and dependencies;
- :mod:`.launch`: training and stage 2 on one process, under torchrun or on slurm;
- :mod:`.report`, :mod:`.html`: ``report.md``/``report.json`` and ``report.html``.
"""
import os.path as osp
from typing import Dict

from orl_mm.utils.io import atomic_write, atomic_write_json
from .html import render_html
from .launch import LAUNCHERS, LaunchOptions
from .methods import METHODS, parse_methods
from .plan import PipelineOptions, Plan, build_plan
from .report import collect, draw_loss_figure, render_markdown
from .stages import PipelineError, Stage, fingerprint, run_stages

__all__ = [
    'LAUNCHERS', 'LaunchOptions', 'METHODS', 'PipelineError', 'PipelineOptions', 'Plan',
    'Stage', 'build_plan', 'fingerprint', 'parse_methods', 'run_stages',
    'write_report'
]


def write_report(plan: Plan, wall: float, stage_summary: Dict[str, dict]) -> dict:
    """Draw the loss figure, then write ``report.json``, ``report.md`` and ``report.html``.

    Returns:
        The collected report (see :func:`orl_mm.pipeline.report.collect`).
    """
    draw_loss_figure(plan)
    report = collect(plan, wall, stage_summary)
    folder = plan.report_dir
    atomic_write_json(report, osp.join(folder, 'report.json'), indent=1)
    markdown = render_markdown(report)
    atomic_write(osp.join(folder, 'report.md'), lambda f: f.write(markdown), binary=False)
    page = render_html(report, folder)
    atomic_write(osp.join(folder, 'report.html'), lambda f: f.write(page), binary=False)
    return report
