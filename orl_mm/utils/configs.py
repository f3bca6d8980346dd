"""Config helpers: derive a pipeline that differs from another only in its sizes.

Each pipeline of the project is written once, in ``configs/_base_``. The tiny CPU configs
inherit it and change only its pixel sizes, with :func:`with_sizes` applied to the inherited
pipeline (mmengine exposes the base config as ``_base_`` while a config file runs)::

    _base_ = './orl_resnet50_8xb64-coslr-800e_coco.py'
    from orl_mm.utils.configs import with_sizes  # after ``_base_``: keeps the config old-style

    train_pipeline = with_sizes(_base_.train_pipeline,
                                RandomResizedCrop=dict(scale=64), RoICrop=dict(size=32))

Imported functions are dropped from the parsed config by mmengine, so the dumped config
holds plain dicts only.
"""
import copy
from typing import Any, Dict, Iterator, List, Tuple

#: Where pipelines nest other pipelines: ``MultiView``/``MultiViewWithGeometry``
#: (``transforms``: a list of pipelines), ``RandomApply``/``RandomChoice`` (``transforms``),
#: ``MultiBranch`` (``branches[i]['pipeline']``).
_NESTED_KEYS = ('transforms', 'branches', 'pipeline')


def to_plain(obj: Any) -> Any:
    """Deep copy of a (Config)dict/list/tuple structure as plain ``dict`` and ``list``."""
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    return copy.deepcopy(obj)


def iter_transforms(pipeline: Any) -> Iterator[dict]:
    """Every transform dict of ``pipeline``, depth first, nested pipelines included.

    Args:
        pipeline: A list of transform dicts (``type=...``), possibly nesting pipelines under
            ``transforms`` (a pipeline or a list of pipelines), ``branches`` (a list of
            ``dict(pipeline=...)``) or ``pipeline``.

    Yields:
        The transform dicts themselves (not copies), outer before inner.
    """
    if isinstance(pipeline, dict):
        if 'type' in pipeline:
            yield pipeline
        for key in _NESTED_KEYS:
            if key in pipeline:
                yield from iter_transforms(pipeline[key])
    elif isinstance(pipeline, (list, tuple)):
        for item in pipeline:
            yield from iter_transforms(item)


def with_sizes(pipeline: Any, **sizes: Dict[str, Any]) -> List[dict]:
    """A copy of ``pipeline`` with some arguments of some transform types replaced.

    Args:
        pipeline: The pipeline to copy (a list of transform dicts, ConfigDicts accepted).
        **sizes: ``TransformType=dict(argument=value, ...)``: every transform of that type,
            at any depth, gets these arguments.

    Returns:
        The new pipeline as plain dicts and lists.

    Raises:
        ValueError: A named transform type does not occur in the pipeline, or a named
            argument is not already set on it (so a renamed transform or argument cannot
            be silently missed).
    """
    out = to_plain(pipeline)
    seen = {name: 0 for name in sizes}
    for transform in iter_transforms(out):
        new = sizes.get(transform['type'])
        if new is None:
            continue
        missing = set(new) - set(transform)
        if missing:
            raise ValueError(f'with_sizes: {transform["type"]} has no argument(s) '
                             f'{sorted(missing)} to replace (it has {sorted(transform)})')
        transform.update(to_plain(new))
        seen[transform['type']] += 1
    absent = [name for name, n in seen.items() if n == 0]
    if absent:
        raise ValueError(f'with_sizes: no {absent} transform in the pipeline')
    return out


def tiny_cpu_runtime(pipeline: Any, epochs: int = 2, batch_size: int = 8,
                     data_root: str = 'data/demo/', **dataset: Any) -> Tuple[dict, ...]:
    """The runtime of every tiny CPU config (tests and the demo), written once.

    One process without loader workers, a batch of ``batch_size`` on the embedded demo set,
    a log line and a checkpoint every epoch (the last two kept) and seed 0. The lr and its
    schedule stay in each config: they are the method's.

    Args:
        pipeline: The config's training pipeline.
        epochs: Training epochs.
        batch_size: Images per batch; also ``auto_scale_lr``'s base batch, so the config's
            lr is meant for it.
        data_root: The dataset's root.
        **dataset: More arguments of the dataset (e.g. ORL's ``corr_file``).

    Returns:
        ``(train_dataloader, train_cfg, auto_scale_lr, default_hooks, log_processor,
        randomness)``, each merged by mmengine into the base config's entry.
    """
    train_dataloader = dict(
        batch_size=batch_size, num_workers=0, persistent_workers=False,
        dataset=dict(data_root=data_root, **dataset, pipeline=pipeline))
    default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=2))
    return (train_dataloader, dict(max_epochs=epochs), dict(base_batch_size=batch_size),
            default_hooks, dict(window_size=1), dict(seed=0))
