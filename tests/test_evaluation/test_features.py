"""Multi-layer pooled features: the reference input, windows and dimensions, the cache."""
import os

import numpy as np
import pytest
import torch
from mmpretrain.models import ResNet
from PIL import Image

from orl_mm.evaluation.features import (extract_features, grid_size, layer_maps, load_image_tensor,
                                        load_protocol_tensor, pool_layer, pooling_plan)
from orl_mm.utils.images import IMAGENET_MEAN_01, IMAGENET_STD_01, resize_short_side


def test_grid_gives_the_reference_dimensions():
    # ResNet-50: conv1 64, res2 256, res3 512, res4 1024, res5 2048 channels
    dims = [c * grid_size(c) ** 2 for c in (64, 256, 512, 1024, 2048)]
    assert dims == [9216, 9216, 8192, 9216, 8192]
    assert [grid_size(c) for c in (64, 128, 256, 512)] == [12, 8, 6, 4]  # ResNet-18


def test_pool_layer_exact():
    x = torch.arange(2 * 64 * 24 * 24, dtype=torch.float32).reshape(2, 64, 24, 24)
    out = pool_layer(x)  # 64 channels -> 12x12 grid of 2x2 means
    assert out.shape == (2, 9216)
    expected = x.reshape(2, 64, 12, 2, 12, 2).mean(dim=(3, 5)).flatten(1)
    torch.testing.assert_close(out, expected)


@torch.no_grad()
def test_layer_maps_match_the_backbone_outputs():
    torch.manual_seed(0)
    net = ResNet(depth=50, out_indices=(0, 1, 2, 3))
    net.init_weights()
    net.eval()
    x = torch.randn(2, 3, 64, 64)
    maps = layer_maps(net, x)
    for i, ref in enumerate(net(x)):
        torch.testing.assert_close(maps[f'res{i + 2}'], ref)
    assert maps['conv1'].shape == (2, 64, 32, 32)
    dims = [pool_layer(maps[n]).shape[1] for n in ('conv1', 'res2', 'res3', 'res4', 'res5')]
    assert dims == [9216, 9216, 8192, 9216, 8192]


def test_extract_features_pooled_and_cached(tmp_path):
    paths = []
    rng = np.random.default_rng(0)
    for i in range(3):
        p = tmp_path / f'{i}.png'
        Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(p)
        paths.append(str(p))
    assert load_image_tensor(paths[0], 32).shape == (3, 32, 32)
    torch.manual_seed(0)
    net = ResNet(depth=18)
    net.init_weights()
    net.eval()
    cache = str(tmp_path / 'cache' / 'f.npz')
    feats = extract_features(net, paths, size=64, layers=('res3', 'gap'), batch_size=2,
                             cache_file=cache, progress=False)
    assert feats['res3'].shape == (3, 8192) and feats['gap'].shape == (3, 512)
    # as pooled, not normalised (the SVMs and the k-NN normalise, as the reference)
    with torch.no_grad():
        batch = torch.stack([load_protocol_tensor(p, 64, 73) for p in paths])
        gap = layer_maps(net, batch, ('gap', ))['gap'].numpy()
    np.testing.assert_allclose(feats['gap'], gap, rtol=1e-5, atol=1e-6)
    assert not np.allclose(np.linalg.norm(feats['gap'], axis=1), 1)

    class Broken(torch.nn.Module):
        def __getattr__(self, name):
            raise AssertionError('the cache should have been used')

    again = extract_features(Broken(), paths, 64, ('res3', 'gap'), cache_file=cache,
                             progress=False)
    np.testing.assert_array_equal(again['gap'], feats['gap'])
    # a new layer is computed and added; the cached ones are kept
    more = extract_features(net, paths, 64, ('res2', 'gap'), cache_file=cache, progress=False)
    assert more['res2'].shape == (3, 9216)
    np.testing.assert_array_equal(more['gap'], feats['gap'])
    with np.load(cache) as archive:
        assert sorted(archive.files) == ['gap', 'res2', 'res3']
    with pytest.raises(OSError, match='nope.jpg'):
        load_image_tensor(str(tmp_path / 'nope.jpg'), 32)


def test_interrupted_extraction_resumes(tmp_path):
    paths = []
    for i in range(5):
        p = tmp_path / f'{i}.png'
        Image.new('RGB', (40, 40), (40 * i, 10, 200 - 30 * i)).save(p)
        paths.append(str(p))
    torch.manual_seed(0)
    net = ResNet(depth=18)
    net.init_weights()
    net.eval()
    full = extract_features(net, paths, 32, ('gap', ), batch_size=1, progress=False)

    class Counting(torch.nn.Module):
        """Forwards to ``net``; raises after ``limit`` batches (a kill)."""

        def __init__(self, limit):
            super().__init__()
            self.net, self.limit, self.calls = net, limit, 0

        def __getattr__(self, name):
            if name in ('net', 'limit', 'calls') or name.startswith('_'):
                return super().__getattr__(name)
            if name == 'conv1':
                self.calls += 1
                if self.calls > self.limit:
                    raise KeyboardInterrupt
            return getattr(self.net, name)

    cache = str(tmp_path / 'f.npz')
    with pytest.raises(KeyboardInterrupt):
        extract_features(Counting(3), paths, 32, ('gap', ), batch_size=1, cache_file=cache,
                         progress=False, save_every=2)
    with np.load(cache + '.partial.npz') as part:
        assert part['gap'].shape == (2, 512)  # saved after batch 2, killed in batch 4
    resumed = Counting(10)
    feats = extract_features(resumed, paths, 32, ('gap', ), batch_size=1, cache_file=cache,
                             progress=False, save_every=2)
    assert resumed.calls == 3  # images 3, 4, 5 only
    np.testing.assert_allclose(feats['gap'], full['gap'], rtol=1e-5, atol=1e-6)
    assert not os.path.exists(cache + '.partial.npz')


def test_specified_windows_differ_from_adaptive_pooling_exactly():
    """res5 of ResNet-50 at 224 (2048 x 7 x 7): the reference's 6 x 6 windows at stride 1,
    not adaptive pooling's 4 x 4 windows; both give a 2 x 2 grid (8192 dims)."""
    x = torch.arange(7 * 7, dtype=torch.float64).reshape(1, 1, 7, 7).repeat(1, 2048, 1, 1)
    grid = x[0, 0].numpy()
    window = [grid[i:i + 6, j:j + 6].mean() for i in (0, 1) for j in (0, 1)]
    out = pool_layer(x, 'res5')
    assert out.shape == (1, 8192)
    np.testing.assert_allclose(out[0, :4].numpy(), window)  # 21, 22, 28, 29
    adaptive = pool_layer(x, 'res5', pooling='adaptive')
    four = [grid[i:i + 4, j:j + 4].mean() for i in (0, 3) for j in (0, 3)]
    np.testing.assert_allclose(adaptive[0, :4].numpy(), four)  # 16, 19, 37, 40
    assert not np.allclose(window, four)


def test_conv1_window_counts_the_zero_padding():
    """conv1 (64 x 112 x 112): AvgPool2d(10, stride 10, padding 4) counts the padded zeros,
    so a corner window of ones averages 6 * 6 / 100 = 0.36, an inner one 1; 12 x 12 grid."""
    out = pool_layer(torch.ones(1, 64, 112, 112), 'conv1').reshape(64, 12, 12)
    assert out[0, 0, 0] == pytest.approx(0.36) and out[0, 5, 5] == pytest.approx(1.0)
    assert out[0, 0, 5] == pytest.approx(0.6)  # 6 of 10 rows inside
    # another map size (another input side): adaptive pooling to the same 12 x 12 grid
    small = pool_layer(torch.ones(1, 64, 24, 24), 'conv1').reshape(64, 12, 12)
    assert torch.all(small == 1)


def test_pooling_plan_of_resnet50_at_224_is_the_reference():
    torch.manual_seed(0)
    net = ResNet(depth=50)
    plan = pooling_plan(net, 224)
    assert [p['pooling'] for p in plan.values()] == ['specified'] * 5
    assert [p['dims'] for p in plan.values()] == [9216, 9216, 8192, 9216, 8192]
    assert plan['res5']['window'] == [6, 1, 0] and plan['res5']['map'] == [2048, 7, 7]
    small = pooling_plan(net, 64, ('conv1', 'res5', 'gap'))
    assert [p['pooling'] for p in small.values()] == ['adaptive', 'adaptive', 'none']
    assert small['res5']['dims'] == 8192 and small['res5']['window'] is None
    assert all(p['pooling'] == 'adaptive' for p in pooling_plan(net, 224, pooling='adaptive')
               .values())


def test_protocol_input_resizes_the_whole_image_to_a_square(tmp_path):
    """Resize(shorter side) then Resize((S, S)): a 100 x 400 image whose left quarter is
    white keeps it as the left quarter of the square (a centre crop would lose it)."""
    rgb = np.zeros((100, 400, 3), np.uint8)
    rgb[:, :100] = 255
    path = str(tmp_path / 'wide.png')
    Image.fromarray(rgb).save(path)
    x = load_protocol_tensor(path, 32, 37)
    assert x.shape == (3, 32, 32)
    white = (1 - np.asarray(IMAGENET_MEAN_01)) / np.asarray(IMAGENET_STD_01)
    black = -np.asarray(IMAGENET_MEAN_01) / np.asarray(IMAGENET_STD_01)
    np.testing.assert_allclose(x[:, 16, :7].numpy(), np.repeat(white[:, None], 7, 1),
                               rtol=1e-5)
    np.testing.assert_allclose(x[:, 16, 9:].numpy(), np.repeat(black[:, None], 23, 1),
                               atol=1e-5)
    cropped = load_image_tensor(path, 32)  # the figures' centre crop: no white left
    np.testing.assert_allclose(cropped[:, 16, :].numpy(), np.repeat(black[:, None], 32, 1),
                               atol=1e-5)


def test_shorter_side_resize_truncates_as_torchvision():
    """Resize(256) on 300 x 403: the long side int(256 * 403 / 300) = 343 (round: 344)."""
    assert resize_short_side(np.zeros((300, 403, 3), np.uint8), 256).shape == (256, 343, 3)
    assert resize_short_side(np.zeros((403, 300, 3), np.uint8), 256).shape == (343, 256, 3)


@pytest.mark.parametrize('shape', [(300, 403), (500, 333)])
def test_protocol_input_is_the_reference_pipeline_bit_for_bit(tmp_path, shape):
    """ORL's extraction pipeline with torchvision: Resize(256), Resize((224, 224)),
    ToTensor, Normalize (benchmarks/extract_info/voc07.py) on a PIL-read image."""
    from torchvision import transforms as T
    rgb = np.random.default_rng(shape[0]).integers(0, 256, shape + (3, ), dtype=np.uint8)
    path = str(tmp_path / 'img.png')
    Image.fromarray(rgb).save(path)
    reference = T.Compose([T.Resize(256), T.Resize((224, 224)), T.ToTensor(),
                           T.Normalize(IMAGENET_MEAN_01, IMAGENET_STD_01)])
    expected = reference(Image.open(path).convert('RGB'))
    assert torch.equal(load_protocol_tensor(path), expected)
