"""Install orl_mm, an OpenMMLab plugin for object-level self-supervised learning.

The heavy dependencies (torch, mmcv with compiled ops) are pinned and installed by
``tools/install.sh``; ``pip install -e .`` alone installs the plugin and the pure-Python
requirements listed in ``requirements/runtime.txt``.
"""
import os.path as osp

from setuptools import find_packages, setup

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


setup(
    name='orl_mm',
    version=read_version(),
    description='Object-level representation learning (ORL, SCRL, SlotCon) '
    'as an OpenMMLab plugin',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'benchmarks')),
    python_requires='>=3.10',
    install_requires=read_requirements('runtime.txt') + read_requirements('mminstall.txt'),
    extras_require=dict(tests=read_requirements('tests.txt')),
    license='Apache-2.0',
    zip_safe=False,
)
