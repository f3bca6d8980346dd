"""The one-command pipeline's bookkeeping: stages, what marks them complete, and the run.

A stage is a command (one of the project's front doors, run as a subprocess so each stage
starts clean and logs to its own file) plus the files whose presence marks it complete.
:func:`run_stages` skips complete stages and re-runs incomplete ones; every front door
resumes its own partial work (``tools/train.py --resume``, stage 2's per-image files, the
benchmarks' per-layer results), so a killed pipeline continues where it stopped.
"""
import os
import os.path as osp
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence


class PipelineError(RuntimeError):
    """A stage failed, or finished without writing what marks it complete."""


@dataclass
class Stage:
    """One step of the pipeline.

    Attributes:
        name: Short name (``stage1``, ``stage2``...), also the log file's name.
        command: The argv to run.
        outputs: Files that exist once the stage is complete.
        work_dir: The stage's own folder; non-empty without the outputs means it was
            interrupted (the command then resumes).
        env: Extra environment variables for the command.
    """
    name: str
    command: List[str]
    outputs: List[str]
    work_dir: Optional[str] = None
    env: Dict[str, str] = field(default_factory=dict)

    def missing(self) -> List[str]:
        """The outputs that do not exist yet."""
        return [path for path in self.outputs if not osp.isfile(path)]

    def complete(self) -> bool:
        return not self.missing()


_NOISE = (' - mmengine - ', 'torch.Size', 'init_weights', 'Init:', 'elapsed:')


def _headline(line: str) -> bool:
    """Whether a line of a stage's output also goes to the console (all go to its log):
    training iterations and the tools' own results, not init dumps or progress bars."""
    if 'Epoch(' in line or 'Iter(' in line:
        return True
    return bool(line.strip()) and not line.startswith(' ') and not any(
        noise in line for noise in _NOISE)


def run_command(stage: Stage, log_file: str) -> None:
    """Run a stage's command, streaming its output to the console and to ``log_file``.

    Raises:
        PipelineError: If the command exits with an error (the log file is named).
    """
    os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
    env = dict(os.environ, PYTHONUNBUFFERED='1', **stage.env)
    with open(log_file, 'a') as log:
        log.write(f'\n$ {" ".join(stage.command)}\n')
        log.flush()
        proc = subprocess.Popen(stage.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env)
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if _headline(line):
                sys.stdout.write(f'  [{stage.name}] {line}')
        code = proc.wait()
    if code != 0:
        raise PipelineError(f'stage {stage.name} failed (exit code {code}); see {log_file}')


def run_stages(stages: Sequence[Stage], log_dir: str,
               runner: Callable[[Stage, str], None] = run_command,
               force: Sequence[str] = ()) -> Dict[str, dict]:
    """Run the stages in order, skipping the complete ones.

    Args:
        stages: The stages, in dependency order.
        log_dir: One ``<name>.log`` per stage goes here.
        runner: Runs one stage (injectable for tests).
        force: Names of stages to run even if complete.

    Returns:
        Per stage: ``status`` (``skipped`` or ``ran``) and ``seconds``.

    Raises:
        PipelineError: If a stage fails or does not produce its outputs.
    """
    summary: Dict[str, dict] = {}
    for stage in stages:
        if stage.complete() and stage.name not in force:
            print(f'[pipeline] {stage.name}: complete, skipped')
            summary[stage.name] = dict(status='skipped', seconds=0.)
            continue
        partial = bool(stage.work_dir and osp.isdir(stage.work_dir) and os.listdir(stage.work_dir))
        print(f'[pipeline] {stage.name}: running{" (resuming)" if partial else ""}')
        start = time.perf_counter()
        runner(stage, osp.join(log_dir, f'{stage.name}.log'))
        missing = stage.missing()
        if missing:
            raise PipelineError(f'stage {stage.name} finished without {", ".join(missing)}')
        seconds = time.perf_counter() - start
        print(f'[pipeline] {stage.name}: done in {seconds:.0f} s')
        summary[stage.name] = dict(status='ran', seconds=round(seconds, 1))
    return summary


def python_command(script: str, *args: str, python: Optional[str] = None) -> List[str]:
    """``[python, script, *args]`` with the running interpreter by default."""
    return [python or sys.executable, script, *args]
