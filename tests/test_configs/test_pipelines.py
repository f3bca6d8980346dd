"""Each tiny CPU config runs its full config's pipeline, apart from pixel sizes."""
import os.path as osp

import pytest

from orl_mm.testing.configs import SIZE, pipeline_difference, size_free_pipeline, train_pipelines
from orl_mm.utils.configs import iter_transforms, with_sizes

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ORL_DIR = osp.join(REPO, 'configs', 'orl')

#: (tiny config, full configs whose pipelines it must equal apart from sizes)
PAIRS = [
    ('byol_resnet18_1xb8-tiny-2e_demo.py', ('byol_resnet50_8xb64-coslr-800e_coco.py',
                                            'byol_resnet50_8xb64-coslr-800e_coco-plus.py')),
    ('orl_resnet18_1xb8-tiny-2e_demo.py', ('orl_resnet50_8xb64-coslr-800e_coco.py',
                                           'orl_resnet50_8xb64-coslr-800e_coco-plus.py')),
]


@pytest.mark.parametrize('tiny,fulls', PAIRS, ids=[p[0] for p in PAIRS])
def test_tiny_pipeline_is_the_full_one_apart_from_sizes(tiny, fulls):
    (tiny_pipeline, ) = train_pipelines(osp.join(ORL_DIR, tiny))
    for full in fulls:
        for full_pipeline in train_pipelines(osp.join(ORL_DIR, full)):
            diff = pipeline_difference(tiny_pipeline, full_pipeline)
            assert diff == '', f'{tiny} vs {full}:\n{diff}'
    # and the sizes are really smaller (so the comparison above did ignore something)
    sizes = [t.get('scale', t.get('size')) for t in iter_transforms(tiny_pipeline)
             if t['type'] in ('PILRandomResizedCrop', 'RoICrop')]
    assert sizes and all(s < 96 for s in sizes)


def _drop(obj, type_name):
    """A copy of a pipeline structure without the transforms of type ``type_name``."""
    if isinstance(obj, dict):
        return {k: _drop(v, type_name) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_drop(v, type_name) for v in obj
                if not (isinstance(v, dict) and v.get('type') == type_name)]
    return obj


@pytest.mark.parametrize('tiny,fulls', PAIRS, ids=[p[0] for p in PAIRS])
def test_comparison_fails_on_a_dropped_or_changed_transform(tiny, fulls):
    (tiny_pipeline, ) = train_pipelines(osp.join(ORL_DIR, tiny))
    (full_pipeline, ) = train_pipelines(osp.join(ORL_DIR, fulls[0]))
    no_gray = _drop(size_free_pipeline(tiny_pipeline), 'PILRandomGrayscale')
    assert 'PILRandomGrayscale' in pipeline_difference(no_gray, full_pipeline)
    changed = with_sizes(tiny_pipeline, PILSolarize=dict(prob=0.5))
    assert "0.5" in pipeline_difference(changed, full_pipeline)
    bicubic = with_sizes(tiny_pipeline, PILRandomResizedCrop=dict(interpolation='bicubic'))
    assert 'bicubic' in pipeline_difference(bicubic, full_pipeline)


def test_size_free_pipeline_and_with_sizes():
    pipeline = [dict(type='MultiBranch', branches=[
        dict(pipeline=[dict(type='RoICrop', size=96), dict(type='RandomApply', transforms=[
            dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.08, 1.))])])])]
    assert size_free_pipeline(pipeline) == [dict(type='MultiBranch', branches=[
        dict(pipeline=[dict(type='RoICrop', size=SIZE), dict(type='RandomApply', transforms=[
            dict(type='RandomResizedCrop', scale=SIZE, crop_ratio_range=[0.08, 1.])])])])]
    small = with_sizes(pipeline, RoICrop=dict(size=32), RandomResizedCrop=dict(scale=64))
    assert [t.get('size', t.get('scale')) for t in iter_transforms(small)] == [
        None, 32, None, 64]
    assert pipeline[0]['branches'][0]['pipeline'][0]['size'] == 96  # input untouched
    with pytest.raises(ValueError, match='no .*CenterCrop'):
        with_sizes(pipeline, CenterCrop=dict(crop_size=8))
    with pytest.raises(ValueError, match='no argument'):
        with_sizes(pipeline, RoICrop=dict(scale=8))
