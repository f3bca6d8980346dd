"""Atomic writes leave files with the mode an ordinary ``open(path, 'w')`` gives."""
import os
import stat

import pytest

from orl_mm.structures.correspondence import Correspondence, save_correspondence
from orl_mm.utils.io import atomic_write, atomic_write_json


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize('umask', [0o022, 0o007, 0o077])
def test_new_files_get_0666_less_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        atomic_write(str(tmp_path / 'a.bin'), lambda f: f.write(b'x'))
        atomic_write_json({'a': 1}, str(tmp_path / 'b.json'))
        save_correspondence(Correspondence(['x.jpg'], [0], [[]], [[]], [[]]),
                            str(tmp_path / 'correspondence.json'))
        with open(tmp_path / 'plain.txt', 'w') as f:
            f.write('x')
    finally:
        os.umask(old)
    expected = 0o666 & ~umask
    assert _mode(tmp_path / 'plain.txt') == expected  # what an ordinary open gives
    for name in ('a.bin', 'b.json', 'correspondence.json'):
        assert _mode(tmp_path / name) == expected, name


def test_replacing_a_file_keeps_its_mode(tmp_path):
    path = tmp_path / 'report.html'
    path.write_text('old')
    os.chmod(path, 0o640)
    atomic_write(str(path), lambda f: f.write('new'), binary=False)
    assert path.read_text() == 'new'
    assert _mode(path) == 0o640
