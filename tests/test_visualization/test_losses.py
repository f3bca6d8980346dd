"""Loss curves from mmengine's scalars.json (orl_mm.visualization.losses)."""
import json

import cv2
import numpy as np
import pytest

from orl_mm.visualization.losses import curves, plot_loss_curves, read_scalars, training_throughput


def _log(folder, records):
    folder.mkdir(parents=True)
    with open(folder / 'scalars.json', 'w') as f:
        for r in records:
            f.write(json.dumps(r) + '\n')


def test_resumed_runs_are_merged_by_step(tmp_path):
    _log(tmp_path / '20260101_000000' / 'vis_data',
         [dict(step=1, loss=3., time=0.5), dict(step=2, loss=2.5, time=0.5),
          dict(lr=0.1), dict(step=3, loss=9., time=1.)])  # step 3 redone after the kill
    _log(tmp_path / '20260101_010000' / 'vis_data',
         [dict(step=3, loss=2., time=0.25, loss_box=2.), dict(step=4, loss=1.5, time=0.25)])
    with open(tmp_path / '20260101_010000' / 'vis_data' / 'scalars.json', 'a') as f:
        f.write('{"step": 5, "lo')  # a line cut by a kill
    records = read_scalars(str(tmp_path))
    assert [r['step'] for r in records] == [1, 2, 3, 4]
    assert [r['loss'] for r in records] == [3., 2.5, 2., 1.5]
    # the mean iteration time of the four logged iterations, not their sum
    assert training_throughput(records, batch_size=8) == dict(
        iters=4, iter_seconds=0.375, timed_iters=4, images_per_s=round(8 / 0.375, 2))
    c = curves(records, ('loss', 'loss_box', 'loss_absent'))
    assert set(c) == {'loss', 'loss_box'}
    np.testing.assert_array_equal(c['loss_box'][0], [3])


def test_one_figure_one_panel_per_run(tmp_path):
    steps = np.arange(1, 6)
    runs = {'ORL': {'loss': (steps, steps * 1.), 'loss_intra': (steps, steps * .3)},
            'SCRL': {'loss': (steps, -steps * 1.)}, 'empty': {}}
    out = str(tmp_path / 'losses.png')
    plot_loss_curves(runs, out)
    img = cv2.imread(out)
    assert img is not None and img.shape[1] == 2 * 360  # two panels of 3.6 in at 100 dpi
    with pytest.raises(ValueError, match='no logged losses'):
        plot_loss_curves({'x': {}}, out)


def test_a_loss_note_is_printed_under_the_panels(tmp_path):
    steps = np.arange(1, 6)
    runs = {'BYOL': {'loss': (steps, -steps * 1.)}, 'ORL': {'loss': (steps, steps * 1.)}}
    plain, noted = str(tmp_path / 'plain.png'), str(tmp_path / 'noted.png')
    plot_loss_curves(runs, plain)
    plot_loss_curves(runs, noted, note='BYOL: -4 to 0\nORL: 0 to 12')
    a, b = cv2.imread(plain, cv2.IMREAD_GRAYSCALE), cv2.imread(noted, cv2.IMREAD_GRAYSCALE)
    assert b.shape[0] == a.shape[0] + 40  # two lines of 0.2 in at 100 dpi
    assert b[-25:, :200].min() < 128  # dark text in the bottom-left strip
