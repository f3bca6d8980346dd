"""Evaluation of orl_mm checkpoints: backbone loading/export, frozen features, SVM, k-NN."""
from .checkpoints import CheckpointMismatchError, build_backbone, load_backbone_state_dict
from .hooks import PretrainedBackboneCheckHook
from .pretrained_init import OrlPretrained

__all__ = ['CheckpointMismatchError', 'build_backbone', 'load_backbone_state_dict',
           'PretrainedBackboneCheckHook', 'OrlPretrained']
