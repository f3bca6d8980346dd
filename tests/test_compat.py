"""Each compatibility fix of orl_mm.compat, with a check that the fix is needed."""
import cv2
import numpy as np
import pytest
import torch
from mmcv.image import photometric
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import CheckpointLoader

import orl_mm  # noqa: F401  (applies the fixes)
from orl_mm import compat

NUMPY2 = int(np.__version__.split('.')[0]) >= 2


def _hue_channel(img_bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img_bgr, cv2.COLOR_BGR2HSV_FULL)[..., 0].astype(int)


@pytest.mark.skipif(not NUMPY2, reason='the hue bug only exists under numpy >= 2')
def test_mmcv_adjust_hue_needs_the_fix():
    # mmcv's own function still fails on negative hue: the fix is needed.
    assert compat.mmcv_adjust_hue_is_broken(photometric.adjust_hue)
    assert not compat.mmcv_adjust_hue_is_broken(compat.adjust_hue)


def test_hue_shift_matches_numpy1_wraparound():
    assert compat.hue_shift(0.1) == 25  # int(25.5)
    assert compat.hue_shift(-0.1) == 231  # int(-25.5) = -25 -> 256 - 25
    assert compat.hue_shift(-0.5) == 129  # int(-127.5) = -127
    assert compat.hue_shift(0.0) == 0


@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
def test_fixed_adjust_hue_equals_mmcv_where_mmcv_works(backend):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    for factor in (0.0, 0.05, 0.1, 0.5):
        np.testing.assert_array_equal(
            compat.adjust_hue(img, factor, backend=backend),
            photometric.adjust_hue(img, factor, backend=backend))


def test_colorjitter_negative_hue_rotates_hue():
    """mmpretrain's ColorJitter with hue < 0 (half of all BYOL samples) works and rotates."""
    from mmpretrain.datasets.transforms import ColorJitter
    img = np.zeros((8, 8, 3), dtype=np.uint8)
    img[..., 2] = 200  # saturated red (BGR), hue 0
    img[..., 1] = 60
    jitter = ColorJitter(hue=(-0.1, -0.1), backend='cv2')  # always hue_factor = -0.1
    out = jitter.transform(dict(img=img.copy()))['img']
    shift = (_hue_channel(out) - _hue_channel(img)) % 256
    # a rotation by -25 of 256 steps, up to one step of HSV<->BGR rounding
    assert np.all(np.abs(shift - 231) <= 1), np.unique(shift)


def _mmengine_checkpoint(path: str) -> dict:
    hub = MessageHub.get_instance('test_compat_ckpt')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', 0.5)
    state = dict(
        meta=dict(epoch=3, iter=12, seed=0, dataset_meta=dict(classes=None)),
        state_dict={'w': torch.arange(4.)},
        message_hub=hub.state_dict(),
        optimizer={'state': {}, 'param_groups': [{'lr': 0.1, 'params': [0]}]},
        extra=np.arange(3, dtype=np.float64))
    torch.save(state, path)
    return state


def test_plain_torch_load_rejects_mmengine_checkpoints(tmp_path):
    """Under torch >= 2.6, a bare torch.load (mmengine 0.10.7's loader) fails: fix needed."""
    path = str(tmp_path / 'epoch_3.pth')
    _mmengine_checkpoint(path)
    with pytest.raises(Exception, match='(?i)weights_only|Unsupported global'):
        torch.load(path)


def test_checkpoint_loader_reads_mmengine_checkpoint(tmp_path):
    path = str(tmp_path / 'epoch_3.pth')
    _mmengine_checkpoint(path)
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['epoch'] == 3
    torch.testing.assert_close(ckpt['state_dict']['w'], torch.arange(4.))
    assert isinstance(ckpt['message_hub']['log_scalars']['train/loss'], HistoryBuffer)
    np.testing.assert_array_equal(ckpt['extra'], np.arange(3.0))


def test_checkpoint_loader_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'missing.pth'))
