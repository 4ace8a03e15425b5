"""Running a check: the settings, the comparison overall and per block, and the report.

``check_gradients(cost_fn, grad_fn, theta)`` checks any function; ``gradient_check`` (in
``network_check``) checks a network by the notes' rules. Both measure with ``check`` and read the
result with ``hints``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from ..errors import NonFiniteError, ShapeError, unknown_name
from ..validation import check_int, check_number
from .check import Evaluator, analytic_parts, block_differences, joined, measure, norm, relative_difference
from .fast import Block, blocks_from_names, make_plan, resolve_mode
from .hints import pattern_hints, small_block_hints
from .report import BlockResult, Entry, GradCheckReport

__all__ = ["check_gradients", "check_settings", "run_check"]


def _block_results(blocks, a_parts, n_parts, plan, n_worst) -> tuple[list[BlockResult], list[Entry]]:
    """Each block's difference and norms, and the entries with the largest |analytic − numeric|."""
    results, entries = [], []
    for b, (block, difference) in enumerate(zip(blocks, block_differences(a_parts, n_parts), strict=True)):
        a_p, n_p = a_parts[0][b], n_parts[0][b]
        results.append(BlockResult(
            name=block.name, shape=tuple(block.shape), difference=difference,
            coordinates=int(a_p.size), directions=int(a_parts[1][b].size),
            analytic_norm=norm(a_p), numeric_norm=norm(n_p),
        ))
        for k in np.argsort(-np.abs(a_p - n_p), kind="stable")[:n_worst]:
            j = int(plan.coords[b][k])
            index = tuple(int(i) for i in np.unravel_index(j, block.shape)) if block.shape else (j,)
            entries.append(Entry(block.name, index, float(a_p[k]), float(n_p[k])))
    entries.sort(key=lambda e: -e.difference if math.isfinite(e.difference) else -math.inf)
    return results, entries[:n_worst]


def _refuse_non_finite(what: str, values: np.ndarray, blocks: list[Block] | None) -> None:
    """A NaN or infinite gradient makes every difference NaN: say where, instead of reporting "difference = nan"."""
    if bool(np.isfinite(values).all()):
        return
    where = "" if blocks is None else " in " + ", ".join(
        b.name for b in blocks if not np.isfinite(values[b.start:b.start + b.size]).all())
    raise NonFiniteError(f"{what} holds NaN or infinite values{where}: the cost overflows at or near these "
                         "parameters (standardize the inputs, lower the weights, or check at another point)")


def run_check(ev: Evaluator, analytic: np.ndarray, blocks: list[Block], *, epsilon: float, mode: str,
              samples: int, directions: int, seed, threshold: float, n_worst: int, context: dict) -> GradCheckReport:
    """Measure dθ_approx, compare with dθ overall and per block, and read the patterns (``context``)."""
    t0 = time.perf_counter()
    _refuse_non_finite("the analytic gradient", analytic, blocks)
    plan = make_plan(blocks, analytic, mode, samples, directions, seed)
    a_parts = analytic_parts(analytic, blocks, plan)
    n_parts = measure(ev, plan, epsilon)
    _refuse_non_finite(f"the two-sided differences (epsilon = {epsilon:g})", joined(n_parts), None)
    difference = relative_difference(joined(a_parts), joined(n_parts))  # the notes' difference
    results, worst = _block_results(blocks, a_parts, n_parts, plan, n_worst)
    hints = list(context.get("hints", [])) + pattern_hints(blocks, results, analytic, plan, n_parts, context)
    hints += small_block_hints(results, difference, threshold)

    def remeasure(eps: float) -> tuple[float, int]:
        before = ev.evaluations
        return relative_difference(joined(a_parts), joined(measure(ev, plan, eps))), ev.evaluations - before

    return GradCheckReport(
        difference=difference, threshold=threshold, epsilon=epsilon, mode=mode,
        evaluations=ev.evaluations, n_params=int(analytic.size), blocks=results,
        worst=worst, hints=hints, notes=list(context.get("notes", [])),
        seconds=time.perf_counter() - t0 + context.get("seconds", 0.0), _remeasure=remeasure,
    )


def check_settings(epsilon, mode, threshold, samples, directions, worst):
    """The arguments every check shares, validated."""
    epsilon = check_number(epsilon, "epsilon", low=0.0, high=1.0, low_open=True,
                           hint="the notes use 1e-7 (in float64)")
    if mode not in ("exact", "fast", "auto"):
        raise unknown_name("mode", mode, ["exact", "fast", "auto"])
    threshold = check_number(threshold, "threshold", low=0.0, low_open=True,
                             hint="1e-7 is the notes' 'correct', 1e-5 'look closer'")
    samples = check_int(samples, "samples", hint="coordinates checked per block in fast mode")
    directions = check_int(directions, "directions", low=0, hint="random directions per block in fast mode")
    worst = check_int(worst, "worst", low=0, hint="how many of the worst entries to list")
    return epsilon, mode, threshold, samples, directions, worst


def check_gradients(cost_fn: Callable, grad_fn: Callable, theta, epsilon: float = 1e-7, names=None, *,
                    mode: str = "exact", threshold: float = 1e-7, samples: int = 8, directions: int = 2,
                    worst: int = 5, sweep: bool = False, seed=0) -> GradCheckReport:
    """Compare grad_fn with two-sided differences of cost_fn at θ: a GradCheckReport.

    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε);  difference = ‖dθ_approx − dθ‖ / (‖dθ_approx‖ + ‖dθ‖)

    ``cost_fn(theta) -> float`` and ``grad_fn(theta) -> array`` take a float64 array shaped like
    ``theta``; ``names`` (list of (name, shape), or dict name -> shape) partitions θ in order into
    blocks, reported separately. ``mode``: "exact" (every coordinate), "fast" (samples per block plus
    directional derivatives, see ``glassnet.gradcheck.fast``) or "auto" (exact up to AUTO_EXACT_LIMIT
    values). ``seed`` draws the fast mode's coordinates and directions.
    """
    t0 = time.perf_counter()
    epsilon, mode, threshold, samples, directions, worst = check_settings(
        epsilon, mode, threshold, samples, directions, worst)
    work = np.array(theta, dtype=np.float64)
    if not np.all(np.isfinite(work)):
        raise NonFiniteError("theta holds NaN or infinite values; gradients are checked at a finite point")
    blocks = blocks_from_names(names, work.size)
    analytic = np.array(grad_fn(work.copy()), dtype=np.float64)
    if analytic.size != work.size:
        raise ShapeError(
            f"grad_fn returned {analytic.size} values (shape {analytic.shape}) but theta has {work.size} "
            f"(shape {work.shape}); the gradient has one entry per parameter"
        )
    flat = work.reshape(-1)
    ev = Evaluator(lambda: cost_fn(work), [flat[b.start:b.start + b.size] for b in blocks])
    J0 = ev()
    if not math.isfinite(J0):
        raise NonFiniteError(f"cost_fn(theta) = {J0}; gradients are checked where the cost is finite")
    J_again = ev()  # a cost that changes at the same θ makes every difference below meaningless
    context = {"seconds": time.perf_counter() - t0}
    report = run_check(ev, analytic.reshape(-1), blocks, epsilon=epsilon, mode=resolve_mode(mode, work.size),
                       samples=samples, directions=directions, seed=seed, threshold=threshold, n_worst=worst,
                       context=context)
    if J_again != J0:
        report.hints.insert(0, f"cost_fn is not deterministic: two calls at the same theta gave {J0:.12g} and "
                               f"{J_again:.12g} (fresh dropout masks? a random mini-batch?); make it deterministic "
                               "first, the differences below mean nothing until then")
    if sweep:
        report.sweep()
    return report
