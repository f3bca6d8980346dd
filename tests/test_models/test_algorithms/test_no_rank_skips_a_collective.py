"""No rank may skip a collective: 2 gloo processes, one without a valid box (SCRL) or slot
(SlotCon); a DDP training step must complete on both and keep the weights in sync.

A rank that skipped its projector/predictor would leave DDP's gradient all-reduce (and, on
GPUs, the heads' SyncBN) waiting for it; one that skipped SlotCon's all-gather would leave
the others' gather waiting. The run has a deadline, so such a hang fails the test.
"""
import json

import pytest

from orl_mm.testing import run_gloo_processes, train_step_without_valid_items
from orl_mm.testing.models import TINY_SCRL, TINY_SLOTCON


@pytest.mark.parametrize('algo, key', [('scrl', 'loss_box'), ('slotcon', 'loss_contrastive')])
def test_a_rank_without_valid_boxes_or_slots_completes_the_step(algo, key, tmp_path):
    cfg = TINY_SCRL if algo == 'scrl' else TINY_SLOTCON
    run_gloo_processes(train_step_without_valid_items, str(tmp_path), world_size=2, timeout=60,
                       args=(algo, cfg))
    results = [json.load(open(tmp_path / f'rank{r}.json')) for r in range(2)]
    assert all(r['same'] for r in results)
    assert [log[key] for log in results[0]['logs']] == [0., 0.]  # masked on rank 0
    assert all(log[key] > 0 for log in results[1]['logs'])
