"""The device half of the colour path: the ops on CPU tensors, exact where the maths is."""
import sys

import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from PIL import Image

import orl_mm  # noqa: F401
from orl_mm.models.data_preprocessors import apply_colour, identity_params
from orl_mm.models.data_preprocessors.device_colour_ops import FIELD
from orl_mm.testing import logged_values, run_tool

NORM = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)


def _params(**values):
    p = identity_params()
    for k, v in values.items():
        p[FIELD[k]] = v
    return torch.from_numpy(p)[None]


def _sample(params=None):
    sample = DataSample()
    if params is not None:
        sample.set_metainfo(dict(colour_params=params))
    return sample


def _image(seed=0, size=6):
    """(1, 3, size, size) float on the 8-bit grid."""
    return torch.from_numpy(np.random.RandomState(seed).randint(
        0, 256, (1, 3, size, size)).astype(np.float32)) / 255.


def test_identity_params_change_nothing():
    x = _image()
    assert torch.equal(apply_colour(x, _params()), x)


def test_solarize_inverts_from_the_threshold_up():
    x = torch.tensor([0., 127., 128., 200., 255.]).view(1, 1, 1, 5).expand(1, 3, 1, 5) / 255.
    got = apply_colour(x, _params(solarize_thr=128.)) * 255.
    torch.testing.assert_close(got[0, 0, 0], torch.tensor([0., 127., 127., 55., 0.]))


def test_grayscale_is_the_itu_601_grey_rounded():
    rgb = torch.tensor([[255., 0., 0.], [0., 255., 0.], [0., 0., 255.], [10., 200., 90.]])
    x = rgb.t().reshape(1, 3, 1, 4) / 255.
    got = apply_colour(x, _params(grey=1.)) * 255.
    want = torch.round(rgb @ torch.tensor([0.2989, 0.587, 0.114]))
    for c in range(3):
        torch.testing.assert_close(got[0, c, 0], want)
    pil = Image.fromarray(rgb.numpy().astype(np.uint8)[None]).convert('L')
    assert want.tolist() == np.asarray(pil, dtype=np.float32)[0].tolist()  # PIL's grey


def test_brightness_truncates_like_pils_blend():
    x = torch.tensor([0., 1., 3., 101., 255.]).view(1, 1, 1, 5).expand(1, 3, 1, 5) / 255.
    got = apply_colour(x, _params(brightness=0.5)) * 255.
    torch.testing.assert_close(got[0, 0, 0], torch.tensor([0., 0., 1., 50., 127.]))


def test_jitter_runs_in_the_drawn_order():
    """Contrast then brightness (order 2, 3, 1, 0) differs from brightness then contrast
    (2, 3, 0, 1): the order field is read, not a fixed order."""
    x = _image(1)
    a = apply_colour(x, _params(order_0=2, order_1=3, order_2=1, order_3=0, brightness=1.4,
                                contrast=0.6))
    b = apply_colour(x, _params(order_0=2, order_1=3, order_2=0, order_3=1, brightness=1.4,
                                contrast=0.6))
    assert not torch.equal(a, b)


def test_preprocessor_with_identity_params_equals_selfsup_preprocessor():
    """Views as PackInputs gives them (BGR uint8); identity colour: the same normalised
    batch as mmpretrain's SelfSupDataPreprocessor. A solarized sample differs only there."""
    rng = np.random.RandomState(0)
    views = [torch.from_numpy(rng.randint(0, 256, (2, 3, 8, 8)).astype(np.uint8))
             for _ in range(2)]
    samples = []
    for i in range(2):
        params = np.stack([identity_params(), identity_params()])
        if i == 1:
            params[1, FIELD['solarize_thr']] = 128.
        samples.append(_sample(params))
    plain = MODELS.build(dict(type='SelfSupDataPreprocessor', **NORM))
    device = MODELS.build(dict(type='DeviceColourDataPreprocessor', **NORM))
    want = plain(dict(inputs=views, data_samples=samples))['inputs']
    got = device(dict(inputs=views, data_samples=samples), True)['inputs']
    torch.testing.assert_close(got[0], want[0])
    torch.testing.assert_close(got[1][0], want[1][0])
    rgb = views[1][1][[2, 1, 0]].float()
    solar = torch.where(rgb >= 128, 255. - rgb, rgb)
    mean, std = (torch.tensor(NORM[k]).view(3, 1, 1) for k in ('mean', 'std'))
    torch.testing.assert_close(got[1][1], (solar - mean) / std)


def test_preprocessor_refuses_partial_batches():
    views = [torch.zeros(2, 3, 4, 4, dtype=torch.uint8)]
    samples = [_sample(identity_params()[None]), _sample()]
    device = MODELS.build(dict(type='DeviceColourDataPreprocessor', **NORM))
    with pytest.raises(ValueError, match='some samples of the batch have colour_params'):
        device(dict(inputs=views, data_samples=samples), True)


@pytest.mark.parametrize('config', ['configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py'])
def test_tiny_config_trains_with_colour_on_device(repo_root, demo_root, tmp_path, config):
    """tools/train.py with --cfg-options colour_on_device=True: one CPU step, finite loss."""
    log = run_tool([sys.executable, 'tools/train.py', config, '--work-dir', str(tmp_path / 'w'),
                    '--cfg-options', f'train_dataloader.dataset.data_root={demo_root}',
                    'train_dataloader.dataset.indices=8', 'train_cfg.max_epochs=1',
                    'colour_on_device=True'], repo_root)
    losses = logged_values(log)
    assert len(losses) == 1 and -4 <= losses[0] <= 4, log[-2000:]  # 2 x (-cos)
    assert 'DeviceColourDataPreprocessor' in log and 'DeviceColorJitter' in log
