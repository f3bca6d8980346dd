"""PIL versions of the view transforms of the paper pipelines (see :mod:`.pil_image`).

Each class subclasses the mmcv/mmpretrain transform it replaces and keeps its arguments
and its random draws (the same ``numpy.random`` calls in the same order, so one seed gives
the same crops, flips and colour parameters on both paths), and applies the op as the
references' torchvision transforms do on PIL images:

================================  ===============================================
``PILRandomResizedCrop``          ``TF.resized_crop``: ``crop`` then ``resize``
``PILRandomFlip``                 ``TF.hflip`` (``transpose(FLIP_LEFT_RIGHT)``)
``PILColorJitter``                ``ColorJitter``: the four ``TF.adjust_*`` in a
                                  random order (``ImageEnhance``, PIL's HSV hue)
``PILRandomGrayscale``            ``RandomGrayscale``: ``convert('L')`` (ITU-R 601-2
                                  in PIL's integer arithmetic) to 3 channels
``PILGaussianBlur``               ``img.filter(ImageFilter.GaussianBlur(sigma))``
``PILSolarize``                   ``ImageOps.solarize(img, 128)``
``PILMultiView``                  ``MultiView``, the image shared by the views
================================  ===============================================
"""
import copy
import types
from typing import Sequence, Tuple

import torchvision.transforms.functional as TF
from mmcv.transforms import RandomFlip, RandomGrayscale
from mmpretrain.datasets.transforms import (ColorJitter, GaussianBlur, MultiView, RandomResizedCrop,
                                            Solarize)
from mmpretrain.registry import TRANSFORMS
from PIL import Image, ImageFilter, ImageOps

from .branches import stack_view_colours
from .pil_image import image_hw, require_pil

__all__ = ['PIL_INTERPOLATION', 'resized_crop', 'copy_sharing_images', 'PILRandomResizedCrop',
           'PILRandomFlip', 'PILColorJitter', 'PILRandomGrayscale', 'PILGaussianBlur',
           'PILSolarize', 'PILMultiView']

#: mmcv's interpolation names -> PIL's resampling filters (mmcv's pillow backend's table).
PIL_INTERPOLATION = {
    'nearest': Image.NEAREST, 'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC,
    'box': Image.BOX, 'lanczos': Image.LANCZOS, 'hamming': Image.HAMMING,
}


def resized_crop(img: Image.Image, top: int, left: int, height: int, width: int,
                 size: Tuple[int, int], interpolation: str) -> Image.Image:
    """torchvision's ``resized_crop`` on a PIL image.

    Args:
        img: The image.
        top, left, height, width: The crop, in pixels of ``img``.
        size: Output (width, height).
        interpolation: An mmcv interpolation name (``'bilinear'``, ``'bicubic'``...).

    Returns:
        The crop resized to ``size``; PIL's filters widen their support when shrinking
        (anti-aliased), as the references' resampling does.
    """
    if interpolation not in PIL_INTERPOLATION:
        raise ValueError(f'interpolation must be one of {sorted(PIL_INTERPOLATION)}, '
                         f'got {interpolation!r}')
    crop = img.crop((left, top, left + width, top + height))
    return crop.resize(tuple(size), PIL_INTERPOLATION[interpolation])


def copy_sharing_images(results: dict) -> dict:
    """A deep copy of ``results`` whose PIL images are shared, not copied.

    PIL ops return new images and never change their input, so views can share the
    decoded image (a deep copy of a PIL image re-encodes its bytes).
    """
    images = {k: v for k, v in results.items() if isinstance(v, Image.Image)}
    out = copy.deepcopy({k: v for k, v in results.items() if k not in images})
    out.update(images)
    return out


@TRANSFORMS.register_module()
class PILRandomResizedCrop(RandomResizedCrop):
    """mmpretrain's ``RandomResizedCrop`` (same arguments and draws) on a PIL image."""

    def transform(self, results: dict) -> dict:
        img = require_pil(results['img'], self.__class__.__name__)
        top, left, height, width = self.rand_crop_params(
            types.SimpleNamespace(shape=image_hw(img)))
        img = resized_crop(img, top, left, height, width, tuple(self.scale[::-1]),
                           self.interpolation)
        results['img'] = img
        results['img_shape'] = image_hw(img)
        return results


@TRANSFORMS.register_module()
class PILRandomFlip(RandomFlip):
    """mmcv's ``RandomFlip`` (same arguments and draw) on a PIL image; image only."""

    _METHODS = {'horizontal': (Image.FLIP_LEFT_RIGHT, ),
                'vertical': (Image.FLIP_TOP_BOTTOM, ),
                'diagonal': (Image.FLIP_LEFT_RIGHT, Image.FLIP_TOP_BOTTOM)}

    def _flip(self, results: dict) -> None:
        img = require_pil(results['img'], self.__class__.__name__)
        present = [k for k in ('gt_bboxes', 'gt_keypoints', 'gt_seg_map')
                   if results.get(k) is not None]
        if present:
            raise ValueError(f'PILRandomFlip flips images only, but the results have '
                             f'{", ".join(present)}; use RandomFlip on arrays for those')
        for method in self._METHODS[results['flip_direction']]:
            img = img.transpose(method)
        results['img'] = img


@TRANSFORMS.register_module()
class PILColorJitter(ColorJitter):
    """mmpretrain's ``ColorJitter`` (same ranges, same draws: the order, then the four
    factors) applied as torchvision's ``ColorJitter`` applies them to PIL images."""

    def transform(self, results: dict) -> dict:
        img = require_pil(results['img'], self.__class__.__name__)
        order, brightness, contrast, saturation, hue = self._rand_params()
        for index in order:
            if index == 0 and brightness is not None:
                img = TF.adjust_brightness(img, brightness)
            elif index == 1 and contrast is not None:
                img = TF.adjust_contrast(img, contrast)
            elif index == 2 and saturation is not None:
                img = TF.adjust_saturation(img, saturation)
            elif index == 3 and hue is not None:
                img = TF.adjust_hue(img, hue)
        results['img'] = img
        return results


@TRANSFORMS.register_module()
class PILRandomGrayscale(RandomGrayscale):
    """mmcv's ``RandomGrayscale`` draw (p = ``prob``) with torchvision's grey on PIL:
    ``convert('L')`` (L = (299 R + 587 G + 114 B) / 1000, rounded) on 3 channels
    (``keep_channels=True``) or 1. ``channel_weights`` must be left at mmcv's default or
    given as the BGR order of PIL's (0.114, 0.587, 0.299 up to 1e-3): PIL's weights are fixed.
    """

    def __init__(self, prob: float = 0.1, keep_channels: bool = True,
                 channel_weights: Sequence[float] = (1., 1., 1.), **kwargs) -> None:
        super().__init__(prob=prob, keep_channels=keep_channels,
                         channel_weights=channel_weights, **kwargs)
        weights = tuple(float(w) for w in channel_weights)
        if weights != (1., 1., 1.) and not all(
                abs(w - p) < 2e-3 for w, p in zip(weights, (0.114, 0.587, 0.299))):
            raise ValueError('PILRandomGrayscale uses PIL\'s grey weights (B, G, R) = '
                             f'(0.114, 0.587, 0.299); got channel_weights={weights}')

    def transform(self, results: dict) -> dict:
        img = require_pil(results['img'], self.__class__.__name__)
        if self._random_prob() < self.prob:
            grey = img.convert('L')
            results['img'] = grey.convert('RGB') if self.keep_channels else grey
        return results


@TRANSFORMS.register_module()
class PILGaussianBlur(GaussianBlur):
    """mmpretrain's ``GaussianBlur`` (same arguments and draws; ``magnitude_range`` with
    ``magnitude_std='inf'`` gives sigma ~ U(range)) on a PIL image: PIL's
    ``ImageFilter.GaussianBlur(radius=sigma)``, as the references."""

    def transform(self, results: dict) -> dict:
        img = require_pil(results['img'], self.__class__.__name__)
        if self.random_disable():
            return results
        radius = self.radius if self.radius is not None else self.random_magnitude()
        results['img'] = img.filter(ImageFilter.GaussianBlur(radius=radius))
        return results


@TRANSFORMS.register_module()
class PILSolarize(Solarize):
    """mmpretrain's ``Solarize`` (same arguments and draws) on a PIL image: values
    ``>= thr`` become ``255 - value`` (``ImageOps.solarize``)."""

    def transform(self, results: dict) -> dict:
        img = require_pil(results['img'], self.__class__.__name__)
        if self.random_disable():
            return results
        thr = self.thr if self.thr is not None else self.random_magnitude()
        results['img'] = ImageOps.solarize(img, thr)
        return results


@TRANSFORMS.register_module()
class PILMultiView(MultiView):
    """mmpretrain's ``MultiView`` whose views share the decoded PIL image (see
    :func:`copy_sharing_images`) instead of deep-copying it once per view. Views that
    record their colour ops for the device (:mod:`.device_colour`) give ``colour_params``
    (V, NUM_PARAMS)."""

    def transform(self, results: dict) -> dict:
        images, colours = [], []
        for pipeline in self.transforms:
            out = pipeline(copy_sharing_images(results))
            images.append(out['img'])
            colours.append(out.get('colour_params'))
        results['img'] = images
        colour_params = stack_view_colours(colours, self.__class__.__name__)
        if colour_params is not None:
            results['colour_params'] = colour_params
        return results
