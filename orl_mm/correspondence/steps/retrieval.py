"""Step 'knn': image embeddings (one shard per rank) and the faiss k-NN (rank 0)."""
import os
import os.path as osp
import time
from typing import Dict

import numpy as np

from ..config import Stage2Config
from ..retrieval import embed_images, search_neighbours
from ..step import Context, Step
from ..sync import Tracker, gather


def checkpoint_id(cfg: Stage2Config) -> str:
    """Identifies the stage-1 weights: path, size and modification time."""
    if cfg.checkpoint is None:
        return 'random-init'
    st = os.stat(cfg.checkpoint)
    return f'{osp.abspath(cfg.checkpoint)}:{st.st_size}:{int(st.st_mtime)}'


class RetrievalStep(Step):
    """Embeds every readable image and writes ``knn.json``: for each of them (by image
    index) its K neighbours (image indices) and their cosines, best first."""
    name = 'knn'
    inputs = ('proposals', )

    def settings(self, cfg: Stage2Config) -> Dict:
        # the keys are those of existing work dirs' records (knn/settings.json)
        return dict(checkpoint=checkpoint_id(cfg), resize=cfg.retrieval_resize,
                    crop=cfg.retrieval_crop, k=cfg.num_neighbours)

    def run(self, ctx: Context) -> Dict:
        work = ctx.work
        kept = work.read_output('proposals', self.name)['images']
        t0, forwards = time.perf_counter(), 0
        if work.read_json(work.output('knn')) is None:
            shard = work.embedding_shard(ctx.rank, ctx.world)
            paths = [] if osp.isfile(shard) else [ctx.images[i].path for i in ctx.my_share(kept)]
            with Tracker(ctx, self.name, len(paths), f'[rank {ctx.rank}] image embeddings'
                         if ctx.world == 1 else 'image embeddings') as track:
                if paths:
                    encoder = ctx.get_encoder()
                    before = encoder.forward_count
                    feats = embed_images(encoder, paths, ctx.cfg.embed_settings(),
                                         loader_workers=ctx.cfg.loader_workers,
                                         progress=track)
                    forwards = encoder.forward_count - before
                    work.save_npy(feats, shard)
            gather(ctx, self.name, lambda: self.search(ctx, kept), track.job)
        return dict(seconds=time.perf_counter() - t0, forwards=forwards)

    @staticmethod
    def search(ctx: Context, kept) -> None:
        """Rank 0: gather the embedding shards, search, write ``knn.json``."""
        work = ctx.work
        shards = [np.load(work.embedding_shard(r, ctx.world)) for r in range(ctx.world)]
        feats = np.zeros((len(kept), shards[0].shape[1]), np.float32)
        for r in range(ctx.world):
            feats[r::ctx.world] = shards[r]
        pos, sims = search_neighbours(feats, ctx.cfg.num_neighbours)
        work.write_json(
            dict(images=kept, neighbours=[[kept[p] for p in row] for row in pos],
                 similarity=[[float(s) for s in row] for row in sims]), work.output('knn'))
