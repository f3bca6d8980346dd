"""Multi-branch packing: several images per sample, each from its own source and box.

mmpretrain's ``MultiView`` runs pipelines on copies of one image and keeps only ``img``;
ORL needs six images per sample from two source images and three boxes. ``MultiBranch``
gives each branch its source image (``img_key``) and its box (``roi_key``, put under
``'roi'`` for ``RoIJitter``/``RoICrop``), runs the branch pipeline and collects the outputs
as a list under ``img`` — the list that ``PackInputs`` turns into a list of tensors and
``SelfSupDataPreprocessor`` into a list of normalised batches.
"""
import copy
from typing import List, Optional

import numpy as np
from mmcv.transforms import BaseTransform, Compose, LoadImageFromFile
from mmpretrain.registry import TRANSFORMS
from PIL import Image

from .pil_image import image_hw


def stack_view_colours(colours: List[Optional[np.ndarray]], name: str) -> Optional[np.ndarray]:
    """The views' recorded colour parameters as one (V, NUM_PARAMS) array, or None if no
    view recorded any.

    Raises:
        ValueError: If only some views recorded them (the preprocessor needs one per view).
    """
    if all(c is None for c in colours):
        return None
    missing = [i for i, c in enumerate(colours) if c is None]
    if missing:
        raise ValueError(f'{name}: views {missing} have no device colour ops while the others '
                         'do; with colour on the device every view needs them')
    return np.stack(colours).astype(np.float32)


@TRANSFORMS.register_module()
class LoadNeighbourImage(LoadImageFromFile):
    """Load a second image (ORL's k-NN neighbour) from ``results[path_key]``.

    Same options as mmcv's ``LoadImageFromFile``; the image goes to ``results[out_key]``
    (and its shape to ``<out_key>_shape``), ``img`` is untouched.
    """

    def __init__(self, path_key: str = 'neighbour_img_path', out_key: str = 'neighbour_img',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.path_key = path_key
        self.out_key = out_key

    def transform(self, results: dict) -> Optional[dict]:
        loaded = super().transform(dict(img_path=results[self.path_key]))
        if loaded is None:
            return None
        results[self.out_key] = loaded['img']
        results[f'{self.out_key}_shape'] = loaded['img_shape']
        return results


@TRANSFORMS.register_module()
class MultiBranch(BaseTransform):
    """Run one pipeline per branch and collect the images as a list under ``img``.

    Each branch is ``dict(pipeline=[...], img_key='img', roi_key=None)``: the branch sees a
    shallow copy of ``results`` whose ``img`` is ``results[img_key]`` (a copy for an array; a PIL
    image is shared, PIL ops returning new images) (with
    ``img_shape``/``ori_shape`` set to it) and, when ``roi_key`` is given, whose ``roi`` is
    ``results[roi_key]``. Source images and box keys are removed from ``results`` afterwards
    and replaced by:

    * ``img``: list of the branch outputs, in branch order;
    * ``branch_rois``: per branch, the final ``roi`` (after jitter) or ``None``;
    * ``colour_params``: (branches, NUM_PARAMS) float32, when the branches record their
      colour ops for the device (:mod:`.device_colour`; all branches or none).

    Args:
        branches: The branch specifications (ORL: 2 global views, 2 intra-RoI patches,
            2 inter-RoI patches).
        drop_keys: Keys removed after packing (the source images by default).
    """

    def __init__(self, branches: List[dict],
                 drop_keys=('neighbour_img',)) -> None:
        self.branches = []
        for i, branch in enumerate(branches):
            unknown = set(branch) - {'pipeline', 'img_key', 'roi_key'}
            if unknown or 'pipeline' not in branch:
                raise ValueError(f'MultiBranch: branch {i} must be dict(pipeline=..., '
                                 f'img_key=..., roi_key=...), got keys {sorted(branch)}')
            self.branches.append(dict(pipeline=Compose(branch['pipeline']),
                                      img_key=branch.get('img_key', 'img'),
                                      roi_key=branch.get('roi_key')))
        self.drop_keys = tuple(drop_keys)

    def transform(self, results: dict) -> Optional[dict]:
        images, rois, colours = [], [], []
        for i, branch in enumerate(self.branches):
            inputs = {k: v for k, v in results.items() if k not in self.drop_keys}
            if branch['img_key'] not in results:
                raise KeyError(f'MultiBranch: branch {i} needs "{branch["img_key"]}"; '
                               'load it first (LoadImageFromFile / LoadNeighbourImage)')
            img = results[branch['img_key']]
            if not isinstance(img, Image.Image):  # PIL ops return new images: shared
                img = img.copy()
            inputs.update(img=img, img_shape=image_hw(img), ori_shape=image_hw(img))
            if branch['roi_key'] is not None:
                inputs['roi'] = list(results[branch['roi_key']])
            outputs = branch['pipeline'](inputs)
            if outputs is None:
                return None
            images.append(outputs['img'])
            rois.append(copy.copy(outputs.get('roi')) if branch['roi_key'] else None)
            colours.append(outputs.get('colour_params'))
        for key in self.drop_keys:
            results.pop(key, None)
        results['img'] = images
        results['branch_rois'] = rois
        colour_params = stack_view_colours(colours, 'MultiBranch')
        if colour_params is not None:
            results['colour_params'] = colour_params
        return results

    def __repr__(self) -> str:
        lines = [f'{self.__class__.__name__}(']
        for i, b in enumerate(self.branches):
            lines.append(f'  branch {i}: img_key={b["img_key"]!r}, roi_key={b["roi_key"]!r}, '
                         f'{b["pipeline"]}')
        return '\n'.join(lines) + ')'
