from .flat_nonlinear import FlatNonLinearNeck
from .gelu_mlp import GELUMLPNeck
from .semantic_grouping import SemanticGrouping

__all__ = ['FlatNonLinearNeck', 'GELUMLPNeck', 'SemanticGrouping']
