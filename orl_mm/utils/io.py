"""Atomic file writes: a temporary file in the target's folder, fsync, then a rename.

A reader (or a resumed run) sees either the old file or the complete new one, never a
partial write, whatever kills the writer. The new file gets the permissions an ordinary
``open(path, 'w')`` would give it: an existing file's mode is kept, a new file gets
``0o666 & ~umask`` (``mkstemp`` alone would leave every file at ``0o600``).
"""
import json
import os
import os.path as osp
import stat
import tempfile
from typing import IO, Any, Callable

import numpy as np


def _mode_for(path: str) -> int:
    """The permission bits ``open(path, 'w')`` would leave ``path`` with."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read from /proc where it can be (setting it is not thread-safe)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)  # elsewhere the umask can only be read by setting it
    os.umask(umask)
    return umask


def atomic_write(path: str, write: Callable[[IO], None], binary: bool = True) -> None:
    """Create ``path`` atomically with ``write(file_object)``; its folder is created.

    Args:
        path: The file to write.
        write: Writes the content to the open temporary file.
        binary: Open the temporary file in binary (default) or text mode.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=folder)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, 'wb' if binary else 'w') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(obj: Any, path: str, **dump_kwargs) -> None:
    """Write ``obj`` as JSON to ``path`` atomically (``dump_kwargs`` go to ``json.dump``)."""
    atomic_write(path, lambda f: json.dump(obj, f, **dump_kwargs), binary=False)


def atomic_save_npy(array: Any, path: str) -> None:
    """Write a numpy array to ``path`` (``.npy``) atomically."""
    atomic_write(path, lambda f: np.save(f, array))


def read_json(path: str) -> Any:
    """Read a JSON file; ``None`` if it is missing or unreadable (a file to redo)."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError):
        return None
