"""The stage-2 work directory: every path, the settings records and their fingerprints.

Layout (one index per image everywhere: its position in ``images.json``)::

    images.json                        the image list (file names relative to the root, ids)
    proposals/settings.json            each step's settings record (see below)
    proposals/parts/00000/00000012.json  per image: filtered selective-search boxes or error
    proposals.json                     the boxes of every readable image
    knn/embeddings_rank0of1.npy        image embeddings, one shard per rank
    knn.json                           K neighbours of every readable image, and cosines
    roi_feats/00000/00000012.npy       per image: (B, D) RoI embeddings
    pairs/parts/00000/00000012.json    per image: its pairs and scores per neighbour
    correspondence.json                the ORL reference layout (orl_mm.structures)
    pair_scores.json                   the cosine of every pair, same nesting
    quality.json                       mined vs random pairs against COCO instances

A settings record is ``dict(settings=..., inputs={step: fingerprint})``: what the step
was asked and the fingerprints of the records of the steps whose files it read, so a
step's files can never silently mix with files made under other settings.
"""
import hashlib
import json
import os.path as osp
from typing import Any, Dict, Optional

from orl_mm.utils.io import atomic_save_npy, atomic_write_json, read_json


class Stage2Error(RuntimeError):
    """A clean stop of stage 2 (bad input, changed settings); finished work is kept."""


class FileWriter:
    """Writes the work directory's files atomically; deterministic compact JSON.

    The one place files are created, so tests can inject a writer that fails (a kill).
    """

    def json(self, obj: Any, path: str) -> None:
        """Compact JSON (byte-identical across runs); an identical existing file is kept."""
        text = json.dumps(obj, separators=(',', ':'))
        if osp.isfile(path):
            with open(path) as f:
                if f.read() == text:
                    return
        atomic_write_json(obj, path, separators=(',', ':'))

    def npy(self, array: Any, path: str) -> None:
        atomic_save_npy(array, path)


def fingerprint(obj: Any) -> str:
    """SHA-1 of the canonical JSON of ``obj``."""
    return hashlib.sha1(json.dumps(obj, sort_keys=True, separators=(',', ':')).encode()
                        ).hexdigest()


def _changes(old: dict, new: dict, prefix: str = '') -> Dict[str, tuple]:
    out = {}
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out.update(_changes(a, b, f'{prefix}{key}.'))
        elif a != b:
            out[prefix + key] = (a, b)
    return out


def describe_changes(old: dict, new: dict) -> str:
    """``key: old -> new`` for every differing (nested) key."""
    return ', '.join(f'{k}: {a!r} -> {b!r}' for k, (a, b) in _changes(old, new).items())


class WorkDir:
    """Owns every path of a stage-2 work directory and its settings records.

    Args:
        root: The work directory.
        writer: Creates the files (default :class:`FileWriter`).
    """

    FOLDERS = dict(proposals='proposals', knn='knn', roi='roi_feats', pairs='pairs')

    def __init__(self, root: str, writer: Optional[FileWriter] = None) -> None:
        self.root = root
        self.writer = writer or FileWriter()

    def path(self, *parts: str) -> str:
        return osp.join(self.root, *parts)

    @property
    def images_file(self) -> str:
        return self.path('images.json')

    def output(self, step: str) -> str:
        """The merged file of a step (``proposals.json``, ``knn.json``...)."""
        return self.path(dict(correspondence='correspondence.json').get(step, f'{step}.json'))

    def image_file(self, step: str, index: int) -> str:
        """The per-image file of a step for image ``index`` (1000 per sub-folder)."""
        if step == 'roi':
            folder, ext = self.path(self.FOLDERS['roi']), '.npy'
        else:
            folder, ext = self.path(self.FOLDERS[step], 'parts'), '.json'
        return osp.join(folder, f'{index // 1000:05d}', f'{index:08d}{ext}')

    def embedding_shard(self, rank: int, world: int) -> str:
        return self.path('knn', f'embeddings_rank{rank}of{world}.npy')

    # ------------------------------------------------------------------ reading, writing
    def write_json(self, obj: Any, path: str) -> None:
        self._write(path, lambda: self.writer.json(obj, path))

    def save_npy(self, array: Any, path: str) -> None:
        self._write(path, lambda: self.writer.npy(array, path))

    @staticmethod
    def _write(path: str, write) -> None:
        """A failed write (disk full, quota, read-only) stops the run naming the path;
        the atomic writer leaves no partial file, so the same command resumes."""
        try:
            write()
        except OSError as err:
            reason = err.strerror or str(err)
            raise Stage2Error(
                f'cannot write {path}: {reason} (errno {err.errno}). No partial file was '
                'left; make room or fix the permissions, then run the same command again: '
                'every finished file is kept') from err

    @staticmethod
    def read_json(path: str) -> Any:
        return read_json(path)

    def read_output(self, step: str, needed_by: str) -> Any:
        data = read_json(self.output(step))
        if data is None:
            raise Stage2Error(f'{needed_by}: {self.output(step)} not found: run the {step} '
                              'step first')
        return data

    def read_part(self, step: str, index: int, file_name: str) -> Optional[dict]:
        """A step's per-image JSON if it is complete and belongs to ``file_name``."""
        data = read_json(self.image_file(step, index))
        return data if isinstance(data, dict) and data.get('file_name') == file_name else None

    # ------------------------------------------------------------------ settings records
    def record_path(self, step: str) -> str:
        return self.path(self.FOLDERS[step], 'settings.json')

    def record(self, step: str) -> Optional[dict]:
        """The settings record of ``step`` (the images' for ``'images'``), or None."""
        if step == 'images':
            data = read_json(self.images_file)
            return None if data is None else dict(settings=data, inputs={})
        return read_json(self.record_path(step))

    def record_fingerprint(self, step: str) -> Optional[str]:
        rec = self.record(step)
        return None if rec is None else fingerprint(rec)

    def claim(self, step: str, record: dict, write: bool) -> None:
        """Record ``step``'s settings, or stop if its files were made under others."""
        old = self.record(step)
        if old is not None and old != record:
            raise Stage2Error(
                f'{step}: {self.path(self.FOLDERS[step])} was produced with other settings '
                f'({describe_changes(old, record)}); use a new --work-dir or delete that '
                'folder')
        if old is None and write:
            self.write_json(record, self.record_path(step))
