"""The ORL proposal filter on hand-made boxes, and selective search on a real photo."""
import os.path as osp

import cv2
import numpy as np
import pytest

from orl_mm.correspondence.proposals import (ProposalSettings, box_iou_xywh, compute_proposals,
                                             filter_proposals, search_boxes, search_scale,
                                             selective_search)


def test_iou_exact_values():
    a = np.array([0, 0, 100, 100], float)
    boxes = np.array([[0, 0, 100, 100], [50, 0, 100, 100], [200, 200, 10, 10]], float)
    np.testing.assert_allclose(box_iou_xywh(a, boxes), [1.0, 50 / 150, 0.0])


def test_size_and_aspect_ratio_thresholds_are_inclusive():
    boxes = np.array([
        [0, 0, 96, 96],     # kept: exactly min size
        [0, 0, 95, 200],    # dropped: w < 96
        [300, 0, 288, 96],  # kept: aspect exactly 3
        [0, 300, 97, 300],  # dropped: h / w > 3 (3.09)
        [600, 600, 100, 301],  # dropped: 3.01
    ])
    out = filter_proposals(boxes)
    assert out.tolist() == [[0, 0, 96, 96], [300, 0, 288, 96]]


def test_greedy_dedup_keeps_order_and_iou_ties():
    # IoU of box 1 with box 0 is exactly 0.5 (kept: the rule drops > 0.5),
    # box 2 overlaps box 1 by 0.6 and box 0 by ~0.43 -> dropped because of box 1 (a kept box)
    b0 = [0, 0, 150, 100]
    b1 = [50, 0, 150, 100]    # inter 100x100=10000, union 20000 -> 0.5
    b2 = [70, 0, 150, 100]    # with b1: inter 130*100=13000 / 17000 = 0.76
    b3 = [1000, 1000, 100, 100]
    out = filter_proposals(np.array([b0, b1, b2, b3]))
    assert out.tolist() == [b0, b1, b3]
    # order matters: the same boxes reversed keep a different set
    out = filter_proposals(np.array([b3, b2, b1, b0]))
    assert out.tolist() == [b3, b2, b0]  # b1 overlaps b2 by 0.76; b0 vs b2: 80*100/22000


def test_top_n_and_fallback():
    boxes = np.array([[200 * i, 0, 100, 100] for i in range(7)])
    assert filter_proposals(boxes, top_n=3).tolist() == boxes[:3].tolist()
    small = np.array([[5, 5, 20, 30], [0, 0, 50, 50]])
    out = filter_proposals(small)
    assert out.tolist() == [[5, 5, 20, 30]]  # nothing survives: the first raw box
    assert filter_proposals(np.zeros((0, 4))).shape == (0, 4)


def test_settings_are_configurable():
    boxes = np.array([[0, 0, 40, 40], [0, 0, 40, 200], [100, 100, 40, 40]])
    out = filter_proposals(boxes, min_size=32, max_aspect_ratio=6, max_iou=0.3, top_n=2)
    assert out.tolist() == [[0, 0, 40, 40], [0, 0, 40, 200]]
    assert ProposalSettings().info() == dict(bbox_min_size=96, bbox_max_aspect_ratio=3.0,
                                             bbox_max_iou=0.5, intra_bbox_num=100)


@pytest.fixture(scope='module')
def small_photo(coco128, tmp_path_factory):
    img = cv2.imread(osp.join(coco128, 'train2017', '000000000009.jpg'))
    small = cv2.resize(img, (160, 120), interpolation=cv2.INTER_AREA)
    path = str(tmp_path_factory.mktemp('ss') / 'small.png')
    cv2.imwrite(path, small)
    return path, small


def test_selective_search_real_photo(small_photo):
    path, img = small_photo
    raw = selective_search(img)
    assert raw.ndim == 2 and raw.shape[1] == 4 and len(raw) > 10
    assert (raw[:, 2] > 0).all() and (raw[:, 0] + raw[:, 2] <= 160).all()
    # deterministic, in OpenCV's order
    np.testing.assert_array_equal(raw, selective_search(img))
    res = compute_proposals(img, ProposalSettings(min_size=24))
    expected = filter_proposals(raw, min_size=24)
    assert res['boxes'] == expected.tolist()
    assert (res['width'], res['height'], res['num_raw']) == (160, 120, len(raw))


def test_bounded_search_maps_boxes_back_to_original_pixels(small_photo):
    _, img = small_photo
    res = compute_proposals(img, ProposalSettings(min_size=24, max_pixels=80 * 60))
    assert res['scale'] == pytest.approx(0.5) and (res['width'], res['height']) == (160, 120)
    # the boxes are the search of the half-size copy, scaled by 2 (exact for a factor 2)
    half = cv2.resize(img, (80, 60), interpolation=cv2.INTER_AREA)
    expected = filter_proposals(selective_search(half) * 2, min_size=24)
    assert res['boxes'] == expected.tolist()
    boxes = np.array(res['boxes'])
    assert (boxes[:, 0] + boxes[:, 2] <= 160).all() and (boxes[:, 1] + boxes[:, 3] <= 120).all()
    # max_side does the same
    res2 = compute_proposals(img, ProposalSettings(min_size=24, max_side=80))
    assert res2['boxes'] == res['boxes']


def _blocks(width, height):
    """Flat coloured rectangles: few segments, so selective search is fast."""
    img = np.full((height, width, 3), 40, np.uint8)
    rng = np.random.default_rng(0)
    for _ in range(12):
        x, y = rng.integers(0, width * 3 // 4), rng.integers(0, height * 3 // 4)
        w, h = rng.integers(width // 8, width // 3), rng.integers(height // 8, height // 3)
        img[y:y + h, x:x + w] = rng.integers(60, 255, 3)
    return img


def test_default_bound_keeps_coco_sizes_identical_and_bounds_large_images():
    """Every COCO size (at most 640x640) is searched as it is under the default bound;
    a synthetic 1600x1200 image is searched on a copy of at most max_pixels (a small bound
    here, to keep the test fast) with boxes in original pixels; max_pixels=0 never scales."""
    default = ProposalSettings()
    assert search_scale(640, 640, default) == 1.0 and search_scale(480, 640, default) == 1.0
    scale = search_scale(3391, 6028, default)  # a 20 MP photo
    assert int(6028 * scale) * int(3391 * scale) <= default.max_pixels
    assert search_scale(3391, 6028, ProposalSettings(max_pixels=0)) == 1.0
    small_img = _blocks(160, 120)
    raw, scale = search_boxes(small_img, default)  # below the bound: the plain search
    assert scale == 1.0
    np.testing.assert_array_equal(raw, selective_search(small_img, default.seed))
    large = cv2.resize(_blocks(200, 150), (1600, 1200), interpolation=cv2.INTER_NEAREST)
    bounded = ProposalSettings(min_size=24, max_pixels=30_000)
    raw, scale = search_boxes(large, bounded)
    side = (int(1600 * scale), int(1200 * scale))
    assert side[0] * side[1] <= 30_000 and scale == pytest.approx((30_000 / 1600 / 1200)**.5)
    small = cv2.resize(large, side, interpolation=cv2.INTER_AREA)
    copy_boxes = selective_search(small, 0)
    assert len(raw) == len(copy_boxes)
    # each box covers its copy box mapped back (floor / ceil), inside the image
    sx = side[0] / 1600
    np.testing.assert_array_equal(raw[:, 0], np.floor(copy_boxes[:, 0] / sx))
    assert raw[:, 0].min() >= 0 and (raw[:, 0] + raw[:, 2]).max() <= 1600
    assert (raw[:, 1] + raw[:, 3]).max() <= 1200 and (raw[:, 0] + raw[:, 2]).max() > 1500
    res = compute_proposals(large, bounded)
    assert res['scale'] == scale and (res['width'], res['height']) == (1600, 1200)
    assert res['boxes'] == filter_proposals(raw, 24).tolist()
