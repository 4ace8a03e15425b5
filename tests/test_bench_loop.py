"""bench.loop: each trick's switch turns its one thing off and back, and a measurement runs the fit loop's step."""

import numpy as np
import pytest
from bench import loop

from glassnet import kernels, layers
from glassnet.minibatches import MiniBatches


def state():
    built = kernels.built  # the extension, even while a switch sets kernels.compiled to None
    return (layers.matmul, MiniBatches.gather_next, kernels.compiled, None if built is None else built.min_parallel(-1))


@pytest.mark.parametrize("trick", sorted(loop.TRICKS))
def test_a_switch_changes_its_one_thing_and_restores_it(trick):
    if kernels.compiled is None and trick in loop.COMPILED_ONLY:
        pytest.skip("the compiled kernels are not built")
    before = state()
    with loop.TRICKS[trick](True):
        assert state() == before  # on: as the library runs by default
    with loop.TRICKS[trick](False):
        changed = [a != b for a, b in zip(state(), before, strict=True)]
        assert sum(changed) == 1, changed
    assert state() == before


def test_a_measurement_trains_and_reports_both_ways():
    if kernels.compiled is None:
        pytest.skip("the compiled kernels are not built")
    before = loop.Loop(loop.CASES["deep128-b128"], m=600)
    theta = before.net.theta.copy()
    before.run(3)
    assert not np.array_equal(theta, before.net.theta)  # Adam stepped
    result = loop.measure("deep128-b128", "products", steps=2, rounds=2, m=600)
    assert result["on_us"] > 0 and result["off_us"] > 0 and result["off_over_on"] > 0
