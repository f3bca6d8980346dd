"""Step 'quality': mined vs random pairs against the COCO instances of the sources."""
import os.path as osp
import time
from typing import Dict, Optional

from mmengine.dist import get_dist_info

from ..images import default_root
from ..quality import has_instances, quality_report
from ..step import Context, Step


class QualityStep(Step):
    """Writes ``quality.json`` when at least one source's JSON has instances (rank 0)."""
    name = 'quality'
    inputs = ('pairs', )

    def run(self, ctx: Context) -> Optional[Dict]:
        sources = ctx.cfg.image_sources()
        root = osp.abspath(ctx.cfg.root or default_root(sources))
        anns = [(ann, osp.relpath(osp.abspath(d), root)) for d, ann in sources
                if ann and has_instances(ann)]
        if not anns or get_dist_info()[0] != 0:
            return None
        t = time.perf_counter()
        anns = [(a, '' if p == '.' else p) for a, p in anns]
        rep = quality_report(ctx.work.output('correspondence'), anns)
        ctx.work.write_json(rep, ctx.work.output('quality'))
        return dict(rep, seconds=time.perf_counter() - t)
