"""The one-command pipeline's bookkeeping: stages, what marks them complete, and the run.

A stage is a command (one of the project's front doors, run as a subprocess so each stage
starts clean and logs to its own file) plus the files whose presence marks it complete.
:func:`run_stages` skips complete stages and re-runs incomplete ones; every front door
resumes its own partial work (``tools/train.py --resume``, stage 2's per-image files, the
benchmarks' per-layer results), so a killed pipeline continues where it stopped.

Each stage also has a *fingerprint*: a hash of what defines its result (its ``key``, e.g.
the resolved training config, else its command) and of the fingerprints of the stages it
depends on. It is recorded in ``<state_dir>/<name>.json`` when the stage starts and when it
finishes. A stage whose recorded fingerprint differs from the current one (a changed
config, other epochs, a re-trained upstream model) is cleaned (its ``work_dir`` and
outputs removed) and run again from scratch; so are stages with outputs but no record
(made by something else). The record also accumulates the stage's wall time over resumes.
"""
import contextlib
import hashlib
import io
import json
import os
import os.path as osp
import runpy
import shutil
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import IO, Callable, Dict, List, Optional, Sequence

from orl_mm.utils.io import atomic_write_json, read_json


class PipelineError(RuntimeError):
    """A stage failed, or finished without writing what marks it complete."""


@dataclass
class Stage:
    """One step of the pipeline.

    Attributes:
        name: Short name (``train_byol``, ``stage2``...), also the log file's name.
        command: The argv to run.
        outputs: Files that exist once the stage is complete.
        work_dir: The stage's own folder; non-empty without the outputs means it was
            interrupted (the command then resumes).
        env: Extra environment variables for the command.
        key: What defines the stage's result (e.g. the resolved config's text); defaults
            to the command's arguments.
        deps: Names of earlier stages whose results this stage reads.
        in_process: Run the script (``command[1]``) inside this Python process, as
            ``__main__`` with ``command[2:]`` as its arguments: for the short front doors
            (evaluation, export, figures) whose run would be mostly interpreter start-up
            and imports. Training runs always get their own process.
    """
    name: str
    command: List[str]
    outputs: List[str]
    work_dir: Optional[str] = None
    env: Dict[str, str] = field(default_factory=dict)
    key: Optional[str] = None
    deps: Sequence[str] = ()
    in_process: bool = False

    def missing(self) -> List[str]:
        """The outputs that do not exist yet."""
        return [path for path in self.outputs if not osp.isfile(path)]

    def complete(self) -> bool:
        return not self.missing()

    def clean(self) -> None:
        """Remove the stage's work dir and outputs (before a run from scratch)."""
        if self.work_dir and osp.isdir(self.work_dir):
            shutil.rmtree(self.work_dir)
        for path in self.outputs:
            if osp.isfile(path):
                os.remove(path)


def fingerprint(stage: Stage, upstream: Dict[str, str]) -> str:
    """sha1 of the stage's key (or command arguments) and its dependencies' fingerprints.

    Raises:
        PipelineError: If a dependency has not been fingerprinted yet (wrong stage order).
    """
    missing = [d for d in stage.deps if d not in upstream]
    if missing:
        raise PipelineError(f'stage {stage.name} depends on {missing}, which come later')
    key = stage.key if stage.key is not None else json.dumps(stage.command[1:])
    text = json.dumps([key, [upstream[d] for d in stage.deps]])
    return hashlib.sha1(text.encode()).hexdigest()


_NOISE = (' - mmengine - ', 'torch.Size', 'init_weights', 'Init:', 'elapsed:')


def _headline(line: str) -> bool:
    """Whether a line of a stage's output also goes to the console (all go to its log):
    training iterations and the tools' own results, not init dumps or progress bars."""
    if 'Epoch(' in line or 'Iter(' in line:
        return True
    return bool(line.strip()) and not line.startswith(' ') and not any(
        noise in line for noise in _NOISE)


class _Tee(io.TextIOBase):
    """A text stream writing every line to the current stage's log file, and the headlines
    to the console. One instance serves all in-process stages and is pointed at each
    stage's log in turn: loggers created during a stage (mmengine's) keep a reference to
    it and then write into the log of the stage that is running."""

    def __init__(self) -> None:
        self.log: Optional[IO] = None
        self.console: IO = sys.stdout
        self.name = ''
        self.pending = ''

    def write(self, text: str) -> int:
        if self.log is not None:
            self.log.write(text)
        self.pending += text
        *lines, self.pending = self.pending.split('\n')
        for line in lines:
            if _headline(line):
                self.console.write(f'  [{self.name}] {line}\n')
        return len(text)

    def flush(self) -> None:
        if self.log is not None:
            self.log.flush()


_TEE = _Tee()


def _run_in_process(stage: Stage, log: IO) -> int:
    """Run ``stage.command[1]`` as ``__main__`` here; its exit status."""
    _TEE.log, _TEE.console, _TEE.name, _TEE.pending = log, sys.stdout, stage.name, ''
    argv = sys.argv
    sys.argv = list(stage.command[1:])
    try:
        with contextlib.redirect_stdout(_TEE), contextlib.redirect_stderr(_TEE):
            runpy.run_path(stage.command[1], run_name='__main__')
        return 0
    except SystemExit as exit_:
        code = exit_.code
        if code is not None and not isinstance(code, int):
            log.write(f'{code}\n')
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception:  # a failing tool fails its stage, not the pipeline's process
        log.write(traceback.format_exc())
        return 1
    finally:
        sys.argv = argv
        _TEE.flush()
        _TEE.log = None


def _signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to a process group; whether any process of it was there."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def _stop_group(proc: subprocess.Popen, grace: float = 30.) -> None:
    """SIGTERM to the child's process group (torchrun passes it on to its workers, srun
    to its tasks), SIGKILL to what is left of it after ``grace`` seconds."""
    _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        proc.poll()  # reaps the leader once it has exited
        if not _signal_group(proc.pid, 0):
            break
        time.sleep(0.1)
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def run_command(stage: Stage, log_file: str) -> None:
    """Run a stage's command, streaming its output to the console and to ``log_file``.

    Raises:
        PipelineError: If the command exits with an error (the log file is named).
    """
    os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
    if stage.in_process:
        with open(log_file, 'a') as log:
            log.write(f'\n$ (in process) {" ".join(stage.command[1:])}\n')
            code = _run_in_process(stage, log)
        if code != 0:
            raise PipelineError(f'stage {stage.name} failed (exit code {code}); see {log_file}')
        return
    env = dict(os.environ, PYTHONUNBUFFERED='1', **stage.env)
    with open(log_file, 'a') as log:
        log.write(f'\n$ {" ".join(stage.command)}\n')
        log.flush()
        # its own process group: a launch script's torchrun/srun and their workers are
        # stopped with it
        proc = subprocess.Popen(stage.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env, start_new_session=True)
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                log.write(line)
                if _headline(line):
                    sys.stdout.write(f'  [{stage.name}] {line}')
        except BaseException:  # Ctrl-C, SIGTERM (see tools/pipeline.py): stop the child too
            _stop_group(proc)
            raise
        code = proc.wait()
    if code != 0:
        raise PipelineError(f'stage {stage.name} failed (exit code {code}); see {log_file}')


def run_stages(stages: Sequence[Stage], log_dir: str,
               runner: Callable[[Stage, str], None] = run_command,
               force: Sequence[str] = (), state_dir: Optional[str] = None,
               clock: Callable[[], float] = time.perf_counter) -> Dict[str, dict]:
    """Run the stages in order, skipping the complete ones whose fingerprint is unchanged.

    Args:
        stages: The stages, in dependency order.
        log_dir: One ``<name>.log`` per stage goes here.
        runner: Runs one stage (injectable for tests).
        force: Names of stages to run (from scratch) even if complete.
        state_dir: Where the per-stage records go (default: ``<log_dir>/../state``).
        clock: Seconds counter (injectable for tests).

    Returns:
        Per stage: ``status`` (``skipped``, ``ran`` or ``reran`` when cleaned first),
        ``seconds`` (this run) and ``total_seconds`` (all runs of this fingerprint).

    Raises:
        PipelineError: If a stage fails or does not produce its outputs.
    """
    state_dir = state_dir or osp.join(osp.dirname(osp.abspath(log_dir)), 'state')
    prints: Dict[str, str] = {}
    summary: Dict[str, dict] = {}
    for stage in stages:
        fp = prints[stage.name] = fingerprint(stage, prints)
        record_file = osp.join(state_dir, f'{stage.name}.json')
        record = read_json(record_file)
        same = record is not None and record.get('fingerprint') == fp
        if same and record.get('done') and stage.complete() and stage.name not in force:
            print(f'[pipeline] {stage.name}: complete, skipped')
            summary[stage.name] = dict(status='skipped', seconds=0.,
                                       total_seconds=record.get('seconds', 0.))
            continue
        partial = bool(stage.work_dir and osp.isdir(stage.work_dir) and os.listdir(stage.work_dir))
        stale = not same and (partial or any(osp.isfile(p) for p in stage.outputs))
        if stale or stage.name in force:
            why = 'forced' if stage.name in force else 'its inputs or settings changed'
            print(f'[pipeline] {stage.name}: {why}, cleaned and running from scratch')
            stage.clean()
            record, partial = None, False
        else:
            print(f'[pipeline] {stage.name}: running{" (resuming)" if partial else ""}')
        before = float(record.get('seconds', 0.)) if same and record else 0.
        atomic_write_json(dict(fingerprint=fp, done=False, seconds=before), record_file)
        start = clock()
        try:
            runner(stage, osp.join(log_dir, f'{stage.name}.log'))
        finally:
            seconds = clock() - start
            atomic_write_json(dict(fingerprint=fp, done=False, seconds=round(before + seconds, 3)),
                              record_file)
        missing = stage.missing()
        if missing:
            raise PipelineError(f'stage {stage.name} finished without {", ".join(missing)}')
        total = round(before + seconds, 3)
        atomic_write_json(dict(fingerprint=fp, done=True, seconds=total), record_file)
        print(f'[pipeline] {stage.name}: done in {seconds:.0f} s')
        summary[stage.name] = dict(status='reran' if stale else 'ran',
                                   seconds=round(seconds, 1), total_seconds=total)
    return summary


def python_command(script: str, *args: str, python: Optional[str] = None) -> List[str]:
    """``[python, script, *args]`` with the running interpreter by default."""
    return [python or sys.executable, script, *args]
