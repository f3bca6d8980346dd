"""ORL/BYOL configs follow the reference: PIL bilinear resampling, no EXIF rotation, the
unjittered box for intra patch 1, mixed precision on GPUs and fp32 for the tiny CPU ones."""
import inspect
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import AmpOptimWrapper, OptimWrapper, build_optim_wrapper
from mmpretrain.registry import TRANSFORMS
from PIL import Image

import orl_mm  # noqa: F401
from orl_mm.datasets.transforms import box_iou_xywh
from orl_mm.testing.configs import train_pipelines
from orl_mm.utils.configs import iter_transforms

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FULL = [f'configs/orl/{algo}_resnet50_8xb64-coslr-800e_{data}.py'
        for algo in ('byol', 'orl') for data in ('coco', 'coco-plus')]
TINY = [f'configs/orl/{algo}_resnet18_1xb8-tiny-2e_demo.py' for algo in ('byol', 'orl')]


@pytest.mark.parametrize('config', FULL + TINY)
def test_resampling_and_decoding_as_the_reference(config):
    for pipeline in train_pipelines(osp.join(REPO, config)):
        transforms = list(iter_transforms(pipeline))
        loads = [t for t in transforms if t['type'].startswith('Load')]
        # PIL's Image.open(...).convert('RGB'): no EXIF rotation (decoded in
        # tests/test_configs/test_sibling_pipelines.py), PIL images to the end of each view
        assert loads and all(t['type'] == 'LoadImagePIL' for t in loads)
        crops = [t for t in transforms if t['type'] in ('PILRandomResizedCrop', 'RoICrop')]
        assert len(crops) == (2 if 'byol' in config else 6)
        for t in crops:
            assert (t['interpolation'], t['backend']) == ('bilinear', 'pillow'), t
            if t['type'] == 'PILRandomResizedCrop':  # torchvision's defaults
                assert t['crop_ratio_range'] == [0.08, 1.]
                assert t['aspect_ratio_range'] == pytest.approx([3 / 4, 4 / 3])


@pytest.mark.parametrize('config', FULL + TINY)
def test_mixed_precision_on_gpus_fp32_on_cpu(config):
    cfg = Config.fromfile(osp.join(REPO, config))
    if config in TINY:
        assert cfg.optim_wrapper.type == 'OptimWrapper'
        wrapper = build_optim_wrapper(torch.nn.Linear(2, 2), cfg.optim_wrapper)
        assert type(wrapper) is OptimWrapper  # fp32
    else:
        # the reference's use_fp16=True (apex amp O1: fp16 autocast, dynamic loss scale)
        assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
        loss_scale = cfg.optim_wrapper.get(
            'loss_scale', inspect.signature(AmpOptimWrapper).parameters['loss_scale'].default)
        assert loss_scale == 'dynamic'


def _geometry_only(pipeline):
    """The branch pipelines without flips and colour (what remains is deterministic given
    the jitter's draws)."""
    keep = ('RandomResizedCrop', 'RoICrop', 'RoIJitter')
    multi = next(t for t in pipeline if t['type'] == 'MultiBranch')
    for branch in multi['branches']:
        branch['pipeline'] = [t for t in branch['pipeline'] if t['type'] in keep]
    return multi


@pytest.mark.parametrize('config', [FULL[2], TINY[1]])
def test_intra_patch_1_is_the_unjittered_box(config):
    """Reference ORLDataset: ipatch1 from ibox1 itself, ipatch2 from aug_bbox(ibox1)."""
    (pipeline, ) = train_pipelines(osp.join(REPO, config))
    multi = TRANSFORMS.build(_geometry_only(pipeline))
    rng = np.random.RandomState(0)
    np.random.seed(0)
    img = rng.randint(0, 256, size=(240, 320, 3)).astype(np.uint8)
    nbr = rng.randint(0, 256, size=(200, 260, 3)).astype(np.uint8)
    box = [40, 30, 150, 120]
    size = [t for t in iter_transforms(pipeline) if t['type'] == 'RoICrop'][0]['size']
    expected = np.asarray(
        Image.fromarray(img).crop((40, 30, 190, 150)).resize((size, size), Image.BILINEAR))
    n_moved = 0
    for _ in range(10):
        out = multi(dict(img=img, neighbour_img=nbr, img_shape=img.shape[:2],
                         intra_box=list(box), inter_query_box=[0, 0, 50, 50],
                         inter_key_box=[10, 10, 60, 60]))
        assert out['branch_rois'][2] == box
        np.testing.assert_array_equal(out['img'][2], expected)
        jittered = out['branch_rois'][3]
        assert box_iou_xywh(jittered, box) > 0.5
        n_moved += jittered != box
    assert n_moved >= 9  # patch 2 is a jittered copy
