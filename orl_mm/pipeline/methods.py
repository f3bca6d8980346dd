"""The methods the pipeline compares, and how each one's training run is configured.

Every method trains from random initialisation on the same images for the same number of
epochs (``--epochs``); ORL's stage 1 *is* the BYOL run, so ORL costs BYOL + stage 2 +
stage 3. The transfer weights are the ones each paper transfers: the online backbone for
BYOL, ORL and SCRL, the EMA teacher for SlotCon (``target_net.module.0.*``).
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config, DictAction

from orl_mm.utils import load_config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@dataclass(frozen=True)
class Method:
    """A pre-training method of the comparison.

    Attributes:
        name: ``byol``, ``orl``, ``scrl``, ``slotcon`` or ``random``.
        label: Its name in figures and tables.
        config: Default tiny config (repository-relative), ``None`` for ``random``.
        weights: Backbone weights that are evaluated and exported (``online``/``target``).
        loss_terms: The logged loss terms drawn besides the total ``loss``.
    """
    name: str
    label: str
    config: Optional[str]
    weights: str = 'online'
    loss_terms: Tuple[str, ...] = ()


METHODS: Dict[str, Method] = {
    m.name: m for m in (
        Method('byol', 'BYOL', 'configs/orl/byol_resnet18_1xb8-tiny-2e_demo.py'),
        Method('orl', 'ORL', 'configs/orl/orl_resnet18_1xb8-tiny-2e_demo.py',
               loss_terms=('loss_global', 'loss_intra', 'loss_inter')),
        Method('scrl', 'SCRL', 'configs/scrl/scrl_resnet18_1xb8-tiny-2e_demo.py',
               loss_terms=('loss_box', )),
        Method('slotcon', 'SlotCon', 'configs/slotcon/slotcon_resnet18_1xb8-tiny-2e_demo.py',
               weights='target', loss_terms=('loss_grouping', 'loss_contrastive')),
        Method('random', 'random init', None),
    )
}
ORDER = tuple(METHODS)


def parse_methods(names: Sequence[str]) -> List[str]:
    """Validate ``--methods`` and return them in the canonical order.

    Raises:
        ValueError: For an unknown name or an empty list.
    """
    unknown = sorted(set(names) - set(METHODS))
    if unknown:
        raise ValueError(f'unknown method(s) {unknown}; choose among {list(ORDER)}')
    if not names:
        raise ValueError('--methods needs at least one method')
    return [m for m in ORDER if m in names]


def trained(methods: Sequence[str]) -> List[str]:
    """The methods with a training run: ORL needs BYOL's (its stage 1)."""
    out = [m for m in methods if m != 'random']
    if 'orl' in out and 'byol' not in out:
        out.insert(0, 'byol')
    return [m for m in ORDER if m in out]


def epoch_options(cfg: Config, epochs: int) -> Dict[str, object]:
    """Overrides that train for ``epochs`` with the config's warm-up + cosine schedule.

    Two shapes: ``[warm-up, cosine]`` by epoch (SCRL, SlotCon; the warm-up is kept and the
    cosine fills the remaining epochs) and ``[EpochCosineWarmupLR]`` (ORL and its BYOL,
    mmcv's per-epoch cosine over all epochs with its warm-up: the cosine spans ``epochs``).

    Raises:
        ValueError: If the schedule has another shape or the warm-up is not shorter.
    """
    if epochs <= 0:
        return {}
    sched = cfg.param_scheduler
    single = (isinstance(sched, (list, tuple)) and len(sched) == 1
              and sched[0].get('type') == 'EpochCosineWarmupLR')
    if not single and (not isinstance(sched, (list, tuple)) or len(sched) != 2
                       or 'T_max' not in sched[1]):
        raise ValueError('--epochs needs a [warm-up, CosineAnnealing*] or '
                         f'[EpochCosineWarmupLR] param_scheduler; got {sched}; pass --epochs 0 '
                         'to keep the config')
    warmup_end = int(sched[0]['warmup_epochs'] if single else sched[0]['end'])
    if epochs <= warmup_end:
        raise ValueError(f'--epochs {epochs} must exceed the warm-up ({warmup_end} epochs)')
    if single:
        return {'train_cfg.max_epochs': epochs, 'param_scheduler.0.end': epochs,
                'param_scheduler.0.T_max': epochs}
    return {'train_cfg.max_epochs': epochs, 'param_scheduler.1.begin': warmup_end,
            'param_scheduler.1.end': epochs, 'param_scheduler.1.T_max': epochs - warmup_end}


def to_cli(options: Dict[str, object]) -> List[str]:
    """``{key: value}`` -> ``['key=value', ...]`` for ``--cfg-options``."""
    return [f'{k}={v}' for k, v in options.items()]


def parse_cli(options: Sequence[str]) -> Dict[str, object]:
    """``['key=value', ...]`` -> the dict mmengine's ``DictAction`` makes of them."""
    parsed: Dict[str, object] = {}
    for item in options:
        key, value = item.split('=', 1)
        parsed[key] = DictAction._parse_iterable(value)
    return parsed


def resolve(config: str, options: Sequence[str]) -> Config:
    """Load a config with ``--cfg-options`` as ``tools/train.py`` will (its ``pretty_text``
    fingerprints the run)."""
    return load_config(config, parse_cli(options))


def final_checkpoint(cfg: Config, work_dir: str) -> str:
    """The checkpoint of the last epoch of a run of ``cfg`` in ``work_dir``."""
    return osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
