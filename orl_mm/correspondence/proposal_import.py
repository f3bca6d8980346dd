"""Import ORL's released selective-search proposals instead of running selective search.

The reference (Jiahao000/ORL) writes them with ``tools/selective_search.py`` and
``configs/selfsup/orl/coco/stage2/selective_search_train2017.py`` (no filter:
``topN=None``): ``SelectiveSearchDataset.evaluate`` stores ``{"bbox": [boxes of image 0,
boxes of image 1, ...]}``, one entry per image of ``instances_train2017.json`` in its
``images`` order (``COCOSelectiveSearchJson``), each a list of raw OpenCV ``[x, y, w, h]``
integer boxes in original pixels. Its collector squeezes each ``1 x B x 4`` tensor, so an
image with a single box is stored as a flat ``[x, y, w, h]``. Stage 2
(``COCOCorrespondenceJson``) concatenates several such files in order (COCO+) and filters
each image's boxes with ``CorrespondenceDataset``'s ``box_filter`` (our
:func:`~orl_mm.correspondence.proposals.filter_proposals`).

The file (several GB for train2017) is streamed: the main process cuts it into the text of
each image's list, a process pool parses it, decodes the image (for its size and the bad-image
handling of the selective-search path), checks the boxes and filters them. Nothing is
written until the whole file has been read and checked: the number of images must equal the
image list's, every box must lie inside its image and (``extent_check``) the boxes of an
image must reach its right and bottom edges, as OpenCV's selective search always returns
the whole image as one region; a file in another order fails these checks. Then each
image's part file is written exactly as the selective-search path writes it, and
``proposals/imported.json`` names the source file(s).
"""
import json
import os.path as osp
import re
import sys
import time
from multiprocessing import get_context
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dist import barrier

from .console import Progress, log
from .images import ImageReadError, read_image_bgr
from .proposals import ProposalSettings, filter_proposals
from .workdir import Stage2Error

LAYOUT = '{"bbox": [[[x, y, w, h], ...], ...]} (ORL tools/selective_search.py)'
_END_NESTED = re.compile(r'\]\s*\]')
_CLOSE = re.compile(r'\]')
_NON_SPACE = re.compile(r'\S')
_SPACE = re.compile(r'\s*')
_MAX_PROBLEMS = 20
_MAX_IMAGE_CHARS = 1 << 26  # 64 M characters: ~3 M boxes


def import_settings(proposal: ProposalSettings) -> Dict:
    """The proposals step's settings record for imported boxes: the filter and the source.

    The selective-search options (``max_side``, ``max_pixels``, ``seed``) do not apply, and
    ``imported_proposals`` keeps a selective-search run from mixing with the imported files.
    """
    keep = ('min_size', 'max_aspect_ratio', 'max_iou', 'top_n')
    return dict({k: getattr(proposal, k) for k in keep}, imported_proposals=True)


def _source(paths: Sequence[str]) -> Dict:
    return dict(files=[osp.basename(p) for p in paths], bytes=[osp.getsize(p) for p in paths])


class _Stream:
    """Cuts a reference-layout file into the JSON text of each image's box list."""

    def __init__(self, path: str, chunk_chars: int = 1 << 24) -> None:
        self.path, self.chunk = path, chunk_chars
        self.f = open(path, encoding='utf-8')
        self.buf, self.pos, self.eof, self.count = '', 0, False, 0

    def _fill(self) -> bool:
        data = '' if self.eof else self.f.read(self.chunk)
        self.eof = not data
        self.buf, self.pos = self.buf[self.pos:] + data, 0
        return bool(data)

    def _peek(self) -> str:
        """The next non-space character ('' at the end of the file), not consumed."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self._fill():
                return self.buf[self.pos:self.pos + 1]

    def _expect(self, text: str, what: str) -> None:
        self._peek()
        while len(self.buf) - self.pos < len(text) and self._fill():
            pass
        if self.buf[self.pos:self.pos + len(text)] != text:
            found = self.buf[self.pos:self.pos + 20] or 'the end of the file'
            raise Stage2Error(f'{self.path}: expected {what} but found {found!r}; the file '
                              f'must have the layout {LAYOUT}')
        self.pos += len(text)

    def _search(self, pattern, offset: int) -> Tuple[int, str]:
        """First match of ``pattern`` at or after ``self.pos + offset``, reading on as
        needed; returns its end and its text, both relative to ``self.pos``."""
        while True:
            m = pattern.search(self.buf, self.pos + offset)
            if m:
                return m.end() - self.pos, m.group()
            # a match can straddle the end of the buffer only from its last ']'
            offset = max(offset, self.buf.rfind(']', self.pos + offset) - self.pos)
            if len(self.buf) - self.pos > _MAX_IMAGE_CHARS:
                raise Stage2Error(f'{self.path}: the boxes of image {self.count} do not end '
                                  f'within {_MAX_IMAGE_CHARS} characters; layout {LAYOUT}')
            if not self._fill():
                raise Stage2Error(f'{self.path}: the file ends inside the boxes of image '
                                  f'{self.count} (truncated?)')

    def images(self) -> Iterator[str]:
        """The JSON text of each image's box list, in file order."""
        try:
            self._expect('{', 'a JSON object')
            self._expect('"bbox"', 'its only key "bbox"')
            self._expect(':', "':'")
            self._expect('[', 'the list of images')
            c = self._peek()
            while c != ']':
                if c != '[':
                    raise Stage2Error(f'{self.path}: image {self.count}: its boxes must be '
                                      f'a list, found {c or "the end of the file"!r}; '
                                      f'layout {LAYOUT}')
                _, first = self._search(_NON_SPACE, 1)  # '[': boxes; else flat box or []
                end, _ = self._search(_END_NESTED if first == '[' else _CLOSE, 1)
                yield self.buf[self.pos:self.pos + end]
                self.pos += end
                self.count += 1
                c = self._peek()
                if c == ',':
                    self.pos += 1
                    c = self._peek()
                elif c != ']':
                    raise Stage2Error(f'{self.path}: expected \',\' or \']\' after the '
                                      f'boxes of image {self.count - 1}, found '
                                      f'{c or "the end of the file"!r}')
            self.pos += 1
            self._expect('}', "'}' (the reference writes only the key \"bbox\")")
            if self._peek():
                raise Stage2Error(f'{self.path}: text after the JSON object')
        finally:
            self.f.close()


def parse_boxes(text: str) -> np.ndarray:
    """One image's raw boxes from its JSON text (a flat ``[x, y, w, h]`` is one box).

    Returns:
        (N, 4) int64 ``[x, y, w, h]``.

    Raises:
        ValueError: Not a list of integer 4-vectors (the message says what was found).
    """
    try:
        boxes = np.asarray(json.loads(text))
    except (json.JSONDecodeError, ValueError) as err:
        raise ValueError(f'its boxes are not a JSON list of [x, y, w, h] ({err})') from None
    if boxes.size == 0:
        return np.zeros((0, 4), np.int64)
    if boxes.shape == (4, ):  # the reference's squeeze() of a one-box image
        boxes = boxes[None]
    if boxes.ndim != 2 or boxes.shape[1] != 4 or boxes.dtype.kind not in 'iuf':
        raise ValueError(f'its boxes are not a list of [x, y, w, h] (shape {boxes.shape})')
    if boxes.dtype.kind == 'f' and not np.all(boxes == np.round(boxes)):
        raise ValueError('its boxes have non-integer coordinates (selective search gives '
                         'integer pixels)')
    return boxes.astype(np.int64)


def check_boxes(raw: np.ndarray, width: int, height: int, extent_check: bool = True
                ) -> Optional[str]:
    """What is wrong with an image's raw boxes given its size (None: nothing)."""
    if not len(raw):
        return None
    x, y, w, h = raw.T
    out = (x < 0) | (y < 0) | (w < 1) | (h < 1) | (x + w > width) | (y + h > height)
    if out.any():
        return (f'{int(out.sum())} of its {len(raw)} boxes (e.g. {raw[out][0].tolist()}) '
                f'lie outside its {width}x{height} pixels')
    reach = (int((x + w).max()), int((y + h).max()))
    if extent_check and reach != (width, height):
        return (f'its boxes reach only {reach[0]}x{reach[1]} of its {width}x{height} pixels, '
                'but selective search always returns the whole image as one box')
    return None


def _import_one(args) -> Tuple[int, Optional[dict], Optional[str]]:
    """Worker: parse, decode (size, errors), check and filter one image's boxes.

    Returns ``(index, part, problem)``: the part file as the selective-search path writes
    it (boxes as an int32 array until written), or a problem with the file.
    """
    index, file_name, path, text, settings, extent_check = args
    try:
        raw = parse_boxes(text)
    except ValueError as err:
        return index, None, f'image {index} ({file_name}): {err}'
    try:
        height, width = read_image_bgr(path).shape[:2]
    except ImageReadError as err:
        return index, dict(file_name=file_name, error=str(err)), None
    problem = check_boxes(raw, width, height, extent_check)
    if problem:
        return index, None, f'image {index} ({file_name}): {problem}'
    boxes = filter_proposals(raw, settings.min_size, settings.max_aspect_ratio,
                             settings.max_iou, settings.top_n)
    if len(boxes) == 0:  # no box at all: the whole image, as the selective-search path
        boxes = np.array([[0, 0, width, height]], dtype=np.int64)
    return index, dict(file_name=file_name, boxes=boxes.astype(np.int32), num_raw=len(raw),
                       width=int(width), height=int(height), scale=1.0), None


def _windows(ctx, paths, extent_check, size) -> Iterator[List[tuple]]:
    """Windows of worker arguments, in image order; counts the images of the files."""
    window, n = [], 0
    for path in paths:
        for text in _Stream(path).images():
            if n < len(ctx.images):
                r = ctx.images[n]
                window.append((n, r.file_name, r.path, text, ctx.cfg.proposal, extent_check))
            n += 1
            if len(window) >= size:
                yield window
                window = []
    if window:
        yield window
    if n != len(ctx.images):
        names = ' + '.join(paths)
        raise Stage2Error(
            f'{names} hold{"s" if len(paths) == 1 else ""} the proposals of {n} images but '
            f'the image list has {len(ctx.images)} ({ctx.cfg.image_sources()}); the file(s) '
            'must list the images of the annotation JSON(s), in their order. Nothing was '
            'written')


def _parse_parts(ctx, paths: List[str], window: int) -> List[dict]:
    """Every image's part, parsed, checked and filtered by the workers, in image order.

    Raises:
        Stage2Error: The count or order does not match the image list, or boxes are not in
            the reference layout (the first problems are named; nothing is written).
    """
    cfg = ctx.cfg
    parts: List[Optional[dict]] = [None] * len(ctx.images)
    problems: List[str] = []
    bar = Progress(len(ctx.images), 'importing proposals', cfg.progress)
    workers = max(1, cfg.proposal_workers)
    mp = get_context('fork' if sys.platform.startswith('linux') else 'spawn')
    pool = mp.Pool(workers) if workers > 1 else None
    try:
        pending = None
        for args in _windows(ctx, paths, cfg.proposals_extent_check, window * workers):
            job = (pool.map_async(_import_one, args, chunksize=8) if pool else
                   _Done([_import_one(a) for a in args]))
            if pending is not None:
                _collect(pending.get(), parts, problems, bar)
            pending = job
            if len(problems) >= _MAX_PROBLEMS:
                break
        if pending is not None:
            _collect(pending.get(), parts, problems, bar)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    bar.close()
    if problems:
        shown = '\n  '.join(problems[:_MAX_PROBLEMS])
        raise Stage2Error(
            f'{", ".join(paths)} does not match the image list (nothing was written):\n  '
            f'{shown}\nthe file must hold the raw selective-search boxes of the images of '
            f'{cfg.image_sources()}, in that order' +
            (' (a file whose images lack their whole-image box: '
             '--proposals-no-extent-check)' if cfg.proposals_extent_check else ''))
    return parts


def import_proposals(ctx, window: int = 256) -> Dict:
    """Import ``ctx.cfg.proposals_from`` into the proposals step's part files (rank 0).

    Returns:
        ``dict(done, computed, seconds, write_seconds, imported)``: images, parts
        written, wall seconds (of which writing the parts), the source files.

    Raises:
        Stage2Error: A file not in the reference layout, a count or order that does not
            match the image list (nothing is written then), or a work dir already holding
            proposals imported from other files.
    """
    cfg, work = ctx.cfg, ctx.work
    paths = list(cfg.proposals_from)
    for p in paths:
        if not osp.isfile(p):
            raise Stage2Error(f'--proposals-from: {p} not found')
    source, marker = _source(paths), work.path(work.FOLDERS['proposals'], 'imported.json')
    old = work.read_json(marker)
    if old is not None and old != source:
        raise Stage2Error(f'{work.path(work.FOLDERS["proposals"])} holds proposals imported '
                          f'from {old["files"]} ({old["bytes"]} bytes), not from '
                          f'{source["files"]} ({source["bytes"]} bytes); use a new --work-dir')
    done = [work.read_part('proposals', r.index, r.file_name) is not None for r in ctx.images]
    t0 = time.perf_counter()
    if old == source and all(done):
        return dict(done=len(done), computed=0, seconds=0.0, write_seconds=0.0,
                    imported=source['files'])
    log(f'importing the proposals of {len(ctx.images)} images from {", ".join(paths)} '
        f'(filter: {import_settings(cfg.proposal)})')
    parts = _parse_parts(ctx, paths, window)
    computed, t_write = 0, time.perf_counter()
    for r, part in zip(ctx.images, parts):
        if 'boxes' in part:
            part = dict(part, boxes=part['boxes'].tolist())
        work.write_json(part, work.image_file('proposals', r.index))
        computed += 1
    work.write_json(source, marker)
    t_end = time.perf_counter()
    return dict(done=len(parts), computed=computed, seconds=t_end - t0,
                write_seconds=t_end - t_write, imported=source['files'])


class _Done:
    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


def _collect(results, parts, problems, bar) -> None:
    for index, part, problem in results:
        if problem:
            problems.append(problem)
        else:
            parts[index] = part
        bar()


def run_import(ctx, merge) -> Dict:
    """The proposals step on imported boxes: rank 0 imports and merges, the others wait."""
    report = {}
    if ctx.rank == 0:
        report = import_proposals(ctx)
        merge(ctx)
    barrier()
    return report
