"""The stage-2 steps, in order; each reads the outputs of the steps before it."""
from .pairs import PairsStep
from .proposals import ProposalsStep
from .quality import QualityStep
from .retrieval import RetrievalStep
from .roi import RoIStep

STEP_TYPES = (ProposalsStep, RetrievalStep, RoIStep, PairsStep, QualityStep)
STEPS = tuple(s.name for s in STEP_TYPES)

__all__ = ['ProposalsStep', 'RetrievalStep', 'RoIStep', 'PairsStep', 'QualityStep', 'STEP_TYPES',
           'STEPS']
