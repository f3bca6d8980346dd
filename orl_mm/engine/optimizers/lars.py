"""LARS as SlotCon's and SCRL's reference code runs it: the layer-wise scaled step fed to
plain momentum SGD, the learning rate applied outside the momentum buffer."""
from typing import Callable, Iterable, Optional, Union

import torch
from mmpretrain.registry import OPTIMIZERS
from torch.optim.optimizer import Optimizer

TRUST_RATIOS = ('update_norm', 'grad_norm_plus_decay')
EXCLUDED_UPDATES = ('grad', 'lr_grad')


@OPTIMIZERS.register_module()
class LARSSGD(Optimizer):
    """Layer-wise adaptive rate scaling (You et al., "Large Batch Training of Convolutional
    Networks", arXiv:1708.03888) applied to the gradient of momentum SGD.

    For each parameter ``p`` (any shape) with gradient ``g``, per step::

        d = g + wd * p                       (not for excluded parameters)
        d = q * d                            (not for excluded parameters)
        mu = momentum * mu + d               (mu starts at 0)
        p = p - lr * mu

    The learning rate multiplies the momentum buffer, so a schedule that changes ``lr``
    rescales the whole buffer at once. mmpretrain's ``LARS`` puts ``lr`` (times ``q``)
    inside the buffer instead (``mu = momentum * mu + lr * q * d``, ``p -= mu``): the two
    agree while ``lr`` is constant and differ as soon as the warm-up or cosine schedule
    moves it.

    The trust ratio ``q`` (1 when a norm it divides by or multiplies with is 0):

    * ``'update_norm'`` (SlotCon, Wen et al., NeurIPS 2022; reference ``utils/lars.py``,
      ``LARS.step``, from Barlow Twins): ``q = eta * ||p|| / ||g + wd * p||``, 1 unless
      ``||p|| > 0`` and ``||g + wd * p|| > 0``.
    * ``'grad_norm_plus_decay'`` (SCRL, Roh et al., CVPR 2021; reference
      ``optim/optim.py`` ``CustomLARS.apply_adaptive_lrs`` with torchlars'
      ``compute_adaptive_lr``, wrapping ``torch.optim.SGD`` whose ``step`` then does the
      momentum and ``p -= lr * mu``): ``q = ||p|| / (||g|| + wd * ||p|| + eps) * eta``,
      1 unless ``||p|| > 0`` and ``||g|| > 0``.

    Excluded parameters get no weight decay and no adaptation. Their ``d`` is
    ``excluded_update``:

    * ``'grad'``: ``d = g``, the plain momentum-SGD step (SlotCon's reference);
    * ``'lr_grad'``: ``d = lr * g`` (SCRL's reference: torchlars' ``CustomLARS`` sets the
      excluded group's "adaptive lr" to ``group['lr']`` and multiplies the gradient by it,
      then ``torch.optim.SGD`` multiplies the buffer by ``lr`` again), so the excluded
      parameters move with ``lr**2`` at a constant lr.

    A parameter is excluded when it is 1-D and ``exclude_1d`` is
    set (SlotCon's rule: biases and batch-norm affine parameters, whatever their name) or
    when its parameter group has ``lars_exclude=True`` (set by name through mmengine's
    ``paramwise_cfg.custom_keys``, as SCRL's reference selects ``'bn'`` and ``'bias'``).

    Args:
        params: Parameters or parameter groups (dicts; a group may set ``lr``,
            ``weight_decay``, ``momentum``, ``eta``, ``lars_exclude``).
        lr: Learning rate.
        momentum: Momentum factor (no dampening, no Nesterov, as both references).
        weight_decay: L2 coefficient ``wd`` added to the gradient of adapted parameters.
        eta: Trust coefficient (both references: 0.001).
        trust_ratio: ``'update_norm'`` (SlotCon) or ``'grad_norm_plus_decay'`` (SCRL).
        eps: Added to the denominator of ``'grad_norm_plus_decay'`` (torchlars: 1e-8);
            ``'update_norm'`` has none.
        exclude_1d: Exclude every 1-D parameter (SlotCon: True).
        excluded_update: ``'grad'`` or ``'lr_grad'`` (above).
    """

    def __init__(self,
                 params: Iterable[Union[torch.Tensor, dict]],
                 lr: float,
                 momentum: float = 0.9,
                 weight_decay: float = 0.,
                 eta: float = 1e-3,
                 trust_ratio: str = 'update_norm',
                 eps: float = 1e-8,
                 exclude_1d: bool = True,
                 excluded_update: str = 'grad') -> None:
        for name, value in (('lr', lr), ('momentum', momentum),
                            ('weight_decay', weight_decay), ('eta', eta), ('eps', eps)):
            if not value >= 0:
                raise ValueError(f'LARSSGD: {name} must be >= 0, got {value}')
        if trust_ratio not in TRUST_RATIOS:
            raise ValueError(
                f'LARSSGD: trust_ratio must be one of {TRUST_RATIOS}, got {trust_ratio!r}')
        if excluded_update not in EXCLUDED_UPDATES:
            raise ValueError(f'LARSSGD: excluded_update must be one of {EXCLUDED_UPDATES}, '
                             f'got {excluded_update!r}')
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta,
                        lars_exclude=False)
        super().__init__(params, defaults)
        self.trust_ratio = trust_ratio
        self.eps = eps
        self.exclude_1d = exclude_1d
        self.excluded_update = excluded_update

    def _scaled_step(self, p: torch.Tensor, grad: torch.Tensor, weight_decay: float,
                     eta: float) -> torch.Tensor:
        """``q * (g + wd * p)`` of an adapted parameter (same shape as ``p``)."""
        update = grad.add(p, alpha=weight_decay)
        param_norm = torch.linalg.vector_norm(p)
        one = torch.ones_like(param_norm)
        if self.trust_ratio == 'update_norm':
            update_norm = torch.linalg.vector_norm(update)
            valid = (param_norm > 0) & (update_norm > 0)
            q = torch.where(valid, eta * param_norm / update_norm, one)
        else:
            grad_norm = torch.linalg.vector_norm(grad)
            valid = (param_norm > 0) & (grad_norm > 0)
            q = torch.where(valid,
                            param_norm / (grad_norm + weight_decay * param_norm + self.eps)
                            * eta, one)
        return update.mul_(q)

    @torch.no_grad()
    def step(self, closure: Optional[Callable[[], torch.Tensor]] = None
             ) -> Optional[torch.Tensor]:
        """Perform one optimisation step.

        Args:
            closure: Re-evaluates the model and returns the loss (optional).

        Returns:
            The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError('LARSSGD does not support sparse gradients')
                if group['lars_exclude'] or (self.exclude_1d and p.ndim == 1):
                    update = (p.grad if self.excluded_update == 'grad'
                              else p.grad.mul(group['lr']))
                else:
                    update = self._scaled_step(p, p.grad, group['weight_decay'],
                                               group['eta'])
                state = self.state[p]
                if 'momentum_buffer' not in state:  # mu_0 = 0: mu_1 = d
                    state['momentum_buffer'] = update.clone()
                else:
                    state['momentum_buffer'].mul_(group['momentum']).add_(update)
                p.add_(state['momentum_buffer'], alpha=-group['lr'])
        return loss
