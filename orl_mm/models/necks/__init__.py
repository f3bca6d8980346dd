from .gelu_mlp import GELUMLPNeck
from .semantic_grouping import SemanticGrouping

__all__ = ['GELUMLPNeck', 'SemanticGrouping']
