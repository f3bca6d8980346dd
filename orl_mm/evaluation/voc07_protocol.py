"""The VOC07 frozen-feature SVM protocol of ORL, as one value: :data:`REFERENCE_PROTOCOL`.

Every number comes from ORL's code (Jiahao000/ORL, which runs Goyal et al.'s benchmark):

* input (``benchmarks/extract_info/voc07.py``): ``Resize(256)`` (shorter side), then
  ``Resize((224, 224))`` - the whole image, aspect ratio not kept, nothing cropped -, then
  ``ToTensor`` and ``Normalize`` with the ImageNet mean/std;
* pooling (``tools/extract.py``: ``MultiPooling(pool_type='specified')``,
  ``openselfsup/models/utils/multi_pooling.py``): fixed ``AvgPool2d`` windows per layer
  (see :data:`orl_mm.evaluation.features.REFERENCE_WINDOWS`);
* features (``svm_helper.normalize_features``): float64, divided by ``norm + 1e-5``;
* costs (``svm_helper.parse_cost_list`` on the scripts' ``"1.0,10.0,100.0"``): 1, 10, 100,
  then 0.5^4 ... 0.5^19, 19 in all, in that order (the order breaks ties: ``np.argmax``);
* cross-validation (``train_svm_kfold(_parallel).py``): ``cross_val_score(cv=3)``, i.e.
  scikit-learn's ``StratifiedKFold(3)`` without shuffling;
* ``LinearSVC(C, class_weight={1: 2, -1: 1}, loss='squared_hinge', penalty='l2', dual=True,
  tol=1e-4, max_iter=2000, intercept_scaling=1.0)`` (:data:`LINEAR_SVC_KWARGS`);
* low shot (``create_voc_low_shot_challenge_samples.py``, ``aggregate_low_shot_svm_stats.py``):
  k in {1, 2, 4, 8, 16, 32, 64, 96}, 5 independent samples, each class trained on k positives
  and (C - 1) * k negatives (absent, never difficult); per k, the cost with the best mean
  test mAP over the samples, reported as mean / min / max / std (``np.std``) at that cost.

The reference leaves liblinear's sample shuffling unseeded; here each ``LinearSVC`` gets
``random_state=0`` (one fixed draw of the same procedure), so results are reproducible and
independent of the worker count. A run that differs (another input size, pooling, cost grid,
fold rule or negative count) is a :class:`VOC07Protocol` with other values, and
:meth:`VOC07Protocol.deviations` lists the differences, which the tools write to their JSON.
"""
from dataclasses import dataclass, fields, replace
from typing import List, Tuple

import numpy as np

__all__ = ['VOC07Protocol', 'REFERENCE_PROTOCOL', 'REFERENCE_COSTS', 'LINEAR_SVC_KWARGS',
           'LOW_SHOT_NEGATIVES', 'normalize_features', 'protocol_for_size']

#: ``svm_helper.parse_cost_list('1.0,10.0,100.0')``: the listed costs, then 0.5^4 .. 0.5^19.
REFERENCE_COSTS = (1.0, 10.0, 100.0) + tuple(0.5 ** n for n in range(4, 20))
#: The reference's ``LinearSVC`` arguments (``random_state`` is added by :func:`train_svm`).
LINEAR_SVC_KWARGS = dict(class_weight={1: 2, -1: 1}, loss='squared_hinge', penalty='l2',
                         dual=True, tol=1e-4, max_iter=2000, intercept_scaling=1.0)
#: Negatives of a k-shot class: ``'per_other_class'`` (the reference: (C - 1) * k), ``'k'``,
#: or ``'all'`` (every absent image).
LOW_SHOT_NEGATIVES = ('per_other_class', 'k', 'all')


@dataclass(frozen=True)
class VOC07Protocol:
    """Settings of the VOC07 SVM benchmark; the defaults are the reference's.

    Attributes:
        resize_short: Shorter side of the first resize (pixels).
        input_size: Side of the second resize, the whole image to a square (pixels).
        pooling: ``'specified'`` (the reference's fixed windows wherever they apply: a
            ResNet-50 map of the reference size; adaptive pooling to the same grid
            elsewhere) or ``'adaptive'`` (adaptive everywhere).
        feature_eps: Added to each feature's L2 norm before dividing.
        costs: Cost grid, in tie-breaking order.
        folds: Cross-validation folds.
        shuffle_folds: Shuffle before splitting the folds (the reference does not).
        low_shot_k: Positives per class of the low-shot runs.
        low_shot_samples: Independent samples per k.
        low_shot_negatives: See :data:`LOW_SHOT_NEGATIVES`.
    """
    resize_short: int = 256
    input_size: int = 224
    pooling: str = 'specified'
    feature_eps: float = 1e-5
    costs: Tuple[float, ...] = REFERENCE_COSTS
    folds: int = 3
    shuffle_folds: bool = False
    low_shot_k: Tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 96)
    low_shot_samples: int = 5
    low_shot_negatives: str = 'per_other_class'

    def __post_init__(self):
        if self.pooling not in ('specified', 'adaptive'):
            raise ValueError(f"pooling must be 'specified' or 'adaptive', got {self.pooling!r}")
        if self.low_shot_negatives not in LOW_SHOT_NEGATIVES:
            raise ValueError(f'low_shot_negatives must be one of {LOW_SHOT_NEGATIVES}, got '
                             f'{self.low_shot_negatives!r}')
        if not self.costs or any(c <= 0 for c in self.costs):
            raise ValueError(f'costs must be positive numbers, got {list(self.costs)}')
        if self.folds < 2:
            raise ValueError(f'folds must be at least 2, got {self.folds}')
        object.__setattr__(self, 'costs', tuple(float(c) for c in self.costs))
        object.__setattr__(self, 'low_shot_k', tuple(int(k) for k in self.low_shot_k))

    def deviations(self, reference: 'VOC07Protocol' = None) -> List[str]:
        """``'<field>: <this> (reference <theirs>)'`` for every field that differs."""
        reference = REFERENCE_PROTOCOL if reference is None else reference
        out = []
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(reference, f.name)
            if mine != theirs:
                out.append(f'{f.name}: {_short(mine)} (reference {_short(theirs)})')
        return out

    def to_dict(self) -> dict:
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in fields(self)}


def _short(value) -> str:
    if isinstance(value, tuple) and len(value) > 10:
        return f'{len(value)} values {list(value[:3])} ... {value[-1]}'
    return str(list(value) if isinstance(value, tuple) else value)


REFERENCE_PROTOCOL = VOC07Protocol()


def protocol_for_size(input_size: int, **changes) -> VOC07Protocol:
    """The reference protocol at another input side: the first resize scaled with it
    (``round(input_size * 256 / 224)``; 256 at 224), other fields from ``changes``."""
    ref = REFERENCE_PROTOCOL
    short = int(round(input_size * ref.resize_short / ref.input_size))
    return replace(ref, input_size=int(input_size), resize_short=short, **changes)


def normalize_features(features: np.ndarray, eps: float = REFERENCE_PROTOCOL.feature_eps
                       ) -> np.ndarray:
    """``svm_helper.normalize_features``: (N, D) -> float64 (N, D), each row divided by its
    L2 norm plus ``eps``."""
    x = np.asarray(features, dtype=np.float64)
    return x / (np.linalg.norm(x, axis=1) + eps)[:, None]
