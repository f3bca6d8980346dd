"""ORL stage 2: correspondence discovery (k-NN images, proposals, RoI pairs).

The correspondence file format itself lives in :mod:`orl_mm.structures.correspondence`
(re-exported here); the run is :func:`run_stage2` over a :class:`WorkDir`.
"""
from orl_mm.structures.correspondence import (Correspondence, CorrespondenceError,
                                              load_correspondence)
from .config import Stage2Config
from .pairs import select_pairs
from .proposals import ProposalSettings, filter_proposals, selective_search
from .runner import STEPS, run_stage2
from .workdir import FileWriter, Stage2Error, WorkDir

__all__ = [
    'Correspondence', 'CorrespondenceError', 'load_correspondence', 'filter_proposals',
    'selective_search', 'ProposalSettings', 'select_pairs', 'Stage2Config', 'Stage2Error',
    'run_stage2', 'STEPS', 'FileWriter', 'WorkDir'
]
