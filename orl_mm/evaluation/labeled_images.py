"""Labelled image sets for frozen-feature evaluation: VOC layout, multi-label CSV, class folders.

Every reader returns a :class:`LabeledImages`: image paths and a label matrix of shape
(N, C) in the VOC07 classification convention, ``1`` = present, ``-1`` = absent, ``0`` =
present only as *difficult* objects (ignored by the AP, a negative for SVM training, as in
Goyal et al.'s VOC07 benchmark).

* VOC (``JPEGImages/``, ``Annotations/*.xml``, ``ImageSets/Main/<split>.txt``):
  :func:`read_voc`, the classes being the sorted object names (the 20 VOC classes are
  alphabetical).
* Multi-label CSV (header ``file,<class 1>,...``; one row per image, 0/1, or -1/0/1):
  :func:`read_multilabel_csv`, paths relative to the CSV's ``root``.
* Class folders (``root/<class>/*.jpg``): :func:`read_class_folders` (single-label).

:func:`read_any` guesses which from the path; :func:`split_train_test` makes a deterministic
train/test split for sets that come without one.
"""
import csv
import os
import os.path as osp
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import numpy as np
from mmengine.utils import scandir

from orl_mm.datasets.scene_images import IMAGE_EXTENSIONS

__all__ = ['LabeledImages', 'DatasetFormatError', 'read_voc', 'read_multilabel_csv',
           'read_class_folders', 'read_any', 'split_train_test', 'IMAGE_EXTENSIONS']


class DatasetFormatError(ValueError):
    """A file of a labelled set is malformed (the message names the file and entry)."""


@dataclass
class LabeledImages:
    """Images with labels in {1, 0, -1}.

    Attributes:
        paths: Absolute image paths, length N.
        labels: int8 array (N, C).
        classes: Class names, length C.
        single_label: True when every image has exactly one positive class.
    """
    paths: List[str]
    labels: np.ndarray
    classes: List[str]
    single_label: bool = False
    source: str = ''
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.labels = np.asarray(self.labels, dtype=np.int8)
        if self.labels.shape != (len(self.paths), len(self.classes)):
            raise DatasetFormatError(
                f'{self.source}: labels of shape {self.labels.shape} for {len(self.paths)} '
                f'images and {len(self.classes)} classes')

    def __len__(self) -> int:
        return len(self.paths)

    def subset(self, idx) -> 'LabeledImages':
        idx = np.asarray(idx, dtype=np.int64)
        return LabeledImages([self.paths[i] for i in idx], self.labels[idx], list(self.classes),
                             self.single_label, self.source)

    @property
    def targets(self) -> np.ndarray:
        """Class index per image (single-label sets only), shape (N,)."""
        if not self.single_label:
            raise ValueError(f'{self.source} is multi-label: it has no single class index')
        return self.labels.argmax(1).astype(np.int64)


def _voc_objects(xml_path: str) -> List[Tuple[str, bool]]:
    try:
        root = ET.parse(xml_path).getroot()
    except (ET.ParseError, OSError) as err:
        raise DatasetFormatError(f'{xml_path}: cannot parse the annotation ({err})') from err
    objects = []
    for i, obj in enumerate(root.findall('object')):
        name = obj.findtext('name')
        if not name or not name.strip():
            raise DatasetFormatError(f'{xml_path}: object #{i} has no <name>')
        difficult = (obj.findtext('difficult') or '0').strip() == '1'
        objects.append((name.strip(), difficult))
    return objects


def read_voc(root: str, split: str, classes: Optional[List[str]] = None) -> LabeledImages:
    """A VOC-layout split (``ImageSets/Main/<split>.txt``) with image-level labels.

    Args:
        root: Folder holding ``JPEGImages``, ``Annotations`` and ``ImageSets/Main``.
        split: Name of the image list, e.g. ``'trainval'`` or ``'test'``.
        classes: Class order; default: sorted object names of this split.

    Raises:
        DatasetFormatError: Missing list, image or annotation, or malformed XML.
    """
    list_file = osp.join(root, 'ImageSets', 'Main', f'{split}.txt')
    if not osp.isfile(list_file):
        raise DatasetFormatError(f'{list_file}: VOC image list not found')
    with open(list_file) as f:
        ids = [line.split()[0] for line in f if line.strip()]
    if not ids:
        raise DatasetFormatError(f'{list_file}: empty image list')
    objects, paths = [], []
    for image_id in ids:
        xml = osp.join(root, 'Annotations', f'{image_id}.xml')
        img = osp.join(root, 'JPEGImages', f'{image_id}.jpg')
        if not osp.isfile(xml):
            raise DatasetFormatError(f'{list_file}: entry {image_id!r} has no annotation {xml}')
        if not osp.isfile(img):
            raise DatasetFormatError(f'{list_file}: entry {image_id!r} has no image {img}')
        objects.append(_voc_objects(xml))
        paths.append(osp.abspath(img))
    if classes is None:
        classes = sorted({name for objs in objects for name, _ in objs})
    index = {c: i for i, c in enumerate(classes)}
    labels = -np.ones((len(ids), len(classes)), dtype=np.int8)
    for n, objs in enumerate(objects):
        for name, difficult in objs:
            if name not in index:
                raise DatasetFormatError(f'{root}: image {ids[n]!r} has an object of unknown '
                                         f'class {name!r} (classes: {classes})')
            c = index[name]
            if not difficult:
                labels[n, c] = 1
            elif labels[n, c] == -1:
                labels[n, c] = 0
    return LabeledImages(paths, labels, list(classes), False, f'{root} ({split})')


def read_multilabel_csv(csv_path: str, root: Optional[str] = None) -> LabeledImages:
    """A multi-label CSV: header ``file,<class>,...``, values 1 (present), 0 or -1 (absent).

    Args:
        csv_path: The CSV file.
        root: Folder the ``file`` column is relative to; default: the CSV's folder's parent
            when the paths resolve there (``<root>/annotations/x.csv`` with ``train2017/..``),
            else the CSV's folder.
    """
    with open(csv_path, newline='') as f:
        rows = list(csv.reader(f))
    header_names = ('file', 'filename', 'image', 'path')
    if not rows or len(rows[0]) < 2 or rows[0][0].strip().lower() not in header_names:
        raise DatasetFormatError(f'{csv_path}: the header must be "file,<class 1>,<class 2>,..."')
    classes = [c.strip() for c in rows[0][1:]]
    if root is None:
        first = rows[1][0] if len(rows) > 1 else ''
        parent = osp.dirname(osp.dirname(osp.abspath(csv_path)))
        root = parent if osp.exists(osp.join(parent, first)) else osp.dirname(
            osp.abspath(csv_path))
    paths, labels = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(classes) + 1:
            raise DatasetFormatError(f'{csv_path}:{line}: {len(row)} fields, expected '
                                     f'{len(classes) + 1}')
        try:
            values = [int(float(v)) for v in row[1:]]
        except ValueError as err:
            raise DatasetFormatError(f'{csv_path}:{line}: non-numeric label ({err})') from err
        if any(v not in (-1, 0, 1) for v in values):
            raise DatasetFormatError(f'{csv_path}:{line}: labels must be -1, 0 or 1')
        path = osp.join(root, row[0])
        if not osp.isfile(path):
            raise DatasetFormatError(f'{csv_path}:{line}: image not found: {path}')
        paths.append(osp.abspath(path))
        labels.append(values)
    if not paths:
        raise DatasetFormatError(f'{csv_path}: no image rows')
    lab = np.asarray(labels, dtype=np.int8)
    if not (lab == -1).any():
        lab[lab == 0] = -1  # 0/1 file: 0 means absent
    return LabeledImages(paths, lab, classes, False, csv_path)


def read_class_folders(root: str) -> LabeledImages:
    """Single-label images in ``root/<class>/*`` (classes sorted by name)."""
    if not osp.isdir(root):
        raise DatasetFormatError(f'{root}: not a folder')
    classes = sorted(d for d in os.listdir(root) if osp.isdir(osp.join(root, d)))  # folders
    if not classes:
        raise DatasetFormatError(f'{root}: no class sub-folders')
    paths, targets = [], []
    for c, name in enumerate(classes):
        files = sorted(scandir(osp.join(root, name), IMAGE_EXTENSIONS, case_sensitive=False))
        if not files:
            raise DatasetFormatError(f'{osp.join(root, name)}: class folder without images')
        paths += [osp.abspath(osp.join(root, name, f)) for f in files]
        targets += [c] * len(files)
    labels = -np.ones((len(paths), len(classes)), dtype=np.int8)
    labels[np.arange(len(paths)), targets] = 1
    return LabeledImages(paths, labels, classes, True, root)


def split_train_test(data: LabeledImages, test_fraction: float = 0.5,
                     seed: int = 0) -> Tuple[LabeledImages, LabeledImages]:
    """Deterministic split (stratified per class for single-label sets).

    Returns:
        ``(train, test)``; every single-label class keeps at least one image on each side.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f'test_fraction must be in (0, 1), got {test_fraction}')
    rng = np.random.default_rng(seed)
    test = []
    if data.single_label:
        for c in range(len(data.classes)):
            idx = rng.permutation(np.flatnonzero(data.labels[:, c] == 1))
            n = min(max(1, int(round(len(idx) * test_fraction))), len(idx) - 1)
            test += idx[:n].tolist()
    else:
        idx = rng.permutation(len(data))
        test = idx[:int(round(len(data) * test_fraction))].tolist()
    test_set = set(test)
    train = [i for i in range(len(data)) if i not in test_set]
    return data.subset(train), data.subset(sorted(test))


def read_any(path: str, split: str = 'train') -> LabeledImages:
    """Read a VOC folder (``split`` list), a multi-label CSV or a class-folder tree."""
    if osp.isfile(path) and path.lower().endswith('.csv'):
        return read_multilabel_csv(path)
    if osp.isdir(osp.join(path, 'ImageSets', 'Main')):
        return read_voc(path, split)
    if osp.isdir(path):
        sub = osp.join(path, split)
        if split and osp.isdir(sub) and not any(
                scandir(sub, IMAGE_EXTENSIONS, case_sensitive=False)):
            return read_class_folders(sub)
        return read_class_folders(path)
    raise DatasetFormatError(f'{path}: neither a VOC folder, a .csv nor a class-folder tree')
