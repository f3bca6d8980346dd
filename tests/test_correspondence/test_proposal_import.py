"""Importing ORL's released selective-search file instead of running selective search."""
import filecmp
import hashlib
import json
import os
import os.path as osp

import numpy as np
import pytest

import orl_mm.correspondence.proposals as proposals_module
from orl_mm.correspondence.images import read_image_bgr
from orl_mm.correspondence.proposal_import import _Stream, check_boxes, parse_boxes
from orl_mm.correspondence.proposals import ProposalSettings, selective_search
from orl_mm.correspondence.runner import Stage2Config, Stage2Error, run_stage2
from .conftest import SMALL_NAMES

LAYOUTS = [
    {"bbox": [[[0, 0, 10, 10], [1, 2, 3, 4]], [5, 6, 7, 8], [], [[9, 9, 9, 9]]]},
    {"bbox": []},
]


def make_cfg(img_dir, work_dir, ann_file=None, **kw):
    kw = dict(dict(proposal_workers=1), **kw)
    return Stage2Config(
        img_dir=img_dir, work_dir=work_dir, ann_file=ann_file,
        proposal=ProposalSettings(min_size=24, top_n=30), retrieval_resize=36, retrieval_crop=32,
        roi_size=32, batch_size=16, num_neighbours=3, progress=False, **kw)


def write_reference(path, boxes):
    """The reference's writer: ``json.dump({'bbox': ...}, f)``; a one-box image is flat
    (its collector squeezes 1 x 1 x 4 to 4)."""
    bbox = [b[0] if len(b) == 1 else b for b in boxes]
    with open(path, 'w') as f:
        json.dump(dict(bbox=bbox), f)
    return str(path)


@pytest.fixture(scope='module')
def raw_boxes(small_coco):
    """Raw boxes per image that selective search would not give (reversed order), one
    image with the whole-image box only (stored flat), in the image order of the JSON."""
    out = []
    for i, name in enumerate(SMALL_NAMES):
        img = read_image_bgr(osp.join(small_coco, 'train2017', name))
        h, w = img.shape[:2]
        raw = selective_search(img, seed=0)[::-1].tolist()
        out.append([[0, 0, w, h]] if i == 1 else raw)
    return out


def _fake_search(small_coco, boxes):
    by_pixels = {hashlib.sha1(read_image_bgr(osp.join(small_coco, 'train2017', n)).tobytes())
                 .hexdigest(): b for n, b in zip(SMALL_NAMES, boxes)}

    def fake(img_bgr, seed=0):
        return np.asarray(by_pixels[hashlib.sha1(img_bgr.tobytes()).hexdigest()],
                          dtype=np.int64).reshape(-1, 4)
    return fake


def _tree(root):
    return sorted(osp.relpath(osp.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


@pytest.mark.parametrize('kw', [dict(), dict(indent=2), dict(separators=(',', ':'))])
def test_stream_cuts_every_layout_at_any_chunk_size(tmp_path, kw):
    for data in LAYOUTS:
        path = tmp_path / 'f.json'
        path.write_text(json.dumps(data, **kw))
        for chunk in (1, 2, 3, 5, 7, 11, 64):
            texts = list(_Stream(str(path), chunk).images())
            assert [json.loads(t) for t in texts] == data['bbox']
    assert [parse_boxes(t).tolist() for t in texts] == []
    assert parse_boxes('[5, 6, 7, 8]').tolist() == [[5, 6, 7, 8]]  # the squeezed one box
    assert parse_boxes('[]').shape == (0, 4)
    assert parse_boxes('[[1.0, 2.0, 3.0, 4.0]]').dtype == np.int64


@pytest.mark.parametrize('text, words', [
    ('{"boxes": [[[0, 0, 1, 1]]]}', 'its only key "bbox"'),
    ('[[[0, 0, 1, 1]]]', 'a JSON object'),
    ('{"bbox": [[[0, 0, 1, 1]], [[0, 0, 1', 'truncated'),
    ('{"bbox": [[[0, 0, 1, 1]] [[0, 0, 1, 1]]]}', "expected ',' or ']'"),
    ('{"bbox": [7]}', 'image 0: its boxes must be a list'),
    ('{"bbox": [[[0, 0, 1, 1]]]} x', 'text after'),
])
def test_bad_layouts_are_named(tmp_path, text, words):
    path = tmp_path / 'bad.json'
    path.write_text(text)
    with pytest.raises(Stage2Error) as err:
        list(_Stream(str(path), 4).images())
    assert words in str(err.value)


def test_parse_and_check_boxes():
    for text in ('[[1, 2, 3]]', '[[1, 2, 3, 4], [1, 2]]', '[[1.5, 2, 3, 4]]', '["a"]'):
        with pytest.raises(ValueError):
            parse_boxes(text)
    raw = np.array([[0, 0, 100, 50], [10, 10, 20, 20]])
    assert check_boxes(raw, 100, 50) is None
    assert 'reach only 100x50 of its 100x60' in check_boxes(raw, 100, 60)
    assert check_boxes(raw, 100, 60, extent_check=False) is None
    assert '1 of its 2 boxes (e.g. [0, 0, 100, 50]) lie outside its 99x50' in \
        check_boxes(raw, 99, 50)


def test_imported_run_equals_a_selective_search_run_that_found_those_boxes(
        small_coco, raw_boxes, tiny_encoder, tmp_path, monkeypatch):
    img_dir = osp.join(small_coco, 'train2017')
    ann = osp.join(small_coco, 'annotations', 'instances_train2017.json')
    src = write_reference(tmp_path / 'train2017_selective_search_proposal.json', raw_boxes)
    assert json.load(open(src))['bbox'][1] == raw_boxes[1][0]  # flat, as the reference
    imported = make_cfg(img_dir, str(tmp_path / 'imported'), ann, proposals_from=[src])
    with monkeypatch.context() as m:  # the import must not run selective search
        m.setattr(proposals_module, 'selective_search', None)
        report = run_stage2(imported, encoder=tiny_encoder)
    assert report['proposals']['imported'] == [osp.basename(src)]
    searched = make_cfg(img_dir, str(tmp_path / 'searched'), ann)
    with monkeypatch.context() as m:
        m.setattr(proposals_module, 'selective_search', _fake_search(small_coco, raw_boxes))
        run_stage2(searched, encoder=tiny_encoder)
    for name in ('correspondence.json', 'proposals.json', 'knn.json', 'pair_scores.json'):
        assert filecmp.cmp(osp.join(imported.work_dir, name), osp.join(searched.work_dir, name),
                           shallow=False), name
    parts = [p for p in _tree(osp.join(searched.work_dir, 'proposals', 'parts'))]
    assert len(parts) == 5
    for p in parts:
        assert filecmp.cmp(osp.join(imported.work_dir, 'proposals', 'parts', p),
                           osp.join(searched.work_dir, 'proposals', 'parts', p), shallow=False)
    props = json.load(open(osp.join(imported.work_dir, 'proposals.json')))
    assert props['boxes'][1] == [raw_boxes[1][0]]
    assert props['num_raw_boxes'] == [len(b) for b in raw_boxes]
    # what selective search itself finds differs: the test would catch an ignored file
    real = make_cfg(img_dir, str(tmp_path / 'real'), ann)
    run_stage2(real, steps=['proposals'])
    assert json.load(open(osp.join(real.work_dir, 'proposals.json')))['boxes'] != \
        props['boxes']
    # a second run of the import does nothing
    again = run_stage2(imported, steps=['proposals'])
    assert again['proposals']['computed'] == 0


def test_process_pool_writes_the_same_parts(small_coco, raw_boxes, tmp_path):
    img_dir = osp.join(small_coco, 'train2017')
    src = write_reference(tmp_path / 'ss.json', raw_boxes)
    ann = osp.join(small_coco, 'annotations', 'instances_train2017.json')
    one = make_cfg(img_dir, str(tmp_path / 'one'), ann, proposals_from=[src])
    two = make_cfg(img_dir, str(tmp_path / 'two'), ann, proposals_from=[src],
                   proposal_workers=2)
    run_stage2(one, steps=['proposals'])
    run_stage2(two, steps=['proposals'])
    assert filecmp.cmp(osp.join(one.work_dir, 'proposals.json'),
                       osp.join(two.work_dir, 'proposals.json'), shallow=False)


@pytest.mark.parametrize('change, words', [
    ('drop', 'hold the proposals of 4 images but the image list has 5'),
    ('extra', 'of 6 images but the image list has 5'),
    ('swap', 'does not match the image list (nothing was written)'),
])
def test_count_or_order_mismatch_stops_and_writes_nothing(small_coco, raw_boxes, tmp_path,
                                                          change, words):
    boxes = dict(drop=raw_boxes[:4], extra=raw_boxes + raw_boxes[:1],
                 swap=[raw_boxes[4]] + raw_boxes[1:4] + [raw_boxes[0]])[change]
    src = write_reference(tmp_path / 'ss.json', boxes)
    ann = osp.join(small_coco, 'annotations', 'instances_train2017.json')
    cfg = make_cfg(osp.join(small_coco, 'train2017'), str(tmp_path / 'w'), ann,
                   proposals_from=[src])
    with pytest.raises(Stage2Error) as err:
        run_stage2(cfg, steps=['proposals'])
    assert words.replace('hold ', 'holds ') in str(err.value) or words in str(err.value)
    if change == 'swap':  # image 0 gets the boxes of the 160x213 image
        assert 'image 0 (000000000009.jpg)' in str(err.value)
    assert not osp.exists(osp.join(cfg.work_dir, 'proposals', 'parts'))
    assert not osp.exists(osp.join(cfg.work_dir, 'proposals.json'))


def test_imported_and_searched_proposals_never_mix(small_coco, raw_boxes, tmp_path):
    img_dir = osp.join(small_coco, 'train2017')
    ann = osp.join(small_coco, 'annotations', 'instances_train2017.json')
    src = write_reference(tmp_path / 'ss.json', raw_boxes)
    work = str(tmp_path / 'w')
    run_stage2(make_cfg(img_dir, work, ann, proposals_from=[src]), steps=['proposals'])
    before = open(osp.join(work, 'proposals.json')).read()
    for steps in (['proposals'], ['knn']):  # selective search, or a later step without it
        with pytest.raises(Stage2Error, match='imported_proposals: True -> None'):
            run_stage2(make_cfg(img_dir, work, ann), steps=steps)
    other = write_reference(tmp_path / 'other.json', raw_boxes[::-1])
    with pytest.raises(Stage2Error, match="imported from \\['ss.json'\\]"):
        run_stage2(make_cfg(img_dir, work, ann, proposals_from=[other]), steps=['proposals'])
    assert open(osp.join(work, 'proposals.json')).read() == before
    # and the other way round: selective search first, then an import
    work2 = str(tmp_path / 'w2')
    run_stage2(make_cfg(img_dir, work2, ann), steps=['proposals'])
    with pytest.raises(Stage2Error, match='imported_proposals: None -> True'):
        run_stage2(make_cfg(img_dir, work2, ann, proposals_from=[src]), steps=['proposals'])


def test_several_files_are_concatenated_and_the_cli_passes_them(
        small_coco, raw_boxes, tmp_path):
    from .test_defaults import _discover
    img_dir = osp.join(small_coco, 'train2017')
    ann = osp.join(small_coco, 'annotations', 'instances_train2017.json')
    a = write_reference(tmp_path / 'a.json', raw_boxes[:2])
    b = write_reference(tmp_path / 'b.json', raw_boxes[2:])
    discover = _discover()
    args = discover.parse_args(['cfg.py', 'ckpt.pth', '--work-dir', str(tmp_path / 'two'),
                                '--img-dir', img_dir, '--ann-file', ann, '--device', 'cpu',
                                '--proposals-from', a, b, '--min-size', '24', '--top-n', '30',
                                '--no-progress', '--workers', '1'])
    cfg = discover.build_config(args)
    assert cfg.proposals_from == [a, b] and cfg.proposals_extent_check
    run_stage2(cfg, steps=['proposals'])
    one = make_cfg(img_dir, str(tmp_path / 'one'), ann,
                   proposals_from=[write_reference(tmp_path / 'all.json', raw_boxes)])
    run_stage2(one, steps=['proposals'])
    assert filecmp.cmp(osp.join(cfg.work_dir, 'proposals.json'),
                       osp.join(one.work_dir, 'proposals.json'), shallow=False)
