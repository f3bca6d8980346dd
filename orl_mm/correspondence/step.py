"""What every stage-2 step shares: the run context and the step interface."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from mmengine.dist import get_dist_info

from .config import Stage2Config
from .images import ImageRecord
from .workdir import WorkDir


@dataclass
class Context:
    """One stage-2 run: its settings, work directory, images and (lazily) the model.

    Attributes:
        cfg: The settings.
        work: The work directory.
        images: The image list (``images[i].index == i``).
        encoder: The stage-1 encoder, built on first use by :meth:`get_encoder`.
        rank, world: This process in the process group (0 and 1 without one).
        token: Names this run in the status files (see :mod:`.sync`).
    """
    cfg: Stage2Config
    work: WorkDir
    images: List[ImageRecord]
    encoder: Any = None
    rank: int = field(default_factory=lambda: get_dist_info()[0])
    world: int = field(default_factory=lambda: get_dist_info()[1])
    token: str = ''

    @property
    def shard(self) -> Optional[Tuple[int, int]]:
        """``(i, n)`` when this process is proposals shard ``i`` of ``n`` (no group)."""
        return None if self.cfg.shard is None else tuple(self.cfg.shard)

    def get_encoder(self):
        if self.encoder is None:
            from .embed import build_stage1_encoder
            self.encoder = build_stage1_encoder(self.cfg.config, self.cfg.checkpoint,
                                                self.cfg.device)
        return self.encoder

    def my_share(self, indices):
        """This rank's share (``rank::world``, or ``i::n`` for shard ``i/n``) of ``indices``."""
        i, n = self.shard or (self.rank, self.world)
        return list(indices)[i::n]


class Step:
    """A stage-2 step: reads the outputs of ``inputs``, writes its own.

    ``settings(cfg)`` is what the step's output depends on besides its inputs (recorded
    in its folder; ``None`` for a step that records nothing); ``run(ctx)`` does the work
    not done yet and returns a report (counters and seconds).
    """
    name: str = ''
    inputs: Tuple[str, ...] = ()

    def settings(self, cfg: Stage2Config) -> Optional[Dict[str, Any]]:
        return None

    def run(self, ctx: Context) -> Dict[str, Any]:
        raise NotImplementedError
