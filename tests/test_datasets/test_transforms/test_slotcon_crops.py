"""SlotCon's conditioned crop (orl_mm.datasets.transforms.slotcon_crops), step by step."""
import math

import pytest

from orl_mm.datasets.transforms.slotcon_crops import intersection_area, slotcon_crop_params


class _ScriptedRandom:
    """A stand-in for ``random`` that returns scripted values and records the calls."""

    def __init__(self, uniforms, randints):
        self.uniforms, self.randints, self.calls = list(uniforms), list(randints), []

    def uniform(self, a, b):
        self.calls.append(('uniform', a, b))
        return self.uniforms.pop(0)

    def randint(self, a, b):
        self.calls.append(('randint', a, b))
        return self.randints.pop(0)


SCALE, RATIO = (0.08, 1.), (3 / 4, 4 / 3)
FIRST = (0, 0, 55, 55)  # view 1's crop, (top, left, height, width) in a 100 x 100 image


@pytest.mark.parametrize('area_fraction,kept_first', [
    # target area 2550 -> 50 x 50 crop; its 25 px overlap with FIRST is 1 % of the 2500 px
    # crop but < 1 % of the 2550 px target area: rejected (the reference's 'area')
    (0.255, False),
    # target area 2500: 25 px = 1 % exactly: kept (>=)
    (0.25, True),
])
def test_overlap_is_measured_against_the_target_area(area_fraction, kept_first):
    rng = _ScriptedRandom(uniforms=[area_fraction, 0., 0.25, 0.], randints=[50, 50, 0, 0])
    crop = slotcon_crop_params(100, 100, SCALE, RATIO, constraint=FIRST, rng=rng)
    assert intersection_area((50, 50, 50, 50), FIRST) == 25
    assert crop == ((50, 50, 50, 50) if kept_first else (0, 0, 50, 50))
    # the draw order: area fraction, log aspect ratio, then top, then left
    assert rng.calls[:4] == [('uniform', *SCALE), ('uniform', math.log(RATIO[0]),
                                                   math.log(RATIO[1])),
                             ('randint', 0, 50), ('randint', 0, 50)]


def test_a_draw_that_does_not_fit_counts_as_a_try_then_the_fallback():
    """10 conditioned draws (one too big: no offset drawn; nine not overlapping), then an
    unconditioned draw: the first that fits, whatever its overlap."""
    uniforms = [1., math.log(4 / 3)]  # 100 x 100 x 1.0 at ratio 4/3: 115 px wide, no fit
    randints = []
    for _ in range(9):
        uniforms += [0.09, 0.]  # 30 x 30
        randints += [70, 70]  # bottom right: no overlap with FIRST
    uniforms += [0.09, 0.]  # the fallback's first draw
    randints += [69, 69]
    rng = _ScriptedRandom(uniforms, randints)
    crop = slotcon_crop_params(100, 100, SCALE, RATIO, constraint=FIRST, rng=rng)
    assert crop == (69, 69, 30, 30)
    assert not rng.uniforms and not rng.randints  # every scripted value used, no more
    assert intersection_area(crop, FIRST) == 0


def test_unconditioned_fallback_is_the_central_crop():
    """No draw fits in 10: the largest central crop within the ratio range."""
    rng = _ScriptedRandom(uniforms=[1., math.log(4 / 3)] * 10, randints=[])
    assert slotcon_crop_params(100, 300, SCALE, RATIO, rng=rng) == (0, 83, 100, 133)
    rng = _ScriptedRandom(uniforms=[1., math.log(4 / 3)] * 10, randints=[])
    assert slotcon_crop_params(100, 100, SCALE, RATIO, rng=rng) == (0, 0, 100, 100)
