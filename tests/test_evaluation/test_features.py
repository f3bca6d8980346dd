"""Multi-layer pooled features: the reference dimensions, exact pooling, L2 norm, cache."""
import os

import numpy as np
import pytest
import torch
from mmpretrain.models import ResNet
from PIL import Image

from orl_mm.evaluation.features import (extract_features, grid_size, layer_maps,
                                        load_image_tensor, pool_layer)


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


def test_extract_features_normalised_and_cached(tmp_path):
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
    np.testing.assert_allclose(np.linalg.norm(feats['res3'], axis=1), 1, rtol=1e-5)

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
