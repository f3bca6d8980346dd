"""MultiBranch + PackInputs + SelfSupDataPreprocessor: six images per sample end to end."""
import mmcv
import numpy as np
import torch
from mmengine.dataset import default_collate
from mmpretrain.registry import MODELS, TRANSFORMS

from orl_mm.datasets.transforms import crop_box


def _results(rng):
    img = rng.randint(0, 255, size=(60, 80, 3)).astype(np.uint8)
    nbr = rng.randint(0, 255, size=(50, 70, 3)).astype(np.uint8)
    return dict(img=img, neighbour_img=nbr, img_shape=img.shape[:2], ori_shape=img.shape[:2],
                intra_box=[10., 10., 30., 20.], inter_query_box=[5., 6., 20., 22.],
                inter_key_box=[40., 20., 25., 24.])


def _branches(patch=8, extra=()):
    crop = [dict(type='RoICrop', size=patch), *extra]
    return [
        dict(pipeline=[dict(type='RandomResizedCrop', scale=16), *extra]),
        dict(pipeline=[dict(type='RandomResizedCrop', scale=16), *extra]),
        dict(roi_key='intra_box', pipeline=crop),
        dict(roi_key='intra_box', pipeline=[dict(type='RoIJitter')] + crop),
        dict(roi_key='inter_query_box', pipeline=crop),
        dict(img_key='neighbour_img', roi_key='inter_key_box', pipeline=crop),
    ]


def test_branches_take_their_own_source_and_box():
    np.random.seed(0)
    rng = np.random.RandomState(0)
    res = _results(rng)
    src_img, src_nbr = res['img'], res['neighbour_img']
    img, nbr = src_img.copy(), src_nbr.copy()
    out = TRANSFORMS.build(dict(type='MultiBranch', branches=_branches(patch=(20, 22))))(res)
    assert len(out['img']) == 6 and 'neighbour_img' not in out
    assert [im.shape for im in out['img']] == [(16, 16, 3)] * 2 + [(22, 20, 3)] * 4
    # inter patch 1 from the query image, patch 2 from the neighbour (exact: no resize)
    np.testing.assert_array_equal(out['img'][4], crop_box(img, [5, 6, 20, 22]))
    np.testing.assert_array_equal(
        out['img'][5],
        mmcv.imresize(crop_box(nbr, [40, 20, 25, 24]), (20, 22), backend='pillow'))
    assert out['branch_rois'][4] == [5., 6., 20., 22.]
    assert out['branch_rois'][:2] == [None, None]
    # intra patch 1 is the box itself, patch 2 a jittered copy of it (as the reference)
    assert out['branch_rois'][2] == [10., 10., 30., 20.]
    np.testing.assert_array_equal(
        out['img'][2], mmcv.imresize(crop_box(img, [10, 10, 30, 20]), (20, 22),
                                     backend='pillow'))
    assert out['branch_rois'][3] != out['branch_rois'][2]
    # the source images are not modified in place
    np.testing.assert_array_equal(src_img, img)
    np.testing.assert_array_equal(src_nbr, nbr)


def test_pack_and_preprocess_six_views():
    np.random.seed(1)
    rng = np.random.RandomState(1)
    color = [dict(type='RandomFlip', prob=0.5),
             dict(type='RandomApply', transforms=[dict(type='ColorJitter', brightness=0.4,
                                                       contrast=0.4, saturation=0.2,
                                                       hue=0.1)], prob=0.8),
             dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
                  channel_weights=(0.114, 0.587, 0.2989)),
             dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf',
                  prob=1.),
             dict(type='Solarize', thr=128, prob=0.2)]
    multi = TRANSFORMS.build(dict(type='MultiBranch', branches=_branches(extra=color)))
    pack = TRANSFORMS.build(dict(type='PackInputs'))
    batch = default_collate([pack(multi(_results(rng))) for _ in range(3)])
    assert len(batch['inputs']) == 6
    pre = MODELS.build(dict(type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53],
                            std=[58.395, 57.12, 57.375], to_rgb=True))
    data = pre(batch, training=True)
    shapes = [tuple(x.shape) for x in data['inputs']]
    assert shapes == [(3, 3, 16, 16)] * 2 + [(3, 3, 8, 8)] * 4
    assert all(x.dtype == torch.float32 for x in data['inputs'])
    # normalised: BGR->RGB then (x - mean) / std, checked on one pixel
    raw = batch['inputs'][4][0, :, 0, 0].float()
    expected = (raw[[2, 1, 0]] - torch.tensor([123.675, 116.28, 103.53])) / torch.tensor(
        [58.395, 57.12, 57.375])
    torch.testing.assert_close(data['inputs'][4][0, :, 0, 0], expected)
