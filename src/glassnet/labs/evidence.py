"""When a lab's claim holds: an exact sign test paired over seeds, a rule on every seed, or an exact check.

A claim compares two arms (L2 against none, He against x 10, ...) trained from the same seeds: seed s
draws the data, the weights, the masks and the mini-batch order of both arms, so it gives one paired
difference d_s = (the arm the claim says is larger) - (the other arm). A claim on one arm against a
threshold ("better than chance") pairs each seed with the threshold: d_s = value_s - threshold.
The claim holds only when the differences lean its way by more than the seed-to-seed noise does:

    exact one-sided sign test at level α = 0.05
    ties (d_s = 0) are set aside:  n = #(d_s ≠ 0),  k = #(d_s > 0)
    p_holds = P(K ≥ k)      with K ~ Binomial(n, 1/2):  P(K ≥ k) = Σ_{i=k..n} C(n, i) / 2^n
    p_fails = P(K ≥ n - k)  (the same test for the opposite direction)
    "holds" when p_holds ≤ α, "fails" when p_fails ≤ α, otherwise "inconclusive" (with the numbers)

Why a sign test: it is exact at every n, assumes nothing about the shape of the differences
(accuracies move in steps of one example; a seed whose network stalled is an outlier that a mean, a
t-test or a bootstrap of 5 values would follow), and ties are natural. A bootstrap interval from 5
paired values covers far less often than it says. Why one-sided: each claim states its direction
before the run; "fails" is the same test read the other way, so the two together are a two-sided
test at 0.10 that names the direction. What it costs: p ≥ 1/2^n, so fewer than 5 untied seeds
(1/2^5 = 0.031) can never hold and always say "inconclusive"; with the default 5 seeds a claim
holds only when every seed agrees, with 8 one seed may disagree (9/256 = 0.035), with 10 also one
(11/1024 = 0.011; two give 56/1024 = 0.055).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LEVEL = 0.05
"""α: the largest one-sided p-value at which a claim holds (or, read the other way, fails)."""

MIN_SEEDS = 5
"""The fewest untied seeds that can reach p ≤ LEVEL: 1/2^5 = 0.031, 1/2^4 = 0.0625."""

VERDICTS = ("holds", "fails", "inconclusive")


@dataclass(frozen=True)
class Evidence:
    """What decides a claim: the verdict, the test that gave it, its level, the seeds, the counts and p-values."""

    verdict: str
    test: str
    level: float | None
    n: int
    summary: str
    p_holds: float
    p_fails: float

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "test": self.test, "level": self.level, "n": self.n,
                "summary": self.summary, "p_holds": self.p_holds, "p_fails": self.p_fails}


def binomial_tail(k: int, n: int) -> float:
    """P(K ≥ k) for K ~ Binomial(n, 1/2): Σ_{i=k..n} C(n, i) / 2^n (1 for k ≤ 0, 0 for k > n); exact integers."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return sum(math.comb(n, i) for i in range(k, n + 1)) / 2**n


def sign_test(differences, level: float = LEVEL, tolerance: float = 0.0) -> Evidence:
    """Exact one-sided sign test of paired differences d_s (one per seed; > 0 is the claim's direction).

    |d_s| ≤ ``tolerance`` counts as a tie and a NaN as no evidence; both are set aside.
    n = #(untied), k = #(d_s > 0);  p_holds = P(K ≥ k), p_fails = P(K ≥ n - k), K ~ Binomial(n, 1/2).
    """
    d = np.asarray(differences, dtype=float).reshape(-1)
    if d.size == 0:
        raise ValueError("sign_test needs at least one paired difference, got none")
    untied = d[~np.isnan(d) & (np.abs(d) > tolerance)]
    n, k = int(untied.size), int((untied > 0).sum())
    p_holds, p_fails = binomial_tail(k, n), binomial_tail(n - k, n)
    counts = f"{k} of {d.size} seeds for, {n - k} against, {d.size - n} tied"
    if p_holds <= level:
        verdict, why = "holds", f"one-sided p = {p_holds:.3g} ≤ {level:g}"
    elif p_fails <= level:
        verdict, why = "fails", f"the opposite direction: one-sided p = {p_fails:.3g} ≤ {level:g}"
    elif n == 0:
        verdict, why = "inconclusive", "every seed tied: no difference to test"
    else:
        verdict, why = "inconclusive", f"one-sided p = {p_holds:.3g} > {level:g}"
        if n < MIN_SEEDS:
            why += (f"; with {n} untied seed{'s' if n != 1 else ''} not even {n} of {n} could reach it "
                    f"(at least {MIN_SEEDS} needed)")
    return Evidence(verdict, "sign test (exact, one-sided, paired over seeds)", level, int(d.size),
                    f"{counts}; {why}", p_holds, p_fails)


def every_seed(flags, level: float = LEVEL) -> Evidence:
    """A rule claimed for every seed: one seed that breaks it refutes it ("fails").

    It holds when no seed breaks it and the seeds are enough for unanimity to be significant:
    p_holds = 1/2^n ≤ ``level`` (the sign test of "it holds on most seeds"), so n ≥ 5 at 0.05.
    """
    flags = [bool(f) for f in flags]
    if not flags:
        raise ValueError("every_seed needs at least one seed, got none")
    n, k = len(flags), sum(flags)
    broken = [i for i, f in enumerate(flags) if not f]
    p_holds = binomial_tail(k, n)
    if broken:
        verdict, why = "fails", f"broken on {n - k} of {n} seeds (a counter-example refutes a rule for every seed)"
    elif p_holds <= level:
        verdict, why = "holds", f"{n} of {n} seeds; p = 1/2^{n} = {p_holds:.3g} ≤ {level:g}"
    else:
        verdict, why = "inconclusive", f"{n} of {n} seeds, too few: at least {MIN_SEEDS} needed to reach p ≤ {level:g}"
    return Evidence(verdict, "every seed (a counter-example refutes; unanimity by the sign test)", level, n, why,
                    p_holds, 0.0 if broken else 1.0)


def exact(ok: bool) -> Evidence:
    """A computation with no random draw in its outcome (an identity, a value of a formula): it holds or fails."""
    ok = bool(ok)
    return Evidence("holds" if ok else "fails", "exact (deterministic: no seed changes the outcome)", None, 1,
                    "computed once, no noise to test", 0.0 if ok else 1.0, 1.0 if ok else 0.0)


def all_of(parts: dict[str, Evidence], level: float = LEVEL) -> Evidence:
    """A claim made of parts (each network, each initializer): it holds when every part holds.

    Holding needs no correction (all parts must each reach α: the intersection-union test); failing
    does: some part's p_fails ≤ α / (number of parts) (Bonferroni), else "inconclusive".
    """
    if not parts:
        raise ValueError("all_of needs at least one part")
    evidence = list(parts.values())
    if all(e.verdict == "holds" for e in evidence):
        verdict = "holds"
    elif any(e.p_fails <= level / len(evidence) for e in evidence):
        verdict = "fails"
    else:
        verdict = "inconclusive"
    tests = list(dict.fromkeys(e.test for e in evidence))
    test = tests[0] if len(tests) == 1 else " + ".join(tests)
    summary = "; ".join(f"{name} {e.verdict}" + ("" if e.level is None else f" (p = {e.p_holds:.2g})")
                        for name, e in parts.items())
    summary += f"; each part: {evidence[0].summary}" if len({e.summary for e in evidence}) == 1 else ""
    return Evidence(verdict, f"all of {len(evidence)}: {test}", level, max(e.n for e in evidence), summary,
                    max(e.p_holds for e in evidence), min(e.p_fails for e in evidence))


def paired_differences(larger, smaller) -> np.ndarray:
    """d_s = larger_s - smaller_s, seed by seed (the two lists in the same seed order)."""
    a, b = np.asarray(larger, dtype=float), np.asarray(smaller, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need one per seed on both sides, got {a.shape} and {b.shape}")
    return a - b
