"""The report's compute table and loss-figure caption (orl_mm.pipeline.report)."""
from orl_mm.pipeline.html import render_html
from orl_mm.pipeline.report import loss_note, render_markdown, tables


def _report(**extra):
    compute = dict(byol=dict(epochs=2, batch_size=8, iters=48, iter_seconds=0.36,
                             timed_iters=48, images_per_s=22.22, train_wall_s=30.))
    report = dict(methods=['byol'], compute=compute, frozen_features={}, stage2_quality=None,
                  figures={}, exports={}, stage_seconds=30., wall_seconds=31.)
    return dict(report, **extra)


def test_compute_table_shows_the_mean_iteration_time_and_its_count():
    table = tables(_report())[0]
    row = dict(zip(table['header'], table['rows'][0]))
    assert row['mean iteration time (s)'] == 0.36
    assert row['timed iterations'] == 48
    assert 'iteration time (s)' not in table['header']


def test_loss_note_names_the_scale_of_each_method_that_has_one():
    note = loss_note(['byol', 'scrl', 'orl'])
    lines = note.splitlines()
    assert lines[0].startswith("BYOL: mmpretrain's convention") and '-4 to 0' in lines[0]
    assert lines[1].startswith('ORL: ')
    assert 'ORL' not in lines[0]  # each line speaks of its own method only
    assert len(lines) == 2  # SCRL has no note


def test_markdown_and_html_print_the_loss_note_under_the_figure(tmp_path):
    import cv2
    import numpy as np
    cv2.imwrite(str(tmp_path / 'losses.png'), np.zeros((4, 4, 3), np.uint8))
    report = _report(figures=dict(losses='losses.png'),
                     figure_notes=dict(losses=loss_note(['byol'])))
    markdown = render_markdown(report)
    assert "![losses](losses.png)\n\nLoss scales: BYOL: mmpretrain's convention" in markdown
    html = render_html(report, str(tmp_path))
    assert 'Loss scales: BYOL: mmpretrain&#x27;s convention' in html


def test_compute_counts_the_images_of_all_processes(tmp_path):
    """A run on 2 processes of batch 8 sees 16 images an iteration."""
    import json

    from orl_mm.pipeline.plan import Plan, Run
    from orl_mm.pipeline.report import collect
    logs = tmp_path / 'train' / '20260101_000000' / 'vis_data'
    logs.mkdir(parents=True)
    logs.joinpath('scalars.json').write_text(''.join(
        json.dumps(dict(step=s, loss=-1., time=0.5)) + '\n' for s in (1, 2)))
    plan = Plan(str(tmp_path), str(tmp_path), ['byol'])
    plan.runs['byol'] = Run('byol', str(tmp_path / 'train'), 'epoch_2.pth', 8, 2, 'c.py', [],
                            18, processes=2)
    compute = collect(plan, 1., {})['compute']['byol']
    assert compute['batch_size'] == 16 and compute['images_per_s'] == 32.
    assert compute['iters'] == 2
