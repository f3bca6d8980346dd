"""The built wheel: mim finds configs, tools and models without a clone (setup.py, .mim/).

One module-scoped fixture copies the clone's tracked files to a temporary folder (a clean
clone: no build/, no orl_mm/.mim left over), builds the wheel there, and installs it with
``--no-deps`` into a new virtual environment whose only view of the OpenMMLab stack is the
running interpreter's site-packages (a ``.pth`` line: its editable orl_mm finder is not run).
Every command then runs from an empty folder with no PYTHONPATH, so only the installed wheel
can be imported. tools/misc/check_wheel.sh does the same by hand in a truly fresh venv.
"""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest
import torch

from orl_mm.testing import logged_values, run_tool

pytestmark = pytest.mark.slow


def _tracked_files(repo_root):
    out = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard'],
                         cwd=repo_root, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f'not a git checkout ({out.stderr.strip()}): cannot make a clean copy')
    return [f for f in out.stdout.splitlines() if osp.isfile(osp.join(repo_root, f))]


@pytest.fixture(scope='module')
def installed(repo_root, tmp_path_factory):
    """(python of the venv holding the installed wheel, the wheel, an empty cwd)."""
    base = tmp_path_factory.mktemp('wheel')
    clone = base / 'clone'
    for rel in _tracked_files(repo_root):
        os.makedirs(clone / osp.dirname(rel), exist_ok=True)
        shutil.copy2(osp.join(repo_root, rel), clone / rel)
    env = {'PYTHONPATH': ''}
    run_tool([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation',
              '--disable-pip-version-check', '-w', str(base / 'dist'), str(clone)],
             cwd=str(base), env=env)
    wheel = next((base / 'dist').glob('orl_mm-*.whl'))
    venv = base / 'venv'
    run_tool([sys.executable, '-m', 'venv', str(venv)], cwd=str(base), env=env)
    py = str(venv / 'bin' / 'python')
    purelib = subprocess.run(
        [py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        capture_output=True, text=True, check=True).stdout.strip()
    with open(osp.join(purelib, '_orl_mm_stack.pth'), 'w') as f:
        f.write(sysconfig.get_paths()['purelib'] + '\n')
    run_tool([py, '-m', 'pip', 'install', '--no-deps', '--disable-pip-version-check', str(wheel)],
             cwd=str(base), env=env)
    cwd = base / 'cwd'
    cwd.mkdir()
    return py, str(wheel), str(cwd)


def _run(installed, *args, timeout=600):
    py, _, cwd = installed
    return run_tool([py, *args], cwd=cwd, env={'PYTHONPATH': ''}, timeout=timeout)


def test_wheel_carries_configs_tools_and_model_index(repo_root, installed):
    _, wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for sub in ('configs', 'tools'):
        for root, _, files in os.walk(osp.join(repo_root, sub)):
            for name in files:
                if name.endswith(('.py', '.sh', '.yml')):
                    rel = osp.relpath(osp.join(root, name), repo_root)
                    assert f'orl_mm/.mim/{rel}' in names, rel
    assert 'orl_mm/.mim/model-index.yml' in names
    assert not any('__pycache__' in n for n in names)
    # runtime requirements only: mmcv is the `mim` extra (requirements/mminstall.txt)
    meta = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith('.dist-info/METADATA'))).decode()
    requires = [line for line in meta.splitlines() if line.startswith('Requires-Dist:')]
    plain = [r for r in requires if 'extra ==' not in r]
    assert any(r.startswith('Requires-Dist: mmdet') for r in plain)
    assert not any(r.startswith('Requires-Dist: mmcv') for r in plain), plain
    assert any(r.startswith('Requires-Dist: mmcv') and 'extra == "mim"' in r for r in requires)


def test_installed_package_is_the_wheel(installed):
    out = _run(installed, '-c', 'import orl_mm, mim.utils as u; print(orl_mm.__file__); '
               'print(u.get_installed_path("orl_mm"))')
    module, pkg_root = out.strip().splitlines()[-2:]
    assert '/venv/' in module and osp.isdir(osp.join(pkg_root, '.mim', 'configs', 'orl'))


def test_mim_search_lists_the_models(installed):
    out = _run(installed, '-m', 'mim', 'search', 'orl_mm')
    for name in ('byol_resnet50_8xb64-coslr-800e_coco', 'orl_resnet50_8xb64-coslr-800e_coco',
                 'scrl_resnet50_8xb64-lars-coslr-800e_coco',
                 'slotcon_resnet50_8xb64-lars-coslr-800e_coco',
                 'densecl_resnet50_8xb32-coslr-800e_coco'):
        assert f'config id: {name}\n' in out, out[-3000:]


def test_mim_train_and_test_by_config_name(installed, coco128):
    _, _, cwd = installed
    work = osp.join(cwd, 'work')
    log = _run(installed, '-m', 'mim', 'train', 'orl_mm', 'byol_resnet18_1xb8-tiny-2e_demo.py',
               '--work-dir', work, '--cfg-options',
               f'train_dataloader.dataset.data_root={coco128}/',
               'train_dataloader.dataset.indices=8', 'train_cfg.max_epochs=1')
    assert '/venv/' in log.split("we find the config file in codebase orl_mm")[1].split('\n')[0]
    assert len(logged_values(log)) == 1  # 8 images / batch 8
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))

    # mim test: the tiny Mask R-CNN with a checkpoint holding the trained stage-1 backbone
    cfg = 'mask-rcnn_r18_fpn_1xb2-bn-tiny-10i_coco128.py'
    root, ann = f'{coco128}/', f'{coco128}/annotations/instances_train2017.json'
    ckpt = torch.load(osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=False)
    det = osp.join(cwd, 'det.pth')
    torch.save({'state_dict': {k: v for k, v in ckpt['state_dict'].items()
                               if k.startswith('backbone.')}}, det)
    log = _run(installed, '-m', 'mim', 'test', 'orl_mm', cfg, '--checkpoint', det,
               '--work-dir', osp.join(cwd, 'test'), '--cfg-options',
               f'test_dataloader.dataset.data_root={root}', 'test_dataloader.dataset.indices=2',
               f'test_evaluator.ann_file={ann}', f'val_dataloader.dataset.data_root={root}',
               f'val_evaluator.ann_file={ann}', f'model.backbone.init_cfg.checkpoint={det}')
    assert 'coco/bbox_mAP:' in log, log[-3000:]


def test_pipeline_plans_from_the_installed_package(installed):
    """The pipeline finds its tools and the records' configs in the installed package's
    ``.mim`` (not in a clone): every stage runs a front door from there."""
    _, _, cwd = installed
    code = (
        'import json, orl_mm.pipeline as p\n'
        'from orl_mm.demo import build_demo_dataset\n'
        'root = build_demo_dataset("demo", num_images=4)\n'
        'plan = p.build_plan(p.PipelineOptions(["byol", "densecl", "random"], '
        'work_dir="work", epochs=2), root)\n'
        'print(json.dumps(dict(tools=[s.command[1] for s in plan.stages], '
        'configs=[r.config for r in plan.runs.values()])))\n')
    out = json.loads(_run(installed, '-c', code).strip().splitlines()[-1])
    mim = '/venv/lib/'
    assert out['tools'] and all(mim in t and '/orl_mm/.mim/tools/' in t for t in out['tools'])
    assert [osp.basename(c) for c in out['configs']] == [
        'byol_resnet18_1xb8-tiny-2e_demo.py', 'densecl_resnet18_1xb8-tiny-2e_demo.py']
    assert all(mim in c and '/orl_mm/.mim/configs/' in c for c in out['configs'])
    assert osp.isdir(osp.join(cwd, 'demo'))  # the demo set is built in the working dir
    help_text = _run(installed, osp.join(osp.dirname(out['tools'][0]), 'pipeline.py'),
                     '--help')
    assert 'densecl' in help_text
