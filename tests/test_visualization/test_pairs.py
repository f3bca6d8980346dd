"""The pair sheet: the right pairs, the right tiles."""
import cv2
import numpy as np

from orl_mm.correspondence import Correspondence
from orl_mm.visualization.pairs import draw_pair_sheet, top_pairs


def test_sheet(tmp_path):
    a = np.zeros((100, 200, 3), np.uint8)
    a[10:50, 20:80] = (255, 0, 0)  # blue block (BGR)
    b = np.zeros((120, 120, 3), np.uint8)
    b[60:100, 60:120] = (255, 0, 0)
    cv2.imwrite(str(tmp_path / 'a.png'), a)
    cv2.imwrite(str(tmp_path / 'b.png'), b)
    corr = Correspondence(['a.png', 'b.png'], [0, 1], [[[20, 10, 60, 40], [0, 60, 100, 40]],
                                                       [[60, 60, 60, 40]]],
                          [[1], [0]], [[[[20, 10, 60, 40, 60, 60, 60, 40],
                                         [0, 60, 100, 40, 60, 60, 60, 40]]],
                                       [[[60, 60, 60, 40, 20, 10, 60, 40]]]])
    scores = [[[0.9, 0.2]], [[0.5]]]
    assert top_pairs(corr, scores, 2) == [(0.9, 0, 0, 0), (0.5, 1, 0, 0)]
    assert top_pairs(corr, scores, 5, one_per_image=False)[2] == (0.2, 0, 0, 1)
    assert top_pairs(corr, None, 5) == [(-0.0, 0, 0, 0), (-1.0, 1, 0, 0)]
    out = str(tmp_path / 'sheet.png')
    sheet = draw_pair_sheet(corr, str(tmp_path), top_pairs(corr, scores, 1), out, tile=64)
    assert sheet.shape == (22 + 64 + 6, 4 * 64 + 3 * 6, 3)
    assert (cv2.imread(out) == sheet).all()
    # the two crop tiles show the blue blocks only (query crop, neighbour crop)
    for t in (1, 2):
        crop_tile = sheet[22:22 + 64, t * 70:t * 70 + 64]
        blue = (crop_tile[..., 0] > 200) & (crop_tile[..., 2] < 50)
        white = (crop_tile == 255).all(-1)
        assert (blue | white).all() and blue.sum() > 64 * 30
