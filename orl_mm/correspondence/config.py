"""The settings of a stage-2 run.

The dataclasses are the one source of stage 2's defaults: :class:`ProposalSettings` (boxes),
:class:`~orl_mm.correspondence.embed.EmbedSettings` (input sizes, batching) and
:class:`Stage2Config` (the rest); ``tools/stage2/discover.py`` takes its argument defaults
from them and :meth:`Stage2Config.info` gives the correspondence file's ``info``.
"""
from dataclasses import asdict, dataclass, field
from typing import List, Optional, Sequence, Tuple

from orl_mm.structures.correspondence import correspondence_info
from .embed import EmbedSettings
from .proposals import ProposalSettings

_EMBED = EmbedSettings()

#: Old field name -> new one (issue 19: one name per thing), read by ``from_dict``.
RENAMED_FIELDS = dict(knn_k='num_neighbours', knn_resize='retrieval_resize',
                      knn_crop='retrieval_crop')


@dataclass
class Stage2Config:
    """Everything a stage-2 run needs.

    Images come from ``sources``: (image folder, optional COCO-layout JSON) pairs, e.g.
    ``[('data/coco/train2017', '.../instances_train2017.json'), ('data/coco/unlabeled2017',
    '.../image_info_unlabeled2017.json')]`` for COCO+; a JSON fixes its images and their
    order, a folder alone gives every image file in it, sorted. ``img_dir``/``ann_file``
    are the one-source shorthand. File names in the outputs are relative to ``root``
    (default: the image folder with one source, their common parent with several).

    Attributes:
        img_dir: Image folder (one source).
        work_dir: Where every intermediate and output file goes.
        ann_file: Optional COCO-layout JSON of ``img_dir``; with instances it also feeds
            the quality report.
        sources: Several (folder, JSON or None) sources, instead of ``img_dir``.
        root: The folder file names are relative to.
        config: Stage-1 config (path) for the model.
        checkpoint: Stage-1 checkpoint (mmpretrain BYOL layout).
        proposal: Selective search and filter settings.
        retrieval_resize, retrieval_crop, roi_size, batch_size, channels_last: See
            ``EmbedSettings``.
        roi_dtype: ``'float32'`` (default) or ``'float16'`` for the RoI embedding cache
            (half the disk; pairs are mined in float32 from it).
        roi_mode: ``'crop'`` (default, ORL: every box cropped, resized to ``roi_size``
            and embedded by its own backbone forward) or ``'align'``, an approximate mode
            that is no reference's: one backbone forward per image (longer side at most
            1024) and RoIAlign (7x7, averaged) on res5 for every box.
        num_neighbours: Neighbours per image (K).
        pair_ratio: Pairs per (query, neighbour) = ``max(1, int(ratio * Bq))``.
        proposal_workers: Processes for selective search (per rank).
        loader_workers: DataLoader workers that decode and crop images for the backbone.
        device: Torch device of the model.
        skip_bad_images: Drop unreadable images (with a message) instead of stopping.
        progress: Show progress (a bar on a terminal, periodic log lines otherwise).
        proposals_from: ORL's released selective-search file(s)
            (``train2017_selective_search_proposal.json``; several are concatenated, as for
            COCO+): the proposals step filters their boxes instead of running selective
            search (:mod:`~orl_mm.correspondence.proposal_import`).
        proposals_extent_check: With ``proposals_from``, stop unless each image's boxes
            reach its right and bottom edges (selective search's whole-image box).
        timeout: Seconds a rank waits without a sign of life from the rank(s) it waits
            on before it stops (with several ranks; also the process group's timeout,
            which governs only the short barriers at the start of each step). The long
            waits are on files in the work dir (see :mod:`.sync`), not collectives.
        heartbeat_s: How often a rank rewrites its status file and polls the others'.
        shard: ``(i, n)``: this process computes the proposals of images ``i::n`` only,
            without a process group (a slurm job array or CPU farm, see
            :class:`~.steps.proposals.ProposalsStep`); the first later step merges.
    """
    img_dir: Optional[str] = None
    work_dir: str = 'work_dirs/stage2'
    ann_file: Optional[str] = None
    sources: Optional[Sequence[Tuple[str, Optional[str]]]] = None
    root: Optional[str] = None
    config: Optional[str] = None
    checkpoint: Optional[str] = None
    proposal: ProposalSettings = field(default_factory=ProposalSettings)
    retrieval_resize: int = _EMBED.retrieval_resize
    retrieval_crop: int = _EMBED.retrieval_crop
    roi_size: int = _EMBED.roi_size
    batch_size: int = _EMBED.batch_size
    channels_last: bool = _EMBED.channels_last
    roi_dtype: str = 'float32'
    roi_mode: str = 'crop'
    num_neighbours: int = 10
    pair_ratio: float = 0.1
    proposal_workers: int = 1
    loader_workers: int = 0
    device: str = 'cpu'
    skip_bad_images: bool = False
    progress: bool = True
    proposals_from: Optional[Sequence[str]] = None
    proposals_extent_check: bool = True
    timeout: float = 1800.0
    heartbeat_s: float = 5.0
    shard: Optional[Tuple[int, int]] = None

    def image_sources(self) -> List[Tuple[str, Optional[str]]]:
        """The (folder, JSON or None) sources of the run."""
        if self.sources:
            return [(d, a or None) for d, a in self.sources]
        if self.img_dir is None:
            raise ValueError('Stage2Config needs img_dir or sources')
        return [(self.img_dir, self.ann_file or None)]

    def embed_settings(self) -> EmbedSettings:
        return EmbedSettings(retrieval_resize=self.retrieval_resize,
                             retrieval_crop=self.retrieval_crop, roi_size=self.roi_size,
                             batch_size=self.batch_size, channels_last=self.channels_last)

    def info(self) -> dict:
        """The ``info`` of the correspondence file these settings make (ORL's keys)."""
        return correspondence_info(self.proposal.info(), self.num_neighbours, self.pair_ratio)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> 'Stage2Config':
        """The settings of :meth:`to_dict`; also reads the field names before issue 19
        (:data:`RENAMED_FIELDS`)."""
        d = dict(d)
        for old, new in RENAMED_FIELDS.items():
            if old in d:
                if new in d:
                    raise ValueError(f'Stage2Config: give {new!r} or its old name {old!r}, '
                                     'not both')
                d[new] = d.pop(old)
        d['proposal'] = ProposalSettings(**d.get('proposal', {}))
        return cls(**d)
