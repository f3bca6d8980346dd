"""P1: ORL training-step time / mmpretrain BYOL training-step time, side by side.

Both models use the same backbone, projector and predictor sizes, batch and machine; a
step is forward + backward + SGD update (``model.train_step``), ORL on its six inputs
(2 global views + 4 RoI patches), BYOL on its two views. The two are timed alternately,
``--reps`` times each after a warm-up, and the ratio of the medians is printed together
with the ratio of the FLOPs counted by ``torch.utils.flop_counter`` for one step of each
(the compute-bound limit the timing ratio should approach).

Example (CPU, ResNet-18, batch 4, the paper's 224 / 96 sizes; ``--device cuda`` on a GPU)::

    python benchmarks/orl_step_time.py --depth 18 --batch 4 --reps 5
"""
import argparse
import statistics
import time

import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmpretrain.registry import MODELS
from mmpretrain.utils import register_all_modules
from torch.utils.flop_counter import FlopCounterMode

import orl_mm  # noqa: F401


def build(kind: str, depth: int, hid: int, out: int):
    in_ch = 512 if depth in (18, 34) else 2048
    predictor = dict(type='NonLinearNeck', in_channels=out, hid_channels=hid,
                     out_channels=out, num_layers=2, with_bias=True, with_last_bn=False,
                     with_avg_pool=False, norm_cfg=dict(type='BN1d'))
    common = dict(
        base_momentum=0.01,
        data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], to_rgb=True),
        backbone=dict(type='ResNet', depth=depth, norm_cfg=dict(type='BN')),
        neck=dict(type='NonLinearNeck', in_channels=in_ch, hid_channels=hid, out_channels=out,
                  num_layers=2, with_bias=True, with_last_bn=False, with_avg_pool=True,
                  norm_cfg=dict(type='BN1d')))
    if kind == 'byol':
        cfg = dict(type='BYOL', head=dict(type='LatentPredictHead', predictor=predictor,
                                          loss=dict(type='CosineSimilarityLoss')), **common)
    else:
        head = dict(type='LatentPredictHead', predictor=predictor, loss=dict(type='BYOLLoss'))
        cfg = dict(type='ORL', head=head, intra_head=head, inter_head=head, **common)
    model = MODELS.build(cfg)
    model.train()
    return model


def make_batch(n_views: int, batch: int, global_size: int, patch_size: int):
    sizes = [global_size] * 2 + [patch_size] * (n_views - 2)
    return dict(inputs=[torch.randint(0, 256, (batch, 3, s, s), dtype=torch.uint8)
                        for s in sizes],
                data_samples=[])


def step(model, wrapper, data):
    model.train_step(data, wrapper)
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--depth', type=int, default=18, choices=(18, 50))
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--global-size', type=int, default=224)
    parser.add_argument('--patch-size', type=int, default=96)
    parser.add_argument('--hid', type=int, default=4096, help='MLP hidden width')
    parser.add_argument('--out', type=int, default=256, help='projection width')
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--device', default='cpu', help='cpu or cuda')
    parser.add_argument('--amp', action='store_true', help='bf16 autocast (GPU)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (0: torch default). 1 by default: on a shared, '
                        'loaded CPU, OpenMP barriers make small (96 px) convolutions erratic')
    args = parser.parse_args()
    register_all_modules(init_default_scope=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('orl_step_time')
    hub.update_info('max_iters', 10 ** 6)
    hub.update_info('iter', 0)

    runs = {}
    for kind, n_views in (('byol', 2), ('orl', 6)):
        model = build(kind, args.depth, args.hid, args.out).to(args.device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        wrapper = (AmpOptimWrapper(optimizer=optimizer, dtype='bfloat16') if args.amp
                   else OptimWrapper(optimizer))
        data = make_batch(n_views, args.batch, args.global_size, args.patch_size)
        step(model, wrapper, data)  # warm-up (and the EMA's first copy)
        with FlopCounterMode(display=False) as counter:
            step(model, wrapper, data)
        runs[kind] = dict(model=model, wrapper=wrapper, data=data,
                          flops=counter.get_total_flops(), times=[])

    for rep in range(args.reps):  # alternate, so both see the same machine load
        for kind in ('byol', 'orl'):
            r = runs[kind]
            start = time.perf_counter()
            step(r['model'], r['wrapper'], r['data'])
            r['times'].append(time.perf_counter() - start)
        print(f'rep {rep + 1}/{args.reps}: BYOL {runs["byol"]["times"][-1]:.3f} s, '
              f'ORL {runs["orl"]["times"][-1]:.3f} s', flush=True)

    med = {k: statistics.median(r['times']) for k, r in runs.items()}
    print(f'\nResNet-{args.depth}, batch {args.batch}, views {args.global_size}px x2, '
          f'patches {args.patch_size}px x4, MLP {args.hid}->{args.out}, '
          f'{args.device}{" bf16" if args.amp else ""}, {torch.get_num_threads()} threads, '
          f'{args.reps} reps (median)')
    print(f'BYOL step: {med["byol"]:.3f} s   ({runs["byol"]["flops"] / 1e9:.1f} GFLOP)')
    print(f'ORL  step: {med["orl"]:.3f} s   ({runs["orl"]["flops"] / 1e9:.1f} GFLOP)')
    print(f'FLOP ratio ORL/BYOL: {runs["orl"]["flops"] / runs["byol"]["flops"]:.3f}')
    print(f'P1 = ORL / BYOL step time: {med["orl"] / med["byol"]:.3f}')


if __name__ == '__main__':
    main()
