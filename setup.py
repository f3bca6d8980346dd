"""Install orl_mm, an OpenMMLab plugin for object-level self-supervised learning.

The heavy dependencies (torch, mmcv with compiled ops) are pinned and installed by
``tools/install.sh``; ``pip install -e .`` alone installs the plugin and the runtime
requirements of ``requirements/runtime.txt``. mmcv is not among them: as in mmpretrain and
mmdet, it is the ``mim`` extra (``requirements/mminstall.txt``), which ``mim install`` resolves
against OpenMMLab's prebuilt wheels, so an environment that has mmcv never builds it again.

Like mmpretrain, a built package carries what mim needs under ``orl_mm/.mim/``: the configs,
the tools and ``model-index.yml`` are copied there when a wheel is built, so that after
``pip install orl_mm-*.whl`` (no clone) ``mim train orl_mm CONFIG``, ``mim test orl_mm ...``
and ``mim search orl_mm`` work.
"""
import os
import os.path as osp
import shutil
import sys
from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: What mim looks for in ``<package>/.mim`` (mmpretrain's list, minus dataset-index.yml).
MIM_FILES = ('configs', 'tools', 'model-index.yml')

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name: str) -> list:
    """Read a requirements file, dropping comments and blank lines."""
    with open(osp.join(HERE, 'requirements', name)) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join(HERE, 'orl_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


class BuildPyWithMim(build_py):
    """``build_py`` that also copies configs, tools and model-index.yml to ``orl_mm/.mim``.

    For a wheel (or ``pip install .``) they are copied into the build tree, never into the
    sources. An editable install keeps the sources in place: there ``orl_mm/.mim`` holds
    relative symlinks to the clone's folders (what mmpretrain's ``add_mim_extension`` does).
    """

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            self._link_in_sources()
        else:
            self._copy_to(osp.join(self.build_lib, 'orl_mm', '.mim'))

    @staticmethod
    def _copy_to(mim_dir: str) -> None:
        if osp.isdir(mim_dir):
            shutil.rmtree(mim_dir)  # a reused build/ folder must not keep stale configs
        os.makedirs(mim_dir)
        for name in MIM_FILES:
            src = osp.join(HERE, name)
            if osp.isdir(src):
                shutil.copytree(src, osp.join(mim_dir, name),
                                ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
            elif osp.isfile(src):
                shutil.copyfile(src, osp.join(mim_dir, name))
            else:
                raise FileNotFoundError(f'{src} is missing: cannot package it for mim')

    @staticmethod
    def _link_in_sources() -> None:
        mim_dir = osp.join(HERE, 'orl_mm', '.mim')
        os.makedirs(mim_dir, exist_ok=True)
        for name in MIM_FILES:
            link = osp.join(mim_dir, name)
            if osp.islink(link) or osp.isfile(link):
                os.remove(link)
            elif osp.isdir(link):
                shutil.rmtree(link)
            os.symlink(osp.relpath(osp.join(HERE, name), mim_dir), link)


if 'develop' in sys.argv:  # legacy `pip install -e .` (setup.py develop): no build_py runs
    BuildPyWithMim._link_in_sources()

setup(
    name='orl_mm',
    version=read_version(),
    description='Object-level representation learning (ORL, SCRL, SlotCon) '
    'as an OpenMMLab plugin',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'benchmarks')),
    python_requires='>=3.10',
    install_requires=read_requirements('runtime.txt'),
    extras_require=dict(mim=read_requirements('mminstall.txt'),
                        tests=read_requirements('tests.txt'),
                        optional=read_requirements('optional.txt')),
    cmdclass=dict(build_py=BuildPyWithMim),
    license='Apache-2.0',
    zip_safe=False,
)
