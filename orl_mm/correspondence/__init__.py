"""ORL stage 2: correspondence discovery (k-NN images, proposals, RoI pairs) and its file."""
from .io import (Correspondence, CorrespondenceError, atomic_write_json, load_correspondence,
                 save_correspondence)
from .pairs import mine_pairs, mine_pairs_naive, select_pairs
from .proposals import ProposalSettings, filter_proposals, selective_search
from .runner import STEPS, Stage2Config, Stage2Error, run_stage2

__all__ = [
    'Correspondence', 'CorrespondenceError', 'atomic_write_json', 'load_correspondence',
    'save_correspondence', 'filter_proposals', 'selective_search', 'ProposalSettings',
    'select_pairs', 'mine_pairs', 'mine_pairs_naive', 'Stage2Config', 'Stage2Error',
    'run_stage2', 'STEPS'
]
