"""When a lab's claim holds: the exact sign test over paired seeds, the every-seed rule, exact checks."""

import math

import pytest

from glassnet.labs.evidence import (
    LEVEL,
    MIN_SEEDS,
    Evidence,
    all_of,
    binomial_tail,
    every_seed,
    exact,
    paired_differences,
    sign_test,
)


def test_binomial_tail_is_the_exact_sum():
    assert binomial_tail(5, 5) == 1 / 32
    assert binomial_tail(4, 5) == 6 / 32  # C(5,4) + C(5,5) = 5 + 1
    assert binomial_tail(9, 10) == 11 / 1024
    assert binomial_tail(8, 10) == 56 / 1024  # 45 + 10 + 1
    assert binomial_tail(7, 8) == 9 / 256
    assert binomial_tail(0, 7) == 1.0 and binomial_tail(-1, 3) == 1.0 and binomial_tail(4, 3) == 0.0
    for n in range(0, 12):
        for k in range(n + 1):
            expected = sum(math.comb(n, i) for i in range(k, n + 1)) / 2**n
            assert binomial_tail(k, n) == pytest.approx(expected, rel=1e-15)


def test_five_of_five_holds_four_of_five_does_not():
    e = sign_test([0.01, 0.02, 0.005, 0.03, 0.01])
    assert e.verdict == "holds" and e.p_holds == 1 / 32 and e.level == LEVEL == 0.05 and e.n == 5
    assert "sign test" in e.test and "5 of 5 seeds for" in e.summary
    e = sign_test([0.01, 0.02, -0.005, 0.03, 0.01])
    assert e.verdict == "inconclusive" and e.p_holds == 6 / 32
    assert "4 of 5 seeds for, 1 against" in e.summary


def test_the_opposite_direction_fails():
    e = sign_test([-1, -2, -3, -1, -5])
    assert e.verdict == "fails" and e.p_fails == 1 / 32 and e.p_holds == 1.0


def test_ties_are_set_aside():
    e = sign_test([0.005, 0.005, 0.0, 0.005, 0.005])  # four seeds one example better, one tied
    assert e.verdict == "inconclusive" and e.p_holds == 1 / 16
    assert "1 tied" in e.summary and "at least 5 needed" in e.summary
    assert sign_test([1, 1, 1, 1, 1, 1e-12], tolerance=1e-9).p_holds == 1 / 32


def test_all_equal_is_inconclusive():
    e = sign_test([0.0] * 7)
    assert e.verdict == "inconclusive" and e.p_holds == 1.0 and e.p_fails == 1.0
    assert "every seed tied" in e.summary


def test_too_few_seeds_never_hold():
    for n in range(1, MIN_SEEDS):
        e = sign_test([1.0] * n)
        assert e.verdict == "inconclusive", n
        assert e.p_holds == 0.5**n > LEVEL
        assert sign_test([-1.0] * n).verdict == "inconclusive"
    assert sign_test([1.0] * MIN_SEEDS).verdict == "holds"


def test_more_seeds_allow_a_dissent():
    assert sign_test([1] * 7 + [-1]).verdict == "holds"  # 7 of 8: p = 9/256
    assert sign_test([1] * 9 + [-1]).verdict == "holds"  # 9 of 10: p = 11/1024
    assert sign_test([1] * 8 + [-1] * 2).verdict == "inconclusive"  # 8 of 10: p = 56/1024
    assert sign_test([1] * 5 + [-1]).verdict == "inconclusive"  # 5 of 6: p = 7/64


def test_nan_is_no_evidence_and_empty_is_refused():
    assert sign_test([1, 1, 1, 1, 1, float("nan")]).p_holds == 1 / 32
    with pytest.raises(ValueError, match="at least one"):
        sign_test([])


def test_every_seed_a_counter_example_refutes():
    assert every_seed([True] * 5).verdict == "holds"
    e = every_seed([True, True, False, True, True])
    assert e.verdict == "fails" and "1 of 5" in e.summary
    assert every_seed([True] * 3).verdict == "inconclusive"  # unanimity of 3 is p = 1/8
    assert every_seed([True] * 5).level == LEVEL


def test_exact_has_no_level():
    assert exact(True).verdict == "holds" and exact(True).level is None
    assert exact(False).verdict == "fails"


def test_all_of_holds_only_when_every_part_holds():
    holds, unsure, fails = sign_test([1] * 5), sign_test([1, 1, -1, 1, 1]), sign_test([-1] * 6)
    assert all_of({"a": holds, "b": holds}).verdict == "holds"
    assert all_of({"a": holds, "b": unsure}).verdict == "inconclusive"
    # failing needs a part past α/k (Bonferroni): p_fails = 1/64 ≤ 0.05/2
    assert all_of({"a": holds, "b": fails}).verdict == "fails"
    assert all_of({"a": holds, "b": sign_test([-1] * 5), "c": holds}).verdict == "inconclusive"  # 1/32 > 0.05/3
    assert all_of({"a": holds, "b": every_seed([True, False, True, True, True])}).verdict == "fails"


def test_paired_differences_need_the_same_seeds():
    assert paired_differences([0.9, 0.8], [0.85, 0.8]).tolist() == pytest.approx([0.05, 0.0])
    with pytest.raises(ValueError, match="one per seed"):
        paired_differences([1, 2, 3], [1, 2])


def test_unknown_verdicts_are_refused():
    with pytest.raises(ValueError, match="verdict"):
        Evidence("probably", "x", 0.05, 5, "", 1.0, 1.0)
