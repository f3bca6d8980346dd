"""The PIL-native data path: decode with PIL, keep the PIL image, one array per view.

ORL, SCRL, SlotCon, BYOL and DenseCL's references run torchvision's transforms on PIL
images from ``Image.open(path).convert('RGB')`` to ``ToTensor``. This path does the same
inside mmcv's transform interface: :class:`LoadImagePIL` puts a PIL ``'RGB'`` image under
``results['img']``, the ``PIL*`` transforms (:mod:`.pil_ops`) and the project's own
transforms (``RoICrop``, ``RoIJitter``, ``RandomResizedCropWithBox``, ``ResizeBlur``,
``MultiBranch``, ``MultiViewWithGeometry``) keep it a PIL image, and :class:`PILToArray`
ends each view with the one conversion to an array.

The array is BGR (``to_bgr=True``): the channel order of every OpenMMLab pipeline, which the
models' data preprocessors (``to_rgb=True``) turn back into the reference's RGB, so the
pixels the network sees are the reference's. The reversal is a strided view; the single
copy happens in ``PackInputs`` (HWC -> CHW).
"""
import io
from typing import Optional, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio
from mmpretrain.registry import TRANSFORMS
from PIL import Image

from orl_mm.utils.image_check import ImageReadError, image_fault

__all__ = ['LoadImagePIL', 'PILToArray', 'image_hw', 'require_pil']


def image_hw(img: Union[np.ndarray, Image.Image]) -> Tuple[int, int]:
    """(height, width) of an array (H, W[, C]) or of a PIL image."""
    if isinstance(img, Image.Image):
        return img.size[1], img.size[0]
    return tuple(img.shape[:2])


def require_pil(img, name: str) -> Image.Image:
    """``img`` itself if it is a PIL image, else a TypeError that says what to do."""
    if not isinstance(img, Image.Image):
        raise TypeError(f'{name} works on PIL images (decode with LoadImagePIL), '
                        f'got a {type(img).__name__}')
    return img


@TRANSFORMS.register_module()
class LoadImagePIL(BaseTransform):
    """Decode an image as the references do: ``Image.open(...).convert('RGB')``.

    PIL does not apply the EXIF orientation, so the pixels are as stored (like COCO's boxes
    and the sizes in the image headers). Grey, palette, CMYK and RGBA images become RGB by
    PIL's own ``convert`` (alpha dropped), as in the references.

    **Required keys:** ``path_key``. **Added keys:** ``out_key`` (a PIL ``'RGB'`` image)
    and, for ``out_key='img'``, ``img_shape`` / ``ori_shape`` (H, W); else
    ``<out_key>_shape``.

    Args:
        path_key: Where the file path is (``'img_path'``; ORL's neighbour image:
            ``'neighbour_img_path'``).
        out_key: Where the image goes (``'img'``; ORL's neighbour: ``'neighbour_img'``).
        backend_args: mmengine file backend arguments (None: local files).
    """

    def __init__(self, path_key: str = 'img_path', out_key: str = 'img',
                 backend_args: Optional[dict] = None) -> None:
        self.path_key = path_key
        self.out_key = out_key
        self.backend_args = None if backend_args is None else dict(backend_args)

    def transform(self, results: dict) -> dict:
        path = results[self.path_key]
        try:
            content = fileio.get(path, backend_args=self.backend_args)
        except OSError as err:
            raise OSError(f'cannot read image {path}: {err}') from None
        try:
            img = Image.open(io.BytesIO(content)).convert('RGB')
        except (OSError, SyntaxError, ValueError, EOFError) as err:
            raise ImageReadError(image_fault(path, content, err)) from None
        results[self.out_key] = img
        shape = (img.size[1], img.size[0])
        if self.out_key == 'img':
            results['img_shape'] = results['ori_shape'] = shape
        else:
            results[f'{self.out_key}_shape'] = shape
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(path_key={self.path_key!r}, '
                f'out_key={self.out_key!r}, backend_args={self.backend_args})')


@TRANSFORMS.register_module()
class PILToArray(BaseTransform):
    """End of a PIL view: the image as an (H, W, 3) uint8 array.

    ``to_bgr=True`` (default) gives BGR, the order the OpenMMLab data preprocessors with
    ``to_rgb=True`` expect (a strided view, no copy: ``PackInputs`` makes the one copy);
    ``to_bgr=False`` gives the reference's RGB for a preprocessor with ``to_rgb=False``.

    **Required keys:** ``img`` (PIL image). **Modified keys:** ``img``, ``img_shape``.
    """

    def __init__(self, to_bgr: bool = True) -> None:
        self.to_bgr = to_bgr

    def transform(self, results: dict) -> dict:
        img = require_pil(results['img'], self.__class__.__name__)
        if img.mode != 'RGB':
            img = img.convert('RGB')
        # asarray: a read-only view of PIL's bytes, reversed as a view for BGR; np.array
        # for RGB so that PackInputs gets a writable array to hand to torch
        array = np.asarray(img) if self.to_bgr else np.array(img)
        results['img'] = array[..., ::-1] if self.to_bgr else array
        results['img_shape'] = array.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(to_bgr={self.to_bgr})'
