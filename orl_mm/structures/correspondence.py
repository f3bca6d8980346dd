"""The correspondence file of ORL stage 2, in the reference JSON layout, and its checks.

Stage 2 (:mod:`orl_mm.correspondence`) writes it and stage 3 (``CorrespondenceDataset``)
reads it; this module depends on nothing else of the package. The layout is the ORL
reference's, so files interchange with the reference code in both directions::

    {
      "info": {"bbox_min_size": 96, "bbox_max_aspect_ratio": 3, "bbox_max_iou": 0.5,
               "intra_bbox_num": 100, "knn_image_num": 10, "knn_bbox_pair_ratio": 0.1},
      "images": {"file_name": [...], "id": [...]},
      "pseudo_annotations": {
        "image_id": [...],                  # one per image, same order as images
        "bbox": [[[x, y, w, h], ...], ...], # filtered proposals per image, original pixels
        "knn_image_id": [[j1, ..., jK], ...],          # 0-based positions into images
        "knn_bbox_pair": [[[[qx, qy, qw, qh, kx, ky, kw, kh], ...],  # per neighbour
                           ...], ...]}                               # per image
    }

Every check raises :class:`CorrespondenceError` naming the offending entry (image index
and file name), so a malformed or mismatched file fails before training starts.
"""
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from orl_mm.utils.io import atomic_write_json

Box = List[float]  # [x, y, w, h]
Pair = List[float]  # [qx, qy, qw, qh, kx, ky, kw, kh]


def default_info() -> Dict[str, Any]:
    """The ``info`` of a file made with stage 2's default settings."""
    from orl_mm.correspondence.config import Stage2Config
    return Stage2Config().info()


def correspondence_info(proposal_info: Dict[str, Any], num_neighbours: int,
                        pair_ratio: float) -> Dict[str, Any]:
    """The file's ``info``: the proposal filter's keys plus the reference's names of the
    neighbour count (``knn_image_num``) and the pair ratio (``knn_bbox_pair_ratio``)."""
    return dict(proposal_info, knn_image_num=num_neighbours, knn_bbox_pair_ratio=pair_ratio)


class CorrespondenceError(ValueError):
    """A correspondence file that is malformed or does not match its images."""


@dataclass
class Correspondence:
    """The content of a correspondence file (see the module docstring for the layout).

    Attributes:
        file_names: Image file names relative to the image folder, length N.
        image_ids: Image ids (e.g. COCO ids), length N.
        boxes: Per image, the filtered proposals as [x, y, w, h].
        neighbours: Per image, K neighbour positions (0-based indices into the images of
            the file; file key ``knn_image_id``).
        neighbour_pairs: Per image, per neighbour, the mined pairs as
            [qx, qy, qw, qh, kx, ky, kw, kh] (query box in this image, key box in the
            neighbour; file key ``knn_bbox_pair``).
        info: The stage-2 settings that produced the file.
    """
    file_names: List[str]
    image_ids: List[Any]
    boxes: List[List[Box]]
    neighbours: List[List[int]]
    neighbour_pairs: List[List[List[Pair]]]
    info: Dict[str, Any] = field(default_factory=default_info)

    def __len__(self) -> int:
        return len(self.file_names)

    def to_dict(self) -> dict:
        """The reference JSON layout."""
        return dict(
            info=dict(self.info),
            images=dict(file_name=list(self.file_names), id=list(self.image_ids)),
            pseudo_annotations=dict(
                image_id=list(self.image_ids),
                bbox=self.boxes,
                knn_image_id=self.neighbours,
                knn_bbox_pair=self.neighbour_pairs))

    @classmethod
    def from_dict(cls, data: Any, source: str = '<dict>') -> 'Correspondence':
        """Parse the reference layout; raise :class:`CorrespondenceError` on a bad shape."""
        if not isinstance(data, dict):
            raise CorrespondenceError(f'{source}: top level must be a JSON object')
        for key in ('info', 'images', 'pseudo_annotations'):
            if not isinstance(data.get(key), dict):
                raise CorrespondenceError(f'{source}: missing or malformed "{key}" object')
        images, anno = data['images'], data['pseudo_annotations']
        for key in ('file_name', 'id'):
            if not isinstance(images.get(key), list):
                raise CorrespondenceError(f'{source}: "images.{key}" must be a list')
        for key in ('image_id', 'bbox', 'knn_image_id', 'knn_bbox_pair'):
            if not isinstance(anno.get(key), list):
                raise CorrespondenceError(
                    f'{source}: "pseudo_annotations.{key}" must be a list')
        return cls(
            file_names=images['file_name'],
            image_ids=images['id'],
            boxes=anno['bbox'],
            neighbours=anno['knn_image_id'],
            neighbour_pairs=anno['knn_bbox_pair'],
            info=data['info'])

    def validate(self,
                 image_sizes: Optional[Sequence[Tuple[int, int]]] = None,
                 allow_empty_pairs: bool = False,
                 source: str = '<correspondence>') -> None:
        """Check the structure and, given image sizes, that every box lies in its image.

        Args:
            image_sizes: Optional (width, height) per image, in file order.
            allow_empty_pairs: Accept neighbours without any pair (the dataset then skips
                them when sampling); by default an empty list is an error.
            source: Name of the file, for the messages.

        Raises:
            CorrespondenceError: On the first problem, naming the image and entry.
        """
        self._check_lengths(image_sizes, source)
        for i in range(len(self.file_names)):
            if not isinstance(self.boxes[i], list) or not self.boxes[i]:
                raise CorrespondenceError(f'{self._where(source, i)}: no intra-image box')
            for b, box in enumerate(self.boxes[i]):
                self._check_box(box, i, i, f'bbox[{b}]', image_sizes, source)
            self._check_neighbours(i, image_sizes, allow_empty_pairs, source)

    def _where(self, source: str, i: int) -> str:
        return f'{source}: image {i} ({self.file_names[i]})'

    def _check_lengths(self, image_sizes: Optional[Sequence[Tuple[int, int]]],
                       source: str) -> None:
        """One entry per image in every list (and in ``image_sizes``)."""
        n = len(self.file_names)
        for name, value in (('images.id', self.image_ids),
                            ('pseudo_annotations.bbox', self.boxes),
                            ('pseudo_annotations.knn_image_id', self.neighbours),
                            ('pseudo_annotations.knn_bbox_pair', self.neighbour_pairs)):
            if len(value) != n:
                raise CorrespondenceError(
                    f'{source}: "{name}" has {len(value)} entries for {n} images')
        if image_sizes is not None and len(image_sizes) != n:
            raise CorrespondenceError(
                f'{source}: {n} images in the file but {len(image_sizes)} in the dataset')

    def _check_box(self, box: Any, i: int, owner: int, what: str,
                   image_sizes: Optional[Sequence[Tuple[int, int]]], source: str) -> None:
        """``box`` (named ``what``, listed under image ``i``) is [x, y, w, h] with an area,
        inside image ``owner`` when the sizes are known."""
        if (not isinstance(box, (list, tuple)) or len(box) != 4
                or not all(isinstance(v, (int, float)) for v in box)):
            raise CorrespondenceError(
                f'{self._where(source, i)}: {what} is not [x, y, w, h]: {box}')
        x, y, w, h = box
        if w <= 0 or h <= 0:
            raise CorrespondenceError(f'{self._where(source, i)}: {what} has no area: {box}')
        if image_sizes is not None:
            width, height = image_sizes[owner]
            if x < 0 or y < 0 or x + w > width + 1e-6 or y + h > height + 1e-6:
                raise CorrespondenceError(
                    f'{self._where(source, i)}: {what} {box} is outside image {owner} '
                    f'({self.file_names[owner]}, {width}x{height})')

    def _check_neighbours(self, i: int, image_sizes: Optional[Sequence[Tuple[int, int]]],
                          allow_empty_pairs: bool, source: str) -> None:
        """Image ``i``'s neighbours are positions in the file, each with its pair list."""
        n, where = len(self.file_names), self._where(source, i)
        neighbours, pairs = self.neighbours[i], self.neighbour_pairs[i]
        if not isinstance(neighbours, list) or not neighbours:
            raise CorrespondenceError(f'{where}: no k-NN neighbour')
        if not isinstance(pairs, list) or len(pairs) != len(neighbours):
            raise CorrespondenceError(
                f'{where}: {len(neighbours)} neighbours but '
                f'{len(pairs) if isinstance(pairs, list) else "no"} pair lists')
        for k, j in enumerate(neighbours):
            if not isinstance(j, int) or isinstance(j, bool) or not 0 <= j < n:
                raise CorrespondenceError(
                    f'{where}: neighbour {k} index {j!r} is not in [0, {n})')
            if not isinstance(pairs[k], list):
                raise CorrespondenceError(f'{where}: pair list {k} is not a list')
            if not pairs[k] and not allow_empty_pairs:
                raise CorrespondenceError(f'{where}: neighbour {k} (image {j}) has no box pair')
            for p, pair in enumerate(pairs[k]):
                if not isinstance(pair, (list, tuple)) or len(pair) != 8:
                    raise CorrespondenceError(
                        f'{where}: pair {p} of neighbour {k} is not 8 numbers: {pair}')
                self._check_box(list(pair[:4]), i, i,
                                f'pair {p} of neighbour {k} (query box)', image_sizes, source)
                self._check_box(list(pair[4:]), i, j,
                                f'pair {p} of neighbour {k} (key box)', image_sizes, source)


def save_correspondence(corr: Correspondence, path: str) -> None:
    """Write ``corr`` in the reference layout, atomically (temporary file + rename).

    For files made outside stage 2 (tests); stage 2 writes its file through its work
    directory's compact writer (:class:`orl_mm.correspondence.workdir.FileWriter`). Not
    exported by :mod:`orl_mm.structures`.
    """
    atomic_write_json(corr.to_dict(), path)


def load_correspondence(path: str,
                        image_sizes: Optional[Sequence[Tuple[int, int]]] = None,
                        allow_empty_pairs: bool = False) -> Correspondence:
    """Read and validate a correspondence file in the reference layout.

    Args:
        path: The JSON file.
        image_sizes: Optional (width, height) per image, to check the boxes against.
        allow_empty_pairs: See :meth:`Correspondence.validate`.

    Raises:
        CorrespondenceError: If the file is not JSON or fails a check.
    """
    try:
        with open(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as err:
        raise CorrespondenceError(f'{path}: not valid JSON ({err})') from err
    corr = Correspondence.from_dict(data, source=path)
    corr.validate(image_sizes, allow_empty_pairs=allow_empty_pairs, source=path)
    return corr
