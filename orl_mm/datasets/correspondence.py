"""The ORL stage-3 dataset: scene images with their pseudo-object boxes and k-NN pairs."""
import json
import os.path as osp
from collections import Counter
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger
from mmengine.utils import ProgressBar
from mmpretrain.registry import DATASETS
from PIL import Image

from ..structures.correspondence import Correspondence, CorrespondenceError
from ..utils.image_check import ImageReadError, image_fault
from .scene_images import read_image_list

#: How many offending names a mismatch message shows.
NUM_EXAMPLES = 5


def _top_folder(name: str) -> str:
    """``'unlabeled2017/x.jpg'`` -> ``'unlabeled2017/'``; ``'x.jpg'`` -> ``'./'``."""
    head = name.replace('\\', '/').split('/', 1)
    return head[0] + '/' if len(head) == 2 else './'


def read_image_sizes(paths: Sequence[str], progress: bool = True) -> List[Tuple[int, int]]:
    """(width, height) of each image from its header only (PIL does not decode pixels).

    Raises:
        FileNotFoundError: Naming the first missing image.
        ImageReadError: For an empty, non-image or cut-short file (its header unreadable).
    """
    sizes = []
    bar = ProgressBar(len(paths)) if progress and len(paths) > 1000 else None
    for path in paths:
        if not osp.isfile(path):
            raise FileNotFoundError(f'image {path} (listed in the correspondence file) '
                                    'does not exist')
        try:
            with Image.open(path) as img:
                sizes.append(img.size)
        except (OSError, SyntaxError, ValueError) as err:
            with open(path, 'rb') as f:
                raise ImageReadError(image_fault(path, f.read(), err)) from None
        if bar is not None:
            bar.update()
    return sizes


@DATASETS.register_module()
class CorrespondenceDataset(BaseDataset):
    """Images + the stage-2 correspondence file (ORL reference layout), for ORL stage 3.

    At construction the file is parsed once and validated with
    :class:`orl_mm.structures.Correspondence` (``from_dict`` + ``validate``, the checks of
    ``load_correspondence``) against the images: every listed image exists, with an ``ann_file`` the
    file's images are in the JSON (matched by file name, same ids), every neighbour index is
    in range and every box lies inside its image (sizes from the COCO JSON when it has
    them, else from the image headers). Problems raise
    :class:`~orl_mm.structures.CorrespondenceError` (or ``FileNotFoundError``) naming the
    offending image and entry; a file that does not match the images (another data set
    version, a moved folder: images missing, absent from ``ann_file`` or with other ids)
    is reported at once, with the count (per top folder for COCO+'s ``train2017/`` and
    ``unlabeled2017/``) and a few names.

    Each item draws, uniformly and anew at every access (``numpy``'s global RNG, seeded
    per worker by mmengine):

    * one of the image's K neighbours, then one box pair of that neighbour: the inter-RoI
      patches (``inter_query_box`` in this image, ``inter_key_box`` in the neighbour
      ``neighbour_img_path``);
    * one of the image's filtered boxes: ``intra_box`` (jittered twice by the pipeline).

    Skip rule: with ``allow_empty_pairs=True`` a neighbour with no pair is never drawn and
    an image none of whose neighbours has a pair is left out of the dataset (logged);
    with the default ``False`` an empty pair list is an error.

    Args:
        corr_file: The correspondence JSON (relative to ``data_root`` unless absolute).
        data_root: Root of the data set.
        data_prefix: ``dict(img_path=...)``, the folder the file's ``file_name`` entries are
            relative to.
        ann_file: Optional COCO-layout JSON of the images (instances or image info):
            every image of the correspondence file must be in it, with the same id,
            matched by file name (images the file leaves out, e.g. skipped by stage 2's
            ``--skip-bad-images``, are simply absent), and its sizes are used.
        allow_empty_pairs: See the skip rule above.
        check_boxes: Check every box against its image size (reads the image headers when
            the sizes are not in ``ann_file``).
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset` (``pipeline``,
            ``indices``, ``lazy_init``...).
    """

    def __init__(self,
                 corr_file: str,
                 data_root: str = '',
                 data_prefix: Optional[dict] = None,
                 ann_file: str = '',
                 allow_empty_pairs: bool = False,
                 check_boxes: bool = True,
                 **kwargs) -> None:
        self.corr_file = corr_file if osp.isabs(corr_file) or not data_root else osp.join(
            data_root, corr_file)
        self.allow_empty_pairs = allow_empty_pairs
        self.check_boxes = check_boxes
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix or dict(img_path='train2017/'),
            **kwargs)

    def _mismatch(self, what: str, count: int, total: int, examples: Sequence[str]) -> str:
        """A message: how many of the file's images fail a check, and a few of them."""
        return (f'{self.corr_file}: {count:,} of its {total:,} images {what}, e.g. '
                f'{", ".join(examples[:NUM_EXAMPLES])}. The file does not match these '
                'images: was it made from another data set version or folder, or was the '
                'folder moved? data_root and data_prefix.img_path must name the folder '
                'stage 2 read (and ann_file its image list)')

    def _check_images_exist(self, file_names: List[str]) -> None:
        """Every listed image is a file under the image folder, else one error for all.

        Raises:
            FileNotFoundError: With the count of missing images, per top folder when the
                names have several (COCO+: ``train2017/``, ``unlabeled2017/``), and a few.
        """
        img_dir = self.data_prefix['img_path']
        missing = [n for n in file_names if not osp.isfile(osp.join(img_dir, n))]
        if not missing:
            return
        folders = Counter(_top_folder(n) for n in file_names)
        what = f'are missing from {img_dir or "."}'
        if len(folders) > 1:
            lost = Counter(_top_folder(n) for n in missing)
            what += ' (' + ', '.join(f'{folder}: {lost[folder]:,} of {folders[folder]:,}'
                                     for folder in sorted(folders)) + ')'
        raise FileNotFoundError(self._mismatch(what, len(missing), len(file_names), missing))

    def _sizes_and_check_ann(self, file_names: List[str], image_ids: List[Any]
                             ) -> Optional[List[Tuple[int, int]]]:
        img_dir = self.data_prefix['img_path']
        if not self.ann_file:
            self._check_images_exist(file_names)
            if not self.check_boxes:
                return None
            return read_image_sizes([osp.join(img_dir, name) for name in file_names])
        by_name = {im['file_name']: im for im in read_image_list(self.ann_file)}
        absent = [f'image {i} ({name})' for i, name in enumerate(file_names)
                  if name not in by_name]
        if absent:
            raise CorrespondenceError(self._mismatch(
                f'are not in {self.ann_file}', len(absent), len(file_names), absent))
        images = [by_name[name] for name in file_names]
        other_ids = [f'image {i} ({name}, id {img_id}; there {image["id"]})'
                     for i, (name, img_id, image) in enumerate(zip(file_names, image_ids,
                                                                   images))
                     if image['id'] != img_id]
        if other_ids:
            raise CorrespondenceError(self._mismatch(
                f'have other ids in {self.ann_file}', len(other_ids), len(file_names),
                other_ids))
        self._check_images_exist(file_names)
        if all('width' in im and 'height' in im for im in images):
            return [(int(im['width']), int(im['height'])) for im in images]
        return read_image_sizes([osp.join(img_dir, name) for name in file_names])

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.corr_file):
            raise FileNotFoundError(f'correspondence file {self.corr_file} does not exist')
        with open(self.corr_file) as f:
            try:
                raw = json.load(f)
            except json.JSONDecodeError as err:
                raise CorrespondenceError(f'{self.corr_file}: not valid JSON ({err})') from err
        # the same checks as load_correspondence, on the file parsed once (stage-2 files of
        # COCO are hundreds of MB): structure first, then image list, sizes and boxes
        corr = Correspondence.from_dict(raw, source=self.corr_file)
        if len(corr.image_ids) != len(corr.file_names):
            raise CorrespondenceError(
                f'{self.corr_file}: "images.id" has {len(corr.image_ids)} entries for '
                f'{len(corr.file_names)} images')
        sizes = self._sizes_and_check_ann(corr.file_names, corr.image_ids)
        corr.validate(sizes, allow_empty_pairs=self.allow_empty_pairs, source=self.corr_file)
        img_dir = self.data_prefix['img_path']
        paths = [osp.join(img_dir, name) for name in corr.file_names]
        data_list, skipped = [], []
        for i in range(len(corr)):
            neighbours = [(j, pairs) for j, pairs in
                          zip(corr.neighbours[i], corr.neighbour_pairs[i]) if pairs]
            if not neighbours:
                skipped.append(corr.file_names[i])
                continue
            data_list.append(dict(
                img_path=paths[i],
                img_id=corr.image_ids[i],
                corr_index=i,
                boxes=corr.boxes[i],
                neighbours=[j for j, _ in neighbours],
                neighbour_paths=[paths[j] for j, _ in neighbours],
                pairs=[pairs for _, pairs in neighbours]))
        if skipped:
            MMLogger.get_current_instance().warning(
                f'{self.corr_file}: {len(skipped)} image(s) without any box pair are left '
                f'out (allow_empty_pairs=True), e.g. {", ".join(skipped[:3])}')
        if not data_list:
            raise CorrespondenceError(f'{self.corr_file}: no image has a box pair')
        return data_list

    @staticmethod
    def sample_correspondence(info: dict, rng=np.random) -> dict:
        """Draw the neighbour, the pair and the intra box of one item (uniformly).

        Adds ``neighbour_img_path``, ``neighbour_index`` (position in the file), ``pair_index``,
        ``inter_query_box``, ``inter_key_box``, ``intra_index`` and ``intra_box``; removes
        the per-image lists.
        """
        k = int(rng.randint(len(info['neighbours'])))
        pairs = info['pairs'][k]
        p = int(rng.randint(len(pairs)))
        b = int(rng.randint(len(info['boxes'])))
        out = {key: value for key, value in info.items()
               if key not in ('boxes', 'neighbours', 'neighbour_paths', 'pairs')}
        out.update(
            neighbour_img_path=info['neighbour_paths'][k],
            neighbour_index=info['neighbours'][k],
            pair_index=p,
            inter_query_box=list(pairs[p][:4]),
            inter_key_box=list(pairs[p][4:]),
            intra_index=b,
            intra_box=list(info['boxes'][b]))
        return out

    def prepare_data(self, idx: int) -> Any:
        return self.pipeline(self.sample_correspondence(self.get_data_info(idx)))
