"""Shared fixtures: paths to the repository and to the real photos beside it."""
import os
import os.path as osp

import pytest
from mmpretrain.utils import register_all_modules

import orl_mm  # noqa: F401  (compat fixes, registration)

# Build from config dicts in mmpretrain's scope, as the configs do (default_scope).
register_all_modules(init_default_scope=True)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = os.environ.get('ORL_MM_SHARED_DATA', osp.join(REPO_ROOT, '..', 'shared', 'data'))
COCO128 = osp.join(SHARED_DATA, 'coco128')


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO_ROOT


@pytest.fixture(scope='session')
def coco128() -> str:
    """The 128 real COCO photos with their instances JSON (skips when absent)."""
    if not osp.isfile(osp.join(COCO128, 'annotations', 'instances_train2017.json')):
        pytest.skip(f'shared real-photo data not found at {COCO128} '
                    '(set ORL_MM_SHARED_DATA to the folder holding coco128/)')
    return COCO128


@pytest.fixture(scope='session')
def demo_root(tmp_path_factory) -> str:
    """A small demo scene set, built once per test session."""
    from orl_mm.demo import build_demo_dataset
    return build_demo_dataset(str(tmp_path_factory.mktemp('demo') / 'demo'), num_images=16)
