"""Atomic file writes: a temporary file in the target's folder, fsync, then a rename.

A reader (or a resumed run) sees either the old file or the complete new one, never a
partial write, whatever kills the writer.
"""
import json
import os
import os.path as osp
import tempfile
from typing import IO, Any, Callable

import numpy as np


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
