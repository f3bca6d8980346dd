"""SCRL's box pairs in its two views (orl_mm.visualization.scrl_boxes)."""
import os.path as osp

import cv2
import numpy as np
from mmengine.config import Config

from orl_mm.visualization.scrl_boxes import draw_scrl_boxes, sample_scrl_views


def _to_image(box, crop, flipped, view_w, view_h):
    """A view's box back in original-image pixels (undo the flip, then the crop's zoom)."""
    x1, y1, x2, y2 = box
    if flipped:
        x1, x2 = view_w - x2, view_w - x1
    sx = (crop[2] - crop[0]) / view_w
    sy = (crop[3] - crop[1]) / view_h
    return np.array([crop[0] + x1 * sx, crop[1] + y1 * sy, crop[0] + x2 * sx, crop[1] + y2 * sy])


def test_views_and_boxes_come_from_the_config_pipeline(repo_root, demo_root, tmp_path):
    cfg = Config.fromfile(osp.join(repo_root, 'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py'))
    path = osp.join(demo_root, 'train2017', 'demo_000001.jpg')
    sample = sample_scrl_views(cfg, path, seed=0)
    valid = sample['box_valid']
    assert valid.sum() >= 3
    view_h, view_w = sample['views'][0].shape[:2]
    assert (view_h, view_w) == (96, 96) and sample['image'].shape == (256, 320, 3)
    assert sample['view_boxes'].shape[:2] == (2, len(valid))
    for b in np.flatnonzero(valid):  # box b is one image region, seen in both views
        in_image = [_to_image(sample['view_boxes'][v, b], sample['crop_box'][v],
                              sample['flip'][v], view_w, view_h) for v in range(2)]
        np.testing.assert_allclose(in_image[0], in_image[1], atol=0.5)
    again = sample_scrl_views(cfg, path, seed=0)
    np.testing.assert_array_equal(again['view_boxes'], sample['view_boxes'])  # seeded

    out = str(tmp_path / 'boxes.png')
    sheet = draw_scrl_boxes(sample, out, size=128)
    assert sheet.shape[0] == 128 + 22
    assert sheet.shape[1] == round(320 * 128 / 256) + 2 * (8 + 128)
    assert cv2.imread(out).shape == sheet.shape


def test_the_image_is_shown_as_the_pipeline_decodes_it(repo_root, tmp_path):
    """An EXIF-rotated JPEG: the crop boxes refer to the stored pixels (no EXIF rotation,
    as SCRL's PIL loader), so the figure's image must not be rotated either."""
    from PIL import Image
    cfg = Config.fromfile(osp.join(repo_root, 'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py'))
    path = str(tmp_path / 'rotated.jpg')
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    pixels = np.random.RandomState(0).randint(0, 256, (120, 200, 3), np.uint8)
    Image.fromarray(pixels).save(path, exif=exif.tobytes())
    sample = sample_scrl_views(cfg, path, seed=0)
    assert sample['image'].shape == (120, 200, 3)
    crops = np.asarray(sample['crop_box'])
    assert crops[:, 2].max() <= 200 and crops[:, 3].max() <= 120
