"""docs/ builds with Sphinx (myst-parser) with warnings as errors, and a broken link fails it."""
import glob
import os.path as osp
import shutil

import pytest
from sphinx.cmd.build import build_main


def _build(src: str, out: str) -> tuple:
    """Build ``src`` into ``out`` as -W html; returns (exit code, warnings text)."""
    warnings = osp.join(out, 'warnings.txt')
    code = build_main(['-W', '-E', '-q', '-b', 'html', '-d', osp.join(out, 'doctrees'),
                       '-w', warnings, src, osp.join(out, 'html')])
    text = open(warnings).read() if osp.exists(warnings) else ''
    return code, text


def _copy_docs(repo_root: str, dst: str) -> str:
    """A copy of docs/ (and the version file its conf.py reads) under ``dst``."""
    shutil.copytree(osp.join(repo_root, 'docs'), osp.join(dst, 'docs'),
                    ignore=shutil.ignore_patterns('_build'))
    shutil.copytree(osp.join(repo_root, 'orl_mm'), osp.join(dst, 'orl_mm'),
                    ignore=lambda d, names: [n for n in names if n != 'version.py'])
    return osp.join(dst, 'docs')


def test_docs_build_without_warnings(repo_root, tmp_path):
    code, warnings = _build(osp.join(repo_root, 'docs'), str(tmp_path))
    assert code == 0, warnings
    index = open(tmp_path / 'html' / 'index.html').read()
    pages = sorted(osp.splitext(osp.basename(p))[0]
                   for p in glob.glob(osp.join(repo_root, 'docs', '*.md')))
    for page in pages:  # every page came out and the index links to it
        assert (tmp_path / 'html' / f'{page}.html').is_file(), page
        if page != 'index':
            assert f'href="{page}.html"' in index, page
    stage2 = open(tmp_path / 'html' / 'stage2.html').read()
    # a cross-page heading link resolved to the anchor myst made for the heading
    cluster = open(tmp_path / 'html' / 'cluster.html').read()
    assert 'id="stage-2-on-slurm-and-cpu-farms"' in cluster
    assert 'href="cluster.html#stage-2-on-slurm-and-cpu-farms"' in stage2


def _build_with_page(repo_root: str, tmp_path, name: str, text: str) -> tuple:
    """Build a copy of docs/ with one more page ``name`` holding ``text``."""
    src = _copy_docs(repo_root, str(tmp_path / 'src'))
    with open(osp.join(src, name), 'w') as f:
        f.write(text)
    return _build(src, str(tmp_path / 'out'))


def test_a_new_page_is_in_the_index_without_editing_it(repo_root, tmp_path):
    code, warnings = _build_with_page(repo_root, tmp_path, 'zz_new_page.md',
                                      '# A page added later\n\nSee [Install](install.md).\n')
    assert code == 0, warnings
    assert 'href="zz_new_page.html"' in open(tmp_path / 'out' / 'html' / 'index.html').read()


@pytest.mark.parametrize('link, named', [
    ('[a page](no_such_page.md)', 'no_such_page.md'),                   # a missing page
    ('[a heading](stage2.md#no-such-heading)', 'no-such-heading'),      # a missing heading
])
def test_a_broken_link_fails_the_build(repo_root, tmp_path, link, named):
    code, warnings = _build_with_page(repo_root, tmp_path, 'zz_broken.md',
                                      f'# Broken\n\n{link}\n')
    assert code != 0
    assert named in warnings
