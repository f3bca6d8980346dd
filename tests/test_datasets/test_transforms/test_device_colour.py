"""The worker half of the device colour path: the PIL path's draws, recorded per view."""
import math
import random

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmpretrain.registry import DATASETS, MODELS, TRANSFORMS
from PIL import Image

import orl_mm  # noqa: F401
from orl_mm.models.data_preprocessors.device_colour_ops import FIELD, identity_params
from orl_mm.utils import colour_on_device_config

ORL = 'configs/orl/orl_resnet50_8xb64-coslr-800e_coco.py'
BYOL = 'configs/orl/byol_resnet50_8xb64-coslr-800e_coco.py'
SLOTCON = 'configs/slotcon/slotcon_resnet50_8xb64-lars-coslr-800e_coco.py'
SCRL = 'configs/scrl/scrl_resnet50_8xb64-lars-coslr-800e_coco.py'
ANN = 'annotations/instances_train2017.json'


def _seed(seed):
    np.random.seed(seed)
    random.seed(seed)


def _reference_colour_draws(blur_p, solarize_p):
    """The references' colour list's draws, in their order (test_pil_path's ``colour``):
    RandomApply(ColorJitter) p 0.8, RandomGrayscale (Python's random), blur, solarize."""
    params = identity_params()
    if np.random.rand() < 0.8:
        params[:4] = np.random.permutation(4)
        params[4:8] = [np.random.uniform(0.6, 1.4), np.random.uniform(0.6, 1.4),
                       np.random.uniform(0.8, 1.2), np.random.uniform(-0.1, 0.1)]
    params[FIELD['grey']] = random.random() < 0.2
    if not np.random.rand() > blur_p:
        params[FIELD['sigma']] = (np.random.uniform(0, 10) / 10) * 1.9 + 0.1
    if not np.random.rand() > solarize_p:
        params[FIELD['solarize_thr']] = 128
    return params


def _reference_view_draws(size):
    """RandomResizedCrop (numpy, scale (0.08, 1)) then the flip draw of a BYOL view."""
    height, width = size
    for _ in range(10):
        target = np.random.uniform(0.08, 1.) * height * width
        aspect = math.exp(np.random.uniform(math.log(3 / 4), math.log(4 / 3)))
        w, h = int(round(math.sqrt(target * aspect))), int(round(math.sqrt(target / aspect)))
        if 0 < w <= width and 0 < h <= height:
            np.random.randint(0, height - h + 1), np.random.randint(0, width - w + 1)
            break
    else:
        raise AssertionError('the test image never needs the fallback crop')
    np.random.choice(['horizontal', None], p=[0.5, 0.5])


def _device_pipeline(repo_root, config):
    cfg = Config.fromfile(f'{repo_root}/{config}')
    colour_on_device_config(cfg)
    return [TRANSFORMS.build(t) for t in cfg.train_dataloader.dataset.pipeline
            if t['type'] != 'LoadImagePIL']


@pytest.mark.parametrize('seed', range(8))
def test_byol_device_views_record_the_pil_paths_draws(repo_root, seed):
    """Same seeded streams: the recorded parameters are the reference's colour draws, in
    the order crop, flip, colour (view 1), then view 2: the draw order is pinned."""
    img = Image.fromarray(np.random.RandomState(seed).randint(0, 256, (120, 160, 3), np.uint8))
    _seed(seed)
    results = dict(img=img)
    for t in _device_pipeline(repo_root, BYOL):
        results = t(results)
    _seed(seed)
    expected = []
    for blur_p, solarize_p in ((1., 0.), (0.1, 0.2)):
        _reference_view_draws((120, 160))
        expected.append(_reference_colour_draws(blur_p, solarize_p))
    got = results['data_samples'].colour_params
    np.testing.assert_allclose(got, np.stack(expected), rtol=1e-6)
    assert [t.shape for t in results['inputs']] == [(3, 224, 224)] * 2


def test_records_out_of_order_and_partial_views_are_errors():
    grey = TRANSFORMS.build(dict(type='DeviceRandomGrayscale', prob=1.))
    blur = TRANSFORMS.build(dict(type='DeviceGaussianBlur', magnitude_range=(0.1, 2.),
                                 magnitude_std='inf', prob=1.))
    with pytest.raises(ValueError, match='order jitter, grayscale, blur, solarize'):
        grey(blur(dict(img=None)))
    view = [dict(type='DeviceRandomGrayscale', prob=1.), dict(type='PILToArray')]
    multi = TRANSFORMS.build(dict(type='PILMultiView', num_views=[1, 1],
                                  transforms=[view, [dict(type='PILToArray')]]))
    with pytest.raises(ValueError, match=r'views \[1\] have no device colour ops'):
        multi(dict(img=Image.new('RGB', (8, 8))))


def test_scrl_and_foreign_preprocessors_are_refused(repo_root):
    with pytest.raises(ValueError, match='ResizeBlur'):
        colour_on_device_config(Config.fromfile(f'{repo_root}/{SCRL}'))
    cfg = Config.fromfile(f'{repo_root}/{BYOL}')
    cfg.model.data_preprocessor.type = 'ClsDataPreprocessor'
    with pytest.raises(ValueError, match='ClsDataPreprocessor'):
        colour_on_device_config(cfg)


#: Bounds from docs/device_colour.md (the whole colour list, as drawn, on real crops):
#: max abs difference (0-255) and PSNR (dB) of a view against the PIL path's.
CHAIN_MAX_ABS, CHAIN_MIN_PSNR = 40, 38.


@pytest.mark.parametrize('config', [ORL, BYOL, SLOTCON])
def test_device_path_matches_the_pil_path_on_real_photos(repo_root, coco128, corr128, config):
    """Same seeds: the device path's views (geometry in the worker, colour in the
    preprocessor on CPU tensors) against the PIL path's, within the measured bounds."""
    pil, dev = Config.fromfile(f'{repo_root}/{config}'), Config.fromfile(f'{repo_root}/{config}')
    colour_on_device_config(dev)
    out = {}
    for name, cfg in (('pil', pil), ('dev', dev)):
        ds_cfg = cfg.train_dataloader.dataset
        ds_cfg.update(data_root=coco128, ann_file=ANN)
        if config == ORL:
            ds_cfg.update(corr_file=corr128)
        dataset = DATASETS.build(ds_cfg)
        samples = []
        for i in range(3):
            _seed(i)
            samples.append(dataset[i])
        batch = default_collate(samples)
        out[name] = MODELS.build(cfg.model.data_preprocessor)(batch, True)['inputs']
    std = torch.tensor([58.395, 57.12, 57.375])[None, :, None, None]
    for p, d in zip(out['pil'], out['dev']):
        diff = ((p - d) * std).abs()  # back to 0-255
        assert diff.max() <= CHAIN_MAX_ABS + 1e-3
        psnr = 10 * math.log10(255 ** 2 / max(float((diff ** 2).mean()), 1e-12))
        assert psnr >= CHAIN_MIN_PSNR, psnr


@pytest.fixture(scope='module')
def corr128(coco128, tmp_path_factory):
    from orl_mm.testing import build_fixture_correspondence
    path = str(tmp_path_factory.mktemp('corr') / 'corr.json')
    build_fixture_correspondence(f'{coco128}/train2017', path, ann_file=f'{coco128}/{ANN}')
    return path
