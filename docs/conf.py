"""Sphinx configuration of orl_mm's documentation (Markdown pages through myst-parser).

Build: ``sphinx-build -W -b html docs docs/_build/html`` (``-W``: any warning, e.g. a link to
a page or heading that does not exist, fails the build; ``tests/test_docs/test_build.py``).
"""
import os.path as osp
import re

HERE = osp.dirname(osp.abspath(__file__))
with open(osp.join(HERE, '..', 'orl_mm', 'version.py')) as f:
    release = re.search(r"__version__ = '([^']+)'", f.read()).group(1)

project = 'orl_mm'
author = 'orl_mm contributors'
copyright = 'orl_mm contributors, Apache-2.0'  # noqa: A001  (Sphinx's name)
version = release

extensions = ['myst_parser']
source_suffix = {'.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build', 'Thumbs.db', '.DS_Store']
# `[text](page.md#heading)` links: anchors for headings down to level 3.
myst_heading_anchors = 3
html_theme = 'alabaster'
html_static_path = ['_static']
html_title = 'orl_mm'
