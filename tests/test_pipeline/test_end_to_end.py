"""tools/pipeline.py end to end: all methods on a tiny setting, the report and its figures."""
import json
import math
import os.path as osp
import sys

import cv2
import pytest

from orl_mm.demo import build_demo_dataset
from orl_mm.testing.cli import run_tool

FIGURES = ('losses', 'pairs', 'scrl_boxes', 'prototypes', 'attention')


@pytest.mark.slow
def test_all_methods_report_rows_and_figures(repo_root, tmp_path):
    data = build_demo_dataset(str(tmp_path / 'demo'), num_images=16)
    work = tmp_path / 'work'
    cmd = [sys.executable, osp.join(repo_root, 'tools', 'pipeline.py'), '--data-root', data,
           '--work-dir', str(work), '--epochs', '2', '--fig-size', '64']
    run_tool(cmd, repo_root, timeout=1800)
    report = json.loads((work / 'report' / 'report.json').read_text())

    methods = ['byol', 'orl', 'scrl', 'slotcon', 'densecl', 'random']  # every record
    assert report['methods'] == methods
    scores = report['frozen_features']
    assert list(scores) == methods  # a row per method
    for method, row in scores.items():
        values = list(row['svm_map'].values()) + list(row['knn'].values())
        assert len(row['svm_map']) == 5 and len(row['knn']) == 4
        assert all(math.isfinite(v) and 0 <= v <= 100 for v in values), (method, row)
    assert scores['slotcon']['weights'] == 'target'
    compute = report['compute']
    assert list(compute) == ['byol', 'orl', 'scrl', 'slotcon', 'densecl']
    for method, row in compute.items():
        assert row['epochs'] == 2 and row['iters'] == 4  # 16 images, batch 8, 2 epochs
        assert row['images_per_s'] > 0 and row['train_wall_s'] > 0
    assert compute['orl']['stage2_wall_s'] > 0
    assert compute['orl']['total_wall_s'] == pytest.approx(
        compute['byol']['train_wall_s'] + compute['orl']['stage2_wall_s']
        + compute['orl']['train_wall_s'], abs=0.2)
    assert math.isfinite(report['stage2_quality']['ratio'])

    assert sorted(report['figures']) == sorted(FIGURES)
    html = (work / 'report' / 'report.html').read_text()
    markdown = (work / 'report' / 'report.md').read_text()
    for key, rel in report['figures'].items():
        path = work / 'report' / rel
        assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
        img = cv2.imread(str(path))
        assert img is not None and min(img.shape[:2]) >= 32, key
        assert f'id="{key}" alt="{key}" src="data:image/png;base64,' in html
        assert f'![{key}]({rel})' in markdown
    for method in ('BYOL', 'ORL', 'SCRL', 'SlotCon', 'DenseCL', 'random init'):
        assert f'| {method} |' in markdown
    for method in ('byol', 'orl', 'scrl', 'slotcon', 'densecl'):
        assert (work / 'export' / f'{method}.pth').is_file()

    out = run_tool(cmd, repo_root, timeout=600)  # everything complete: all skipped
    assert 'running' not in out and out.count('complete, skipped') == len(
        json.loads((work / 'report' / 'report.json').read_text())['stages'])
