"""The array (mmcv/OpenCV) rendering of a PIL-path pipeline: what the configs ran before.

The configs run the PIL path (:mod:`orl_mm.datasets.transforms.pil_image`). Its
``PIL*`` transforms keep the arguments and the random draws of the mmcv/mmpretrain
transforms they replace, so a PIL-path pipeline maps back, transform by transform, to the
array pipeline the configs used to run: :func:`array_pipeline`. The tests compare the two
paths pixel by pixel with it, and ``benchmarks/orl_pipeline_throughput.py`` times both.

The two differ only where the array ops are not the references' PIL ops
(:data:`ARRAY_PATH_DIFFERENCES`; docs/data.md, "The PIL-native data path").
"""
import copy
from typing import Any, Dict

#: PIL-path type -> the array-path type it replaces (same arguments unless noted).
ARRAY_TYPES: Dict[str, str] = {
    'PILRandomResizedCrop': 'RandomResizedCrop',
    'PILRandomFlip': 'RandomFlip',
    'PILColorJitter': 'ColorJitter',
    'PILRandomGrayscale': 'RandomGrayscale',
    'PILGaussianBlur': 'GaussianBlur',
    'PILSolarize': 'Solarize',
    'PILMultiView': 'MultiView',
}

#: The grey weights (B, G, R) the array path used (mmcv's weighted sum, truncated).
ARRAY_GREY_WEIGHTS = (0.114, 0.587, 0.2989)

#: Where the array path's pixels differ from the PIL path's (= the references'), with the
#: max absolute difference (0-255) that tests/test_datasets/test_transforms/
#: test_pil_vs_array_path.py takes as its bounds. Every other op is equal.
ARRAY_PATH_DIFFERENCES = {
    'decode': 'OpenCV (mmcv imread, color_ignore_orientation) vs PIL convert("RGB"): 0 on '
              "the tests' JPEGs and coco128's 128 photos (both libjpeg-turbo); other "
              'decoder builds may differ',
    'grayscale': "mmcv's float weighted sum (0.114, 0.587, 0.2989), truncated, vs PIL's "
                 "convert('L') (299 R + 587 G + 114 B) / 1000 rounded: max 1 in a grey view",
    'grayscale then ResizeBlur (SCRL)': 'the grey 1 through two bicubic resizes: max 3',
}


def array_pipeline(pipeline: Any) -> Any:
    """A copy of a PIL-path pipeline with the array-path transforms in its place.

    ``LoadImagePIL`` becomes ``LoadImageFromFile(color_type='color_ignore_orientation')``
    (``LoadNeighbourImage`` for another ``out_key``), ``PIL*`` the transform in
    :data:`ARRAY_TYPES` (grayscale with :data:`ARRAY_GREY_WEIGHTS`), and ``PILToArray`` is
    dropped (the array path's images are BGR arrays throughout).

    Args:
        pipeline: A list of transform dicts (nested pipelines followed), ConfigDicts accepted.

    Returns:
        The array-path pipeline (plain dicts and lists).
    """
    if isinstance(pipeline, (list, tuple)):
        out = [array_pipeline(t) for t in pipeline]
        return [t for t in out if t is not None]
    if not isinstance(pipeline, dict):
        return copy.deepcopy(pipeline)
    t = {k: array_pipeline(v) for k, v in pipeline.items()}
    kind = t.get('type')
    if kind == 'PILToArray':
        return None
    if kind == 'LoadImagePIL':
        out_key = t.get('out_key', 'img')
        if out_key == 'img':
            return dict(type='LoadImageFromFile', color_type='color_ignore_orientation')
        return dict(type='LoadNeighbourImage', color_type='color_ignore_orientation',
                    path_key=t.get('path_key', 'neighbour_img_path'), out_key=out_key)
    if kind in ARRAY_TYPES:
        t['type'] = ARRAY_TYPES[kind]
        if kind == 'PILRandomGrayscale':
            t['channel_weights'] = ARRAY_GREY_WEIGHTS
    return t
