"""Stage 2's defaults have one source: the settings dataclasses (argparse reads them)."""
import dataclasses
import os.path as osp

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
    cfg = Stage2Config(proposal=ProposalSettings(min_size=24, top_n=7), knn_k=3,
                       pair_ratio=0.25)
    assert cfg.info() == dict(bbox_min_size=24, bbox_max_aspect_ratio=3.0, bbox_max_iou=0.5,
                              intra_bbox_num=7, knn_image_num=3, knn_bbox_pair_ratio=0.25)
    # a file built without settings records stage 2's defaults
    assert Correspondence(['a.jpg'], [0], [[]], [[]], [[]]).info == Stage2Config().info()
