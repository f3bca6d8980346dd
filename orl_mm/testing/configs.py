"""Compare a tiny config's pipeline with its full config's, apart from pixel sizes.

The tiny CPU configs must run the published pipeline at a smaller size: same transforms,
same order, same probabilities and colour parameters. :func:`size_free_pipeline` replaces
every size argument by the placeholder :data:`SIZE` so that two pipelines can be compared
with ``==``; :func:`pipeline_difference` says where they differ.
"""
import difflib
import json
from typing import Any, Dict, List, Optional, Sequence

from mmengine.config import Config

from orl_mm.utils.configs import iter_transforms, to_plain

#: The placeholder put in place of every size argument.
SIZE = '<size>'

#: Size arguments (in pixels) of the transforms the configs use.
SIZE_KEYS: Dict[str, Sequence[str]] = {
    'RandomResizedCrop': ('scale',),
    'PILRandomResizedCrop': ('scale',),
    'RandomResizedCropWithBox': ('scale',),
    'RoICrop': ('size',),
    'Resize': ('scale',),
    'ResizeEdge': ('scale',),
    'CenterCrop': ('crop_size',),
    'RandomCrop': ('crop_size',),
}


def size_free_pipeline(pipeline: Any,
                       size_keys: Optional[Dict[str, Sequence[str]]] = None) -> List[dict]:
    """A plain copy of ``pipeline`` with every size argument replaced by :data:`SIZE`.

    Args:
        pipeline: A list of transform dicts (nested pipelines are followed, see
            :func:`orl_mm.utils.configs.iter_transforms`); tuples become lists.
        size_keys: ``{transform type: size argument names}``; :data:`SIZE_KEYS` by default
            (pass ``{**SIZE_KEYS, 'MyTransform': ('min_size',)}`` to add more).

    Returns:
        The size-free copy.
    """
    size_keys = SIZE_KEYS if size_keys is None else size_keys
    out = to_plain(pipeline)
    for transform in iter_transforms(out):
        for key in size_keys.get(transform['type'], ()):
            if key in transform:
                transform[key] = SIZE
    return out


def train_pipelines(config: str) -> List[List[dict]]:
    """The training pipelines of a config file (one per dataset of a ``ConcatDataset``)."""
    dataset = Config.fromfile(config).train_dataloader.dataset
    datasets = dataset.datasets if dataset.type == 'ConcatDataset' else [dataset]
    return [to_plain(d.pipeline) for d in datasets]


def pipeline_difference(tiny: Any, full: Any,
                        size_keys: Optional[Dict[str, Sequence[str]]] = None) -> str:
    """A unified diff of two pipelines apart from sizes ('' when they agree).

    Args:
        tiny: A pipeline (list of transform dicts).
        full: The pipeline it should equal apart from sizes.
        size_keys: See :func:`size_free_pipeline`.
    """
    a = size_free_pipeline(tiny, size_keys)
    b = size_free_pipeline(full, size_keys)
    if a == b:
        return ''
    lines_a = json.dumps(a, indent=1, sort_keys=True, default=repr).splitlines()
    lines_b = json.dumps(b, indent=1, sort_keys=True, default=repr).splitlines()
    return '\n'.join(difflib.unified_diff(lines_b, lines_a, 'full', 'tiny', lineterm=''))
