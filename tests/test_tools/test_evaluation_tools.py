"""tools/evaluation/{svm,low_shot_svm,knn}.py end to end on a tiny class-folder image set."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from orl_mm.testing.cli import load_tool


def _tool(name):
    return load_tool(f'tools/evaluation/{name}.py')


@pytest.fixture(scope='module')
def colour_folders(tmp_path_factory):
    """3 classes of noisy solid-colour images: separable by any network."""
    root = tmp_path_factory.mktemp('colours')
    rng = np.random.default_rng(0)
    for c, colour in enumerate(((220, 30, 30), (30, 220, 30), (30, 30, 220))):
        os.makedirs(root / f'class{c}')
        for i in range(6):
            img = np.clip(np.asarray(colour) + rng.normal(0, 20, (40, 40, 3)), 0, 255)
            Image.fromarray(img.astype(np.uint8)).save(root / f'class{c}' / f'{i}.png')
    return str(root)


def test_svm_knn_low_shot_front_doors(colour_folders, tmp_path, capsys):
    work = str(tmp_path / 'work')
    common = ['random', '--depth', '18', '--data', colour_folders, '--img-size', '32',
              '--work-dir', work]
    res = _tool('svm').main(common + ['--layers', 'res4', 'res5', '--costs', '1', '10'])
    assert set(res['layers']) == {'res4', 'res5'}
    # the run says how it differs from ORL's protocol, and what its input and pooling were
    assert res['deviations'] == [
        'resize_short: 37 (reference 256)', 'input_size: 32 (reference 224)',
        'costs: [1.0, 10.0] (reference 19 values [1.0, 10.0, 100.0] ... 1.9073486328125e-06)',
        'pooling of res4, res5: adaptive (the reference windows are made for ResNet-50 maps '
        'at 224 x 224)']
    assert res['input'] == {'resize_short_side': 37, 'resize_whole': [32, 32],
                            'aspect_ratio_kept': False, 'crop': None,
                            'interpolation': 'bilinear (Pillow)'}
    assert res['pooling']['res5'] == {'pooling': 'adaptive', 'map': [512, 1, 1],
                                      'window': None, 'grid': 4, 'dims': 8192}
    assert res['layers']['res5']['dims'] == 8192 and res['layers']['res4']['dims'] == 9216
    assert res['layers']['res5']['mAP'] > 90  # colours are trivially separable
    saved = json.load(open(osp.join(work, 'svm.json')))
    assert saved['layers']['res5']['mAP'] == res['layers']['res5']['mAP']
    features = sorted(os.listdir(osp.join(work, 'features')))
    assert len(features) == 2  # train + test caches
    # a re-run reuses the finished layers and the cached features
    again = _tool('svm').main(common + ['--layers', 'res4', 'res5', '--costs', '1', '10'])
    assert 'res5: mAP' in capsys.readouterr().out and again['layers'] == res['layers']
    assert sorted(os.listdir(osp.join(work, 'features'))) == features

    knn = _tool('knn').main(common + ['--ks', '1', '3', '100'])
    assert knn['metric'] == 'top1_acc' and set(knn['scores']) == {'1', '3', '100'}
    assert knn['scores']['1'] > 80
    # 9 training images: k = 100 takes 9
    assert knn['k_used'] == {'1': 1, '3': 3, '100': 9}

    low = _tool('low_shot_svm').main(common + ['--shots', '1', '2', '--samples', '2',
                                               '--costs', '1', '10'])
    assert set(low['per_k']) == {'1', '2'} and len(low['runs']) == 2 * 2 * 2
    assert {'mAP', 'min', 'max', 'std', 'cost'} <= set(low['per_k']['2'])
    assert 'low_shot_k: [1, 2] (reference [1, 2, 4, 8, 16, 32, 64, 96])' in low['deviations']
    # all three tools share one feature cache per split (layers added to it)
    assert sorted(os.listdir(osp.join(work, 'features'))) == features
