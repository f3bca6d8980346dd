"""Helpers for tests that run the command-line tools in a subprocess."""
import os
import re
import subprocess
from typing import List, Sequence


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
