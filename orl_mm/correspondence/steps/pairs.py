"""Step 'pairs': RoI pairs of every image with its neighbours, then the correspondence file."""
import time
from functools import lru_cache
from typing import Dict

import numpy as np

from orl_mm.structures.correspondence import Correspondence, correspondence_info
from ..config import Stage2Config
from ..pairs import mine_image_pairs
from ..proposals import ProposalSettings
from ..step import Context, Step
from ..sync import Tracker, gather
from ..workdir import Stage2Error


class PairsStep(Step):
    """Mines each readable image's pairs (sharded by rank) from the cached RoI embeddings;
    rank 0 writes ``correspondence.json`` (reference layout, ``info`` from the settings
    records of the steps that made the data) and ``pair_scores.json``."""
    name = 'pairs'
    inputs = ('knn', 'roi')

    def settings(self, cfg: Stage2Config) -> Dict:
        return dict(ratio=cfg.pair_ratio)

    def run(self, ctx: Context) -> Dict:
        work = ctx.work
        props = work.read_output('proposals', self.name)
        knn = work.read_output('knn', self.name)
        boxes = {i: np.asarray(b, dtype=np.int64).reshape(-1, 4)
                 for i, b in zip(props['images'], props['boxes'])}
        neighbours = dict(zip(knn['images'], knn['neighbours']))

        @lru_cache(maxsize=64)
        def feats(i: int) -> np.ndarray:
            path = work.image_file('roi', i)
            try:
                return np.load(path).astype(np.float32, copy=False)
            except OSError as err:
                raise Stage2Error(f'{path} missing: run the roi step first') from err

        todo = [i for i in ctx.my_share(props['images'])
                if work.read_part('pairs', i, ctx.images[i].file_name) is None]
        t0 = time.perf_counter()
        title = f'[rank {ctx.rank}] pair mining' if ctx.world == 1 else 'pair mining'
        with Tracker(ctx, self.name, len(todo), title) as track:
            for i in todo:
                pairs, scores = mine_image_pairs(i, neighbours[i], boxes, feats,
                                                 ctx.cfg.pair_ratio)
                work.write_json(dict(file_name=ctx.images[i].file_name, pairs=pairs,
                                     scores=scores), work.image_file('pairs', i))
                track()
        seconds = time.perf_counter() - t0
        gather(ctx, self.name, lambda: self.merge(ctx, props, knn), track.job)
        return dict(seconds=seconds, computed=len(todo))

    @staticmethod
    def info(ctx: Context) -> dict:
        """The ``info`` of the file, from the recorded settings of the producing steps."""
        proposals = ProposalSettings.from_record(ctx.work.record('proposals')['settings'])
        return correspondence_info(proposals.info(), ctx.work.record('knn')['settings']['k'],
                                   ctx.work.record('pairs')['settings']['ratio'])

    @classmethod
    def merge(cls, ctx: Context, props: dict, knn: dict) -> Correspondence:
        """Write the correspondence file (positions among the readable images)."""
        kept = props['images']
        position = {i: p for p, i in enumerate(kept)}
        if knn['images'] != kept:
            raise Stage2Error('knn.json and proposals.json list other images: run the knn '
                              'step again in a new --work-dir')
        all_pairs, all_scores = [], []
        for i in kept:
            data = ctx.work.read_part('pairs', i, ctx.images[i].file_name)
            if data is None:
                raise Stage2Error(f'pairs of {ctx.images[i].file_name} (image {i}) are '
                                  'missing; run the pairs step')
            all_pairs.append(data['pairs'])
            all_scores.append(data['scores'])
        names = [ctx.images[i].file_name for i in kept]
        corr = Correspondence(
            file_names=names, image_ids=[ctx.images[i].image_id for i in kept],
            boxes=props['boxes'],
            neighbours=[[position[j] for j in row] for row in knn['neighbours']],
            neighbour_pairs=all_pairs, info=cls.info(ctx))
        corr.validate(image_sizes=[tuple(s) for s in props['image_size']],
                      source='correspondence.json')
        ctx.work.write_json(corr.to_dict(), ctx.work.output('correspondence'))
        ctx.work.write_json(dict(file_name=names, scores=all_scores),
                            ctx.work.output('pair_scores'))
        return corr
