"""tools/misc/check_report_html.py: the report page in headless Chromium (skips without it)."""
import base64

import cv2
import numpy as np
import pytest

from orl_mm.testing.cli import load_tool

TOOL = 'tools/misc/check_report_html.py'


def _page(tmp_path, broken: bool) -> str:
    ok, png = cv2.imencode('.png', np.full((30, 40, 3), (0, 0, 255), np.uint8))
    good = 'data:image/png;base64,' + base64.b64encode(png.tobytes()).decode()
    bad = 'data:image/png;base64,' + base64.b64encode(b'not a png').decode()
    page = tmp_path / ('broken.html' if broken else 'good.html')
    page.write_text('<!DOCTYPE html><html><body><h1>r</h1>'
                    f'<img id="a" src="{good}"><img id="b" src="{bad if broken else good}">'
                    '</body></html>')
    return str(page)


def test_every_figure_renders_and_a_broken_one_is_caught(tmp_path, capsys):
    tool = load_tool(TOOL)
    if tool.find_chromium() is None:
        pytest.skip('no Chromium on PATH (Debian: apt-get install chromium; or set CHROMIUM)')
    shot = str(tmp_path / 'shot.png')
    assert tool.main([_page(tmp_path, False), '--screenshot', shot, '--height', '300']) == 0
    assert 'all 2 images rendered' in capsys.readouterr().out
    img = cv2.imread(shot)
    assert img.shape == (300, 1400, 3)
    assert (np.abs(img.astype(int) - (0, 0, 255)).sum(-1) < 30).sum() >= 0.9 * 2 * 30 * 40
    assert tool.main([_page(tmp_path, True)]) == 1
    assert 'b: 0x0 NOT RENDERED' in capsys.readouterr().out
