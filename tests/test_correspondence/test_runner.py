"""Stage 2 end to end on a few real photos (downscaled), resume, and bad input."""
import filecmp
import json
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from PIL import Image

from orl_mm.correspondence import FileWriter, load_correspondence
from orl_mm.correspondence.images import read_image_bgr
from orl_mm.correspondence.proposals import ProposalSettings, filter_proposals, selective_search
from orl_mm.correspondence.runner import Stage2Config, Stage2Error, run_stage2

NAMES = ['000000000009.jpg', '000000000025.jpg', '000000000030.jpg', '000000000034.jpg',
         '000000000036.jpg']
OUTPUTS = ['images.json', 'proposals.json', 'knn.json', 'correspondence.json',
           'pair_scores.json']


def make_cfg(img_dir, work_dir, ann_file=None, **kw):
    return Stage2Config(
        img_dir=img_dir, work_dir=work_dir, ann_file=ann_file,
        proposal=ProposalSettings(min_size=24, top_n=30), retrieval_resize=36, retrieval_crop=32,
        roi_size=32, batch_size=16, num_neighbours=3, proposal_workers=1, progress=False, **kw)


@pytest.fixture(scope='module')
def reference_run(small_coco, tiny_encoder, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('ref'))
    ann = osp.join(small_coco, 'annotations', 'instances_train2017.json')
    cfg = make_cfg(osp.join(small_coco, 'train2017'), work, ann)
    report = run_stage2(cfg, encoder=tiny_encoder)
    return cfg, report


def test_end_to_end(reference_run, small_coco):
    cfg, report = reference_run
    corr = load_correspondence(osp.join(cfg.work_dir, 'correspondence.json'))
    assert corr.file_names == NAMES and len(corr) == 5
    assert corr.info == dict(bbox_min_size=24, bbox_max_aspect_ratio=3.0, bbox_max_iou=0.5,
                             intra_bbox_num=30, knn_image_num=3, knn_bbox_pair_ratio=0.1)
    for i, name in enumerate(NAMES):
        # the boxes are exactly the filtered selective-search boxes of the image
        raw = selective_search(read_image_bgr(osp.join(cfg.img_dir, name)), seed=0)
        assert corr.boxes[i] == filter_proposals(raw, 24, 3.0, 0.5, 30).tolist()
        assert len(corr.neighbours[i]) == 3 and i not in corr.neighbours[i]
        for k, j in enumerate(corr.neighbours[i]):
            pairs = corr.neighbour_pairs[i][k]
            assert len(pairs) == max(1, int(0.1 * len(corr.boxes[i])))
            assert all(p[:4] in corr.boxes[i] and p[4:] in corr.boxes[j] for p in pairs)
    # each image's RoIs went through the backbone exactly once
    assert report['roi']['forwards'] == sum(len(b) for b in corr.boxes)
    assert report['knn']['forwards'] == 5
    q = report['quality']
    assert q['num_pairs'] == sum(len(p) for ps in corr.neighbour_pairs for p in ps)
    assert json.load(open(osp.join(cfg.work_dir, 'quality.json')))['num_pairs'] == q['num_pairs']
    scores = json.load(open(osp.join(cfg.work_dir, 'pair_scores.json')))['scores']
    assert all(np.all(np.diff(s) <= 0) for per in scores for s in per)


def test_production_pairs_equal_the_naive_reembedding(reference_run, tiny_encoder):
    """The roi step's cache (each image embedded once) and the pairs step give exactly the
    pairs of the reference way, which re-embeds every neighbour's RoIs for each query."""
    from orl_mm.correspondence.embed import bgr_to_rgb, embed_image_rois
    from orl_mm.testing.pair_mining import mine_pairs_naive
    cfg, report = reference_run
    corr = load_correspondence(osp.join(cfg.work_dir, 'correspondence.json'))
    assert max(len(b) for b in corr.boxes) > cfg.batch_size  # several chunks per image
    rgbs = [bgr_to_rgb(read_image_bgr(osp.join(cfg.img_dir, n))) for n in corr.file_names]
    settings = cfg.embed_settings()

    def embed(i):
        return embed_image_rois(tiny_encoder, rgbs[i], corr.boxes[i], settings)

    before = tiny_encoder.forward_count
    naive = mine_pairs_naive(corr.neighbours, [np.asarray(b) for b in corr.boxes], embed,
                             cfg.pair_ratio)
    assert naive == corr.neighbour_pairs
    assert tiny_encoder.forward_count - before == sum(
        len(corr.boxes[i]) + sum(len(corr.boxes[j]) for j in corr.neighbours[i])
        for i in range(len(corr)))
    assert report['roi']['forwards'] == sum(len(b) for b in corr.boxes)


def test_rerun_does_nothing_and_step_alone(reference_run, tiny_encoder):
    cfg, _ = reference_run
    before = {n: os.stat(osp.join(cfg.work_dir, n)).st_mtime_ns for n in OUTPUTS}
    report = run_stage2(cfg, encoder=tiny_encoder)
    assert report['proposals']['computed'] == 0 and report['roi']['computed'] == 0
    assert report['pairs']['computed'] == 0 and report['knn']['forwards'] == 0
    # re-running the pairs step alone rewrites the same bytes
    shutil.copy(osp.join(cfg.work_dir, 'correspondence.json'), osp.join(cfg.work_dir, 'c0'))
    run_stage2(cfg, steps=['pairs'])
    assert filecmp.cmp(osp.join(cfg.work_dir, 'c0'), osp.join(cfg.work_dir,
                                                              'correspondence.json'), False)
    assert before['proposals.json'] == os.stat(osp.join(cfg.work_dir,
                                                        'proposals.json')).st_mtime_ns


class _Killed(BaseException):
    pass


class KillingWriter(FileWriter):
    """Writes ``n`` files of one kind (``'json'`` or ``'npy'``), then dies (a kill)."""

    def __init__(self, kind, n):
        self.kind, self.left = kind, n

    def _count(self, kind):
        if kind == self.kind:
            if self.left == 0:
                raise _Killed()
            self.left -= 1

    def json(self, obj, path):
        self._count('json')
        super().json(obj, path)

    def npy(self, array, path):
        self._count('npy')
        super().npy(array, path)


def test_resume_after_interruptions_is_byte_identical(reference_run, tiny_encoder, tmp_path):
    ref_cfg, _ = reference_run
    cfg = make_cfg(ref_cfg.img_dir, str(tmp_path / 'w'), ref_cfg.ann_file)
    # images.json + proposals/settings.json + 2 proposal parts, then killed
    with pytest.raises(_Killed):
        run_stage2(cfg, encoder=tiny_encoder, writer=KillingWriter('json', 4))
    assert len(os.listdir(osp.join(cfg.work_dir, 'proposals', 'parts', '00000'))) == 2
    # knn shard + 2 RoI caches, then killed
    with pytest.raises(_Killed):
        report = run_stage2(cfg, encoder=tiny_encoder, writer=KillingWriter('npy', 3))
    # a stray temporary file from a kill during a write is harmless
    open(osp.join(cfg.work_dir, 'roi_feats', '.stray.npy.tmp'), 'w').write('x')
    report = run_stage2(cfg, encoder=tiny_encoder)
    assert report['proposals']['computed'] == 0  # finished in the second run
    assert report['roi']['computed'] == 3  # 2 of 5 were done before the kill
    for name in OUTPUTS + ['quality.json']:
        assert filecmp.cmp(osp.join(ref_cfg.work_dir, name), osp.join(cfg.work_dir, name),
                           shallow=False), name


def test_changed_settings_stop_cleanly(reference_run, tiny_encoder, tmp_path):
    ref_cfg, _ = reference_run
    work = str(tmp_path / 'w')
    shutil.copytree(ref_cfg.work_dir, work)
    cfg = make_cfg(ref_cfg.img_dir, work, ref_cfg.ann_file)
    cfg.proposal.min_size = 32
    with pytest.raises(Stage2Error, match='min_size'):
        run_stage2(cfg, steps=['proposals'])


def test_empty_folder_and_missing_file(tmp_path, small_coco):
    os.makedirs(tmp_path / 'empty')
    with pytest.raises(Stage2Error, match='no image found'):
        run_stage2(make_cfg(str(tmp_path / 'empty'), str(tmp_path / 'w1')))
    ann = osp.join(small_coco, 'annotations', 'instances_train2017.json')
    os.makedirs(tmp_path / 'partial')
    shutil.copy(osp.join(small_coco, 'train2017', NAMES[0]), tmp_path / 'partial')
    with pytest.raises(Stage2Error, match=NAMES[1]):
        run_stage2(make_cfg(str(tmp_path / 'partial'), str(tmp_path / 'w2'), ann))


@pytest.fixture(scope='module')
def bad_folder(small_coco, tmp_path_factory):
    """Two good photos plus every kind of awkward file."""
    d = tmp_path_factory.mktemp('bad')
    src = osp.join(small_coco, 'train2017')
    shutil.copy(osp.join(src, NAMES[0]), d / 'a_good.jpg')
    shutil.copy(osp.join(src, NAMES[1]), d / 'b_good.jpg')
    rgb = cv2.cvtColor(cv2.imread(osp.join(src, NAMES[2])), cv2.COLOR_BGR2RGB)
    Image.fromarray(rgb).convert('L').save(d / 'c_gray.png')
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 128, np.uint8)])
    Image.fromarray(rgba, 'RGBA').save(d / 'd_rgba.png')
    Image.fromarray(rgb).convert('CMYK').save(d / 'e_cmyk.jpg')
    cv2.imwrite(str(d / 'f_16bit.png'), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR).astype(np.uint16)
                * 257)
    cv2.imwrite(str(d / 'g_tiny.png'), cv2.resize(rgb, (20, 16)))
    (d / 'h_corrupt.jpg').write_bytes(b'not an image at all' * 10)
    data = open(osp.join(src, NAMES[3]), 'rb').read()
    (d / 'i_truncated.jpg').write_bytes(data[:len(data) // 2])
    return str(d)


def test_image_modes_decode_to_bgr(bad_folder):
    good = read_image_bgr(osp.join(bad_folder, 'a_good.jpg'))
    assert good.dtype == np.uint8 and good.shape[2] == 3
    gray = read_image_bgr(osp.join(bad_folder, 'c_gray.png'))
    assert (gray[..., 0] == gray[..., 1]).all() and (gray[..., 1] == gray[..., 2]).all()
    rgba = read_image_bgr(osp.join(bad_folder, 'd_rgba.png'))
    assert rgba.shape[2] == 3
    w16 = read_image_bgr(osp.join(bad_folder, 'f_16bit.png'))
    assert w16.dtype == np.uint8 and w16.shape[2] == 3
    np.testing.assert_array_equal(w16, cv2.imread(osp.join(bad_folder, 'd_rgba.png'))[..., :3])
    cmyk = read_image_bgr(osp.join(bad_folder, 'e_cmyk.jpg'))
    assert cmyk.shape == rgba.shape
    from orl_mm.correspondence.images import ImageReadError
    for name in ('h_corrupt.jpg', 'i_truncated.jpg'):
        with pytest.raises(ImageReadError, match=name):
            read_image_bgr(osp.join(bad_folder, name))


def test_bad_images_stop_cleanly_then_skip(bad_folder, tiny_encoder, tmp_path):
    cfg = make_cfg(bad_folder, str(tmp_path / 'w'))
    with pytest.raises(Stage2Error) as err:
        run_stage2(cfg, encoder=tiny_encoder)
    msg = str(err.value)
    assert 'h_corrupt.jpg' in msg and 'i_truncated.jpg' in msg and 'skip-bad-images' in msg
    assert 'a_good.jpg' not in msg
    for name in ('h_corrupt.jpg', 'i_truncated.jpg'):  # their errors are recorded
        assert 'error' in json.load(open(osp.join(
            cfg.work_dir, 'proposals', 'parts', '00000',
            f'{sorted(os.listdir(bad_folder)).index(name):08d}.json')))
    # nothing is lost: the second run reuses every proposal
    cfg.skip_bad_images = True
    report = run_stage2(cfg, encoder=tiny_encoder)
    assert report['proposals']['computed'] == 0
    corr = load_correspondence(osp.join(cfg.work_dir, 'correspondence.json'))
    assert corr.file_names == ['a_good.jpg', 'b_good.jpg', 'c_gray.png', 'd_rgba.png',
                               'e_cmyk.jpg', 'f_16bit.png', 'g_tiny.png']
    props = json.load(open(osp.join(cfg.work_dir, 'proposals.json')))
    assert [b['file_name'] for b in props['skipped']] == ['h_corrupt.jpg', 'i_truncated.jpg']
    # a 20x16 image: no box survives the filter, so the first raw box is kept
    tiny = read_image_bgr(osp.join(bad_folder, 'g_tiny.png'))
    assert corr.boxes[6] == [selective_search(tiny, 0)[0].tolist()]


def test_step_alone_with_other_settings_stops_naming_them(reference_run, tmp_path):
    """`--steps pairs --knn 2` on a K = 3 work dir must not write knn_image_num: 2."""
    ref_cfg, _ = reference_run
    work = str(tmp_path / 'w')
    shutil.copytree(ref_cfg.work_dir, work)
    cfg = make_cfg(ref_cfg.img_dir, work, ref_cfg.ann_file)
    cfg.num_neighbours = 2
    with pytest.raises(Stage2Error, match=r'knn step .*\(k: 3 -> 2\)'):
        run_stage2(cfg, steps=['pairs'])
    cfg = make_cfg(ref_cfg.img_dir, work, ref_cfg.ann_file)
    cfg.proposal.top_n = 20
    with pytest.raises(Stage2Error, match=r'proposals step .*top_n: 30 -> 20'):
        run_stage2(cfg, steps=['roi'])
    # info comes from the records of the steps that produced the data
    os.remove(osp.join(work, 'correspondence.json'))
    run_stage2(make_cfg(ref_cfg.img_dir, work, ref_cfg.ann_file), steps=['pairs'])
    info = load_correspondence(osp.join(work, 'correspondence.json')).info
    assert info['knn_image_num'] == 3 and info['intra_bbox_num'] == 30


def test_one_index_per_image_when_images_are_skipped(small_coco, tiny_encoder, tmp_path):
    """Every per-image file is keyed by the image list's index, also after a skipped image."""
    d = tmp_path / 'imgs'
    os.makedirs(d)
    (d / 'a_corrupt.jpg').write_bytes(b'not an image' * 10)
    for k, name in enumerate(NAMES[:3]):
        shutil.copy(osp.join(small_coco, 'train2017', name), d / f'b{k}.jpg')
    cfg = make_cfg(str(d), str(tmp_path / 'w'), skip_bad_images=True)
    cfg.num_neighbours = 2
    run_stage2(cfg, encoder=tiny_encoder)
    names = json.load(open(osp.join(cfg.work_dir, 'images.json')))['file_name']
    assert names == ['a_corrupt.jpg', 'b0.jpg', 'b1.jpg', 'b2.jpg']
    for step, folder, ext in (('proposals', 'proposals/parts', '.json'),
                              ('roi', 'roi_feats', '.npy'), ('pairs', 'pairs/parts', '.json')):
        files = sorted(os.listdir(osp.join(cfg.work_dir, folder, '00000')))
        want = [f'{i:08d}{ext}' for i in (range(4) if step == 'proposals' else (1, 2, 3))]
        assert files == want, step
    for i in (1, 2, 3):
        part = json.load(open(osp.join(cfg.work_dir, 'pairs', 'parts', '00000', f'{i:08d}.json')))
        assert part['file_name'] == names[i]
        feats = np.load(osp.join(cfg.work_dir, 'roi_feats', '00000', f'{i:08d}.npy'))
        props = json.load(open(osp.join(cfg.work_dir, 'proposals', 'parts', '00000',
                                        f'{i:08d}.json')))
        assert len(feats) == len(props['boxes'])
    knn = json.load(open(osp.join(cfg.work_dir, 'knn.json')))
    assert knn['images'] == [1, 2, 3] and all(set(n) <= {1, 2, 3} for n in knn['neighbours'])
    corr = load_correspondence(osp.join(cfg.work_dir, 'correspondence.json'))
    assert corr.file_names == names[1:] and all(
        set(k) <= {0, 1, 2} for k in corr.neighbours)  # positions in the file


def test_float16_roi_cache(reference_run, tiny_encoder, tmp_path):
    """--roi-dtype float16 stores exactly the float32 embeddings rounded to float16 (half
    the disk) and records the choice; boxes and neighbours do not change."""
    ref_cfg, _ = reference_run
    cfg = make_cfg(ref_cfg.img_dir, str(tmp_path / 'w'), ref_cfg.ann_file, roi_dtype='float16')
    run_stage2(cfg, encoder=tiny_encoder)
    for i in range(5):
        name = osp.join('roi_feats', '00000', f'{i:08d}.npy')
        half, full = np.load(osp.join(cfg.work_dir, name)), np.load(osp.join(ref_cfg.work_dir,
                                                                             name))
        assert half.dtype == np.float16 and full.dtype == np.float32
        np.testing.assert_array_equal(half, full.astype(np.float16))
    record = json.load(open(osp.join(cfg.work_dir, 'roi_feats', 'settings.json')))
    assert record['settings']['dtype'] == 'float16'
    ref = load_correspondence(osp.join(ref_cfg.work_dir, 'correspondence.json'))
    corr = load_correspondence(osp.join(cfg.work_dir, 'correspondence.json'))
    assert corr.boxes == ref.boxes and corr.neighbours == ref.neighbours


def test_approximate_align_mode_one_forward_per_image(reference_run, tiny_encoder, tmp_path):
    """roi_mode='align' (off by default): one backbone forward per image, RoIAlign on res5
    for every box; unit-norm embeddings of every box, recorded as its own mode."""
    ref_cfg, _ = reference_run
    assert 'mode' not in json.load(open(osp.join(ref_cfg.work_dir, 'roi_feats',
                                                 'settings.json')))['settings']
    cfg = make_cfg(ref_cfg.img_dir, str(tmp_path / 'w'), ref_cfg.ann_file, roi_mode='align')
    report = run_stage2(cfg, encoder=tiny_encoder)
    assert report['roi']['forwards'] == 5  # one per image, not one per box
    corr = load_correspondence(osp.join(cfg.work_dir, 'correspondence.json'))
    for i in range(5):
        feats = np.load(osp.join(cfg.work_dir, 'roi_feats', '00000', f'{i:08d}.npy'))
        assert feats.shape == (len(corr.boxes[i]), 512)
        np.testing.assert_allclose(np.linalg.norm(feats, axis=1), 1, atol=1e-5)
    record = json.load(open(osp.join(cfg.work_dir, 'roi_feats', 'settings.json')))
    assert record['settings']['mode'] == 'align'
