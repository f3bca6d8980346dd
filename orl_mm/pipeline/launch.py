"""How the pipeline starts its multi-process stages: one process, torchrun or slurm.

Training and stage 2 go through the project's launch scripts, the ones a user runs by
hand::

    none     python tools/train.py CONFIG ...              python tools/stage2/discover.py ...
    pytorch  bash tools/dist_train.sh CONFIG N ...         bash tools/stage2/dist_discover.sh ...
    slurm    bash tools/slurm_train.sh PART JOB CONFIG W   bash tools/stage2/slurm_discover.sh ...

Evaluation, export and figures stay in the pipeline's own process (see
:mod:`orl_mm.pipeline.plan`). The launcher is not part of any stage's fingerprint: a run
started on one GPU resumes on eight, and a stage finished under torchrun is complete for a
one-process pipeline too (training fingerprints the resolved config, stage 2 its
one-process command).
"""
import os
import os.path as osp
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from .methods import tool_path

#: The launchers ``tools/pipeline.py --launcher`` takes.
LAUNCHERS = ('none', 'pytorch', 'slurm')

#: One-process front door -> (torchrun script, slurm script, how many positional
#: arguments the front door takes before its options: CONFIG, or CONFIG CHECKPOINT).
SCRIPTS: Dict[str, Tuple[str, str, int]] = {
    'tools/train.py': ('tools/dist_train.sh', 'tools/slurm_train.sh', 1),
    'tools/stage2/discover.py': ('tools/stage2/dist_discover.sh',
                                 'tools/stage2/slurm_discover.sh', 2),
}


@dataclass
class LaunchOptions:
    """How training and stage 2 are started (``tools/pipeline.py``'s launch options).

    Attributes:
        launcher: ``'none'`` (one process, here), ``'pytorch'`` (torchrun on this machine,
            ``gpus`` processes) or ``'slurm'`` (``srun``, ``gpus`` tasks).
        gpus: Processes of each training run and of stage 2 (one per GPU; without a GPU,
            gloo processes on the CPU).
        partition: Slurm partition (``slurm`` only; required there).
        job_name: Prefix of the slurm job names (``<job_name>_<stage>``).
        gpus_per_node: Slurm tasks and GPUs per node (default: ``min(gpus, 8)``).
        cpus_per_task: Slurm CPUs per task (data loading; stage 2's selective search).
        srun_args: Further ``srun`` arguments, one string (e.g. ``'--time=72:00:00'``).
    """
    launcher: str = 'none'
    gpus: int = 1
    partition: Optional[str] = None
    job_name: str = 'orl_mm'
    gpus_per_node: Optional[int] = None
    cpus_per_task: int = 5
    srun_args: str = ''

    def __post_init__(self):
        if self.launcher not in LAUNCHERS:
            raise ValueError(f'unknown launcher {self.launcher!r}; choose among '
                             f'{list(LAUNCHERS)}')
        self.gpus = int(self.gpus)
        if self.gpus < 1:
            raise ValueError(f'--gpus must be at least 1, got {self.gpus}')
        if self.launcher == 'none' and self.gpus != 1:
            raise ValueError(f'--gpus {self.gpus} needs --launcher pytorch (torchrun on this '
                             'machine) or slurm; --launcher none runs one process')
        if self.launcher == 'slurm' and not self.partition:
            raise ValueError('--launcher slurm needs --partition (the slurm partition)')
        if self.gpus_per_node is None:
            self.gpus_per_node = min(self.gpus, 8)
        if self.gpus_per_node < 1 or self.cpus_per_task < 1:
            raise ValueError(f'--gpus-per-node ({self.gpus_per_node}) and --cpus-per-task '
                             f'({self.cpus_per_task}) must be at least 1')

    @property
    def processes(self) -> int:
        """Processes of a launched stage (1 for ``none``)."""
        return self.gpus


def _environment() -> Dict[str, str]:
    """The launch scripts call ``python``: make it this interpreter (``$PYTHON``, and its
    folder first on ``$PATH``, which srun passes to the tasks)."""
    python = sys.executable
    return dict(PYTHON=python,
                PATH=osp.dirname(python) + os.pathsep + os.environ.get('PATH', ''))


def _pop_work_dir(options: List[str]) -> Tuple[str, List[str]]:
    if '--work-dir' not in options:
        raise ValueError('a slurm-launched stage needs --work-dir in its command')
    at = options.index('--work-dir')
    return options[at + 1], options[:at] + options[at + 2:]


def launch_command(launch: LaunchOptions, tool: str, command: List[str],
                   job: str) -> Tuple[List[str], Dict[str, str]]:
    """The command (and extra environment) that runs a one-process front door's command
    with ``launch``.

    Args:
        launch: The launch options.
        tool: The front door, relative to the package root (a key of :data:`SCRIPTS`).
        command: ``[python, <tool>, *positional, *options]`` as for one process.
        job: The stage's name (the slurm job is ``<job_name>_<job>``).

    Returns:
        ``(argv, env)``; for ``none`` the command unchanged and no environment.

    Raises:
        KeyError: If ``tool`` has no launch scripts.
        FileNotFoundError: If the launch script is not installed.
    """
    if launch.launcher == 'none':
        return list(command), {}
    dist, slurm, npos = SCRIPTS[tool]
    positional, options = list(command[2:2 + npos]), list(command[2 + npos:])
    env = _environment()
    if launch.launcher == 'pytorch':
        return ['bash', tool_path(dist), *positional, str(launch.gpus), *options], env
    work_dir, options = _pop_work_dir(options)
    env.update(GPUS=str(launch.gpus), GPUS_PER_NODE=str(launch.gpus_per_node),
               CPUS_PER_TASK=str(launch.cpus_per_task), SRUN_ARGS=launch.srun_args)
    return ['bash', tool_path(slurm), str(launch.partition), f'{launch.job_name}_{job}',
            *positional, work_dir, *options], env
