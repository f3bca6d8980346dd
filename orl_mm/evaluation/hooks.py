"""A hook proving that a detector's backbone was filled from a pre-trained checkpoint.

mmengine's ``PretrainedInit`` logs missing keys only when there are some, so a run whose
checkpoint silently did not match (e.g. a wrong ``prefix``) and a run that loaded every tensor
look alike. :class:`PretrainedBackboneCheckHook` re-reads ``model.backbone.init_cfg``'s
checkpoint before training and logs one line with the counts::

    backbone <- CKPT (prefix 'backbone.'): 62/62 tensors loaded and equal, 0 missing keys,
    0 unexpected keys

It raises on any missing key or any tensor that differs from the checkpoint (``strict``).
A C4 detector's shared RoI head (``model.roi_head.shared_head``: res5, read from the same
checkpoint) is checked the same way when its ``init_cfg`` is ``Pretrained``. For an
``OrlPretrained`` ``init_cfg`` (:mod:`orl_mm.evaluation.pretrained_init`) the hook takes the
weights it names (``auto``: the ones the method transfers) and checks the module's ResNet
tensors (the C4 head's extra norm is not in a checkpoint).
Registered in mmengine's root ``HOOKS`` so that mmdet's and mmpretrain's scopes both find it.
"""
from typing import List, Optional, Tuple

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

__all__ = ['PretrainedBackboneCheckHook']


@HOOKS.register_module()
class PretrainedBackboneCheckHook(Hook):
    """Check (and log) that ``model.backbone`` holds its ``init_cfg`` checkpoint's weights.

    Also ``model.roi_head.shared_head`` (res5 of C4 detectors) when it has a Pretrained
    ``init_cfg``.

    Args:
        strict: Raise ``RuntimeError`` on missing keys or unequal tensors.
    """

    priority = 'VERY_HIGH'
    #: (name in the log, path of the module under ``cfg.model`` and ``model``)
    MODULES = (('backbone', ('backbone', )), ('shared head', ('roi_head', 'shared_head')))

    def __init__(self, strict: bool = True):
        self.strict = strict

    @staticmethod
    def _pretrained(cfg) -> Optional[dict]:
        init_cfg = cfg.get('init_cfg', None) if cfg else None
        if isinstance(init_cfg, (list, tuple)):
            init_cfg = next((c for c in init_cfg if c.get('type') == 'Pretrained'), None)
        if not init_cfg or init_cfg.get('type') not in ('Pretrained', 'OrlPretrained'):
            return None
        return init_cfg

    def _targets(self, runner) -> List[Tuple[str, torch.nn.Module, dict]]:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        out = []
        for name, path in self.MODULES:
            cfg, module = runner.cfg.get('model', {}), model
            for attr in path:
                cfg = cfg.get(attr, None) if cfg else None
                module = getattr(module, attr, None)
            init_cfg = self._pretrained(cfg)
            if init_cfg is not None and module is not None:
                out.append((name, module, init_cfg))
        return out

    def before_train(self, runner) -> None:
        targets = self._targets(runner)
        if not targets:
            runner.logger.info('PretrainedBackboneCheckHook: the backbone has no Pretrained '
                               'init_cfg; nothing to check')
            return
        if runner._resume or runner._load_from:
            runner.logger.info('PretrainedBackboneCheckHook: weights come from load_from/resume; '
                               'the init_cfg checkpoint is not checked')
            return
        for name, module, init_cfg in targets:
            self._check(runner, name, module, init_cfg)

    @staticmethod
    def _checkpoint_state(init_cfg: dict) -> Tuple[dict, Optional[str]]:
        """The tensors the ``init_cfg`` loads, and the prefix (or weights name) it read."""
        if init_cfg.get('type') == 'OrlPretrained':
            from .checkpoints import load_backbone_state_dict, resolve_weights
            weights, _ = resolve_weights(init_cfg['checkpoint'], init_cfg.get('weights', 'auto'))
            state, _ = load_backbone_state_dict(init_cfg['checkpoint'], weights)
            return state, f'{weights} weights'  # what the log names instead of a prefix
        from mmengine.runner.checkpoint import _load_checkpoint
        prefix = init_cfg.get('prefix', None)
        ckpt = _load_checkpoint(init_cfg['checkpoint'], map_location='cpu')
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
        if prefix:
            state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        return state, prefix

    def _check(self, runner, name: str, module: torch.nn.Module, init_cfg: dict) -> None:
        ckpt_path = init_cfg['checkpoint']
        state, prefix = self._checkpoint_state(init_cfg)
        source = prefix if init_cfg.get('type') == 'OrlPretrained' else f'prefix {prefix!r}'
        own = module.state_dict()
        if init_cfg.get('type') == 'OrlPretrained':
            from .pretrained_init import RESNET_PARTS
            own = {k: v for k, v in own.items() if k.split('.', 1)[0] in RESNET_PARTS}
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        equal = [k for k in own if k in state and torch.is_tensor(state[k])
                 and state[k].shape == own[k].shape
                 and torch.equal(state[k].to(own[k].device, own[k].dtype), own[k])]
        equal_set = set(equal)
        different = [k for k in own if k in state and k not in equal_set]
        runner.logger.info(
            f'PretrainedBackboneCheckHook: {name} <- {ckpt_path} ({source}): '
            f'{len(equal)}/{len(own)} tensors loaded and equal, {len(missing)} missing keys, '
            f'{len(unexpected)} unexpected keys'
            + (f'; missing: {missing[:20]}' if missing else '')
            + (f'; unexpected: {unexpected[:20]}' if unexpected else '')
            + (f'; different: {different[:20]}' if different else ''))
        if self.strict and (missing or different):
            raise RuntimeError(
                f'the {name} was not filled from {ckpt_path} ({source}): '
                f'{len(missing)} missing keys {missing[:20]}, {len(different)} tensors differ '
                f'{different[:20]}')
