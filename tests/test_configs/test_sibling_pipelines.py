"""SCRL's and SlotCon's tiny CPU configs run their full configs' pipelines, apart from sizes."""
import os.path as osp

import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS
from PIL import Image

import orl_mm  # noqa: F401
from orl_mm.datasets.transforms import image_hw
from orl_mm.testing.configs import SIZE_KEYS, pipeline_difference, train_pipelines
from orl_mm.utils.configs import iter_transforms, with_sizes

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: SCRL's smallest box side is a size too (16 px at 96 px views, 32 px at 224)
SIBLING_SIZE_KEYS = {**SIZE_KEYS, 'SCRLBoxSampler': ('min_size', )}

#: (tiny config, full configs whose pipelines it must equal apart from sizes)
PAIRS = [
    ('configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py',
     ('configs/scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py',
      'configs/scrl/scrl_resnet50_32xb256-lars-coslr-200e_in1k.py')),
    ('configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py',
     ('configs/slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py', )),
]
IDS = [osp.basename(p[0]) for p in PAIRS]


@pytest.mark.parametrize('tiny,fulls', PAIRS, ids=IDS)
def test_tiny_pipeline_is_the_full_one_apart_from_sizes(tiny, fulls):
    (tiny_pipeline, ) = train_pipelines(osp.join(REPO, tiny))
    for full in fulls:
        for full_pipeline in train_pipelines(osp.join(REPO, full)):
            diff = pipeline_difference(tiny_pipeline, full_pipeline, SIBLING_SIZE_KEYS)
            assert diff == '', f'{tiny} vs {full}:\n{diff}'
    crops = [t['scale'] for t in iter_transforms(tiny_pipeline)
             if t['type'] == 'RandomResizedCropWithBox']
    assert len(crops) == 2 and all(s < 224 for s in crops)  # the sizes did differ


@pytest.mark.parametrize('tiny,fulls', PAIRS, ids=IDS)
def test_comparison_sees_a_lost_or_changed_transform(tiny, fulls):
    (tiny_pipeline, ) = train_pipelines(osp.join(REPO, tiny))
    (full_pipeline, ) = train_pipelines(osp.join(REPO, fulls[0]))
    no_gray = [dict(t, transforms=[[v for v in view if v['type'] != 'PILRandomGrayscale']
                                   for view in t['transforms']])
               if t['type'] == 'MultiViewWithGeometry' else t for t in tiny_pipeline]
    assert 'PILRandomGrayscale' in pipeline_difference(no_gray, full_pipeline, SIBLING_SIZE_KEYS)
    bilinear = with_sizes(tiny_pipeline,
                          RandomResizedCropWithBox=dict(interpolation='bilinear'))
    assert 'bilinear' in pipeline_difference(bilinear, full_pipeline, SIBLING_SIZE_KEYS)


def test_scrl_views_blur_by_resizing_slotcon_views_by_gaussian():
    """SCRL's reference blurs by bicubic down/up resizing (p = 1.0 / 0.1), SlotCon's with a
    PIL Gaussian (p = 1.0 / 0.1); both resize crops bicubic."""
    for tiny, fulls in PAIRS:
        for config in (tiny, ) + fulls:
            (pipeline, ) = train_pipelines(osp.join(REPO, config))
            views = next(t for t in pipeline if t['type'] == 'MultiViewWithGeometry')['transforms']
            blur = 'ResizeBlur' if 'scrl' in config else 'PILGaussianBlur'
            probs = [[t['prob'] for t in view if t['type'] == blur] for view in views]
            assert probs == [[1.], [0.1]], (config, probs)
            assert all(view[0]['interpolation'] == 'bicubic' for view in views)
            other = 'PILGaussianBlur' if blur == 'ResizeBlur' else 'ResizeBlur'
            assert not any(t['type'] in (other, 'GaussianBlur')
                           for view in views for t in view)


def _jpeg_with_exif_rotation(path):
    """A JPEG stored 40 wide and 20 high, tagged EXIF Orientation = 6 (rotate to show)."""
    pixels = np.random.RandomState(0).randint(0, 256, (20, 40, 3), np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(path, exif=exif.tobytes())
    return str(path)


@pytest.mark.parametrize('config', [c for tiny, fulls in PAIRS for c in (tiny, ) + fulls])
def test_images_are_decoded_without_exif_rotation(config, tmp_path):
    """SCRL and SlotCon read images with PIL, which does not apply the EXIF orientation:
    the pixels stay as stored (as do COCO's boxes and sizes)."""
    path = _jpeg_with_exif_rotation(tmp_path / 'rotated.jpg')
    rotated = TRANSFORMS.build(dict(type='LoadImageFromFile'))(dict(img_path=path))
    assert rotated['img'].shape == (40, 20, 3)  # the default decoding rotates this file
    for pipeline in train_pipelines(osp.join(REPO, config)):
        loads = [t for t in iter_transforms(pipeline) if t['type'].startswith('Load')]
        assert loads, config
        for step in loads:
            out = TRANSFORMS.build(step)(dict(img_path=path, neighbour_img_path=path))
            assert image_hw(out[step.get('out_key', 'img')]) == (20, 40), (config, step)
