"""Stage 2's defaults have one source: the settings dataclasses (argparse reads them)."""
import dataclasses
import os.path as osp

import pytest

from orl_mm.correspondence import ProposalSettings, Stage2Config
from orl_mm.correspondence.embed import EmbedSettings
from orl_mm.structures.correspondence import Correspondence
from orl_mm.testing.cli import load_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _discover():
    return load_tool('tools/stage2/discover.py')


def test_command_line_defaults_are_the_dataclass_defaults(tmp_path):
    discover = _discover()
    args = discover.parse_args(['cfg.py', 'ckpt.pth', '--work-dir', str(tmp_path),
                                '--img-dir', str(tmp_path), '--device', 'cpu'])
    cfg = discover.build_config(args)
    default = Stage2Config()
    own = {'img_dir', 'work_dir', 'ann_file', 'sources', 'root', 'config', 'checkpoint',
           'device', 'proposal_workers'}  # given above, or worked out by the tool
    for f in dataclasses.fields(Stage2Config):
        if f.name not in own:
            assert getattr(cfg, f.name) == getattr(default, f.name), f.name
    assert cfg.proposal == ProposalSettings()
    assert cfg.embed_settings() == EmbedSettings()


def test_info_follows_the_settings():
    cfg = Stage2Config(proposal=ProposalSettings(min_size=24, top_n=7), num_neighbours=3,
                       pair_ratio=0.25)
    assert cfg.info() == dict(bbox_min_size=24, bbox_max_aspect_ratio=3.0, bbox_max_iou=0.5,
                              intra_bbox_num=7, knn_image_num=3, knn_bbox_pair_ratio=0.25)
    # a file built without settings records stage 2's defaults
    assert Correspondence(['a.jpg'], [0], [[]], [[]], [[]]).info == Stage2Config().info()


def test_old_flag_names_are_aliases_of_the_new_ones(tmp_path):
    """Issue 19 renamed --knn, --knn-resize, --knn-crop and --workers; the old flags stay."""
    discover = _discover()
    base = ['cfg.py', 'ckpt.pth', '--work-dir', str(tmp_path), '--img-dir', str(tmp_path),
            '--device', 'cpu']
    old = discover.build_config(discover.parse_args(
        base + ['--knn', '3', '--knn-resize', '36', '--knn-crop', '32', '--workers', '2']))
    new = discover.build_config(discover.parse_args(
        base + ['--num-neighbours', '3', '--retrieval-resize', '36', '--retrieval-crop', '32',
                '--proposal-workers', '2']))
    assert old == new
    assert (new.num_neighbours, new.retrieval_resize, new.retrieval_crop,
            new.proposal_workers) == (3, 36, 32, 2)


def test_from_dict_reads_the_old_field_names():
    cfg = Stage2Config.from_dict(dict(knn_k=3, knn_resize=36, knn_crop=32))
    assert (cfg.num_neighbours, cfg.retrieval_resize, cfg.retrieval_crop) == (3, 36, 32)
    assert Stage2Config.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="'num_neighbours' or its old name 'knn_k'"):
        Stage2Config.from_dict(dict(knn_k=3, num_neighbours=4))


def test_retrieval_record_keeps_the_keys_of_existing_work_dirs():
    """knn/settings.json of a work dir made before the renames must still match."""
    from orl_mm.correspondence.steps import RetrievalStep
    cfg = Stage2Config(num_neighbours=3, retrieval_resize=36, retrieval_crop=32)
    assert RetrievalStep().settings(cfg) == dict(checkpoint='random-init', resize=36, crop=32,
                                                 k=3)
    assert RetrievalStep.name == 'knn'  # folder, knn.json, records' inputs, --steps knn
