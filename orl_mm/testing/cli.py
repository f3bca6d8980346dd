"""Helpers for tests that run the command-line tools in a subprocess."""
import importlib.util
import os
import os.path as osp
import re
import subprocess
from types import ModuleType
from typing import List, Sequence


def load_tool(path: str) -> ModuleType:
    """Import a command-line tool as a module, e.g. ``load_tool('tools/misc/check_data.py')``.

    Args:
        path: The tool's path relative to the package root (the clone, or the installed
            package's ``.mim`` copy: :func:`orl_mm.pipeline.methods.tool_path`).

    Raises:
        FileNotFoundError: If the tool is in neither.
    """
    from orl_mm.pipeline.methods import tool_path
    full = tool_path(path)
    name = osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, full)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(cmd: Sequence[str], cwd: str, timeout: int = 600, env: dict = None) -> str:
    """Run ``cmd`` in ``cwd`` (one torch thread) and return stdout + stderr.

    Raises:
        AssertionError: If the command fails; the message holds the end of its output.
    """
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    full_env.update(env or {})
    proc = subprocess.run(list(cmd), cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    return out


def logged_values(log: str, key: str = 'loss') -> List[float]:
    """Every value mmengine's logger printed as ``<key>: <value>``."""
    return [float(v) for v in re.findall(rf'\b{key}: (-?[0-9.]+(?:e[-+]?[0-9]+)?)', log)]
