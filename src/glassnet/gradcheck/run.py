"""Running a check: the settings, the comparison overall and per block, and the report.

``check_gradients(cost_fn, grad_fn, theta)`` checks any function; ``gradient_check`` (in
``network_check``) checks a network by the notes' rules. Both measure with ``check`` and read the
result with ``hints``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import NonFiniteError, ShapeError, unknown_name
from ..validation import check_int, check_number
from .check import (
    NOISE_FLOOR,
    VERDICT_SCALE,
    Evaluator,
    Measurement,
    analytic_parts,
    joined,
    measure,
    norm,
    relative_difference,
)
from .fast import Block, blocks_from_names, make_plan, resolve_mode
from .floor import NoiseFloor, floor_advice
from .hints import pattern_hints, small_block_hints
from .report import BlockResult, Entry, GradCheckReport, SetAside

__all__ = ["Comparison", "check_gradients", "check_settings", "compare", "run_check"]


@dataclass
class Comparison:
    """dθ against dθ_approx over the judged derivatives (the set-aside ones left out), overall and per block."""

    difference: float
    floor: float  # the difference rounding and truncation alone can give (0: not needed, or not estimable)
    block_differences: list[float]
    block_floors: list[float]
    keep: tuple[list[np.ndarray], list[np.ndarray]]  # per block, judged partials and directions


def _floor_difference(f: np.ndarray, a: np.ndarray, n: np.ndarray) -> float:
    """‖floor_i‖ / (‖dθ‖ + ‖dθ_approx‖): the floor in the units of the notes' difference."""
    denominator = norm(a) + norm(n)
    return norm(f) / denominator if denominator > 0 else 0.0


def compare(a_parts, measured: Measurement, noise: NoiseFloor | None, epsilon: float) -> Comparison:
    """The notes' difference over the judged derivatives, and its noise floor where it is above 1e-7."""
    keep_p, keep_d = measured.masks()
    a_b = [np.concatenate([p[kp], d[kd]]) for p, d, kp, kd in zip(*a_parts, keep_p, keep_d, strict=True)]
    n_b = [np.concatenate([p[kp], d[kd]])
           for p, d, kp, kd in zip(measured.partials, measured.directional, keep_p, keep_d, strict=True)]
    diffs = [relative_difference(a, n) for a, n in zip(a_b, n_b, strict=True)]
    a_all, n_all = np.concatenate(a_b), np.concatenate(n_b)
    difference = relative_difference(a_all, n_all)  # the notes' difference
    floor, floors = 0.0, [0.0] * len(a_b)
    if noise is not None and max([difference, *diffs]) > VERDICT_SCALE[0][0]:
        per = noise.per_entry(epsilon, measured, (keep_p, keep_d))
        floors = [_floor_difference(f, a, n) for f, a, n in zip(per, a_b, n_b, strict=True)]
        floor = _floor_difference(np.concatenate(per), a_all, n_all)
    return Comparison(difference, floor, diffs, floors, (keep_p, keep_d))


def _block_results(blocks, a_parts, measured: Measurement, c: Comparison, plan, n_worst):
    """Each block's difference, floor and norms, and the judged entries with the largest |analytic − numeric|."""
    results, entries = [], []
    keep_p, keep_d = c.keep
    for b, block in enumerate(blocks):
        a_p, n_p = a_parts[0][b][keep_p[b]], measured.partials[b][keep_p[b]]
        coords = plan.coords[b][keep_p[b]]
        results.append(BlockResult(
            name=block.name, shape=tuple(block.shape), difference=c.block_differences[b],
            coordinates=int(a_p.size), directions=int(keep_d[b].sum()),
            analytic_norm=norm(a_p), numeric_norm=norm(n_p), floor=c.block_floors[b],
            set_aside=int((~keep_p[b]).sum() + (~keep_d[b]).sum()),
        ))
        for k in np.argsort(-np.abs(a_p - n_p), kind="stable")[:n_worst]:
            entries.append(Entry(block.name, _index(block, int(coords[k])), float(a_p[k]), float(n_p[k])))
    entries.sort(key=lambda e: -e.difference if math.isfinite(e.difference) else -math.inf)
    return results, entries[:n_worst]


def _index(block: Block, j: int) -> tuple:
    return tuple(int(i) for i in np.unravel_index(j, block.shape)) if block.shape else (j,)


def _set_aside(blocks, a_parts, measured: Measurement, plan) -> list[SetAside]:
    """The derivatives whose ±ε evaluations crossed a kink, with their values and reason."""
    out = []
    for b, kind, k, reason in measured.aside:
        block = blocks[b]
        if kind == "coordinate":
            where = Entry(block.name, _index(block, int(plan.coords[b][k])), 0.0, 0.0).label()
            a, n = a_parts[0][b][k], measured.partials[b][k]
        else:
            where = f"{block.name} along direction {k + 1}"
            a, n = a_parts[1][b][k], measured.directional[b][k]
        out.append(SetAside(where, float(a), float(n), reason))
    return out


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
    """Measure dθ_approx, set aside kink crossings, compare with dθ overall and per block (with the noise
    floor where the difference is above 1e-7), and read the patterns (``context``)."""
    t0 = time.perf_counter()
    _refuse_non_finite("the analytic gradient", analytic, blocks)
    plan = make_plan(blocks, analytic, mode, samples, directions, seed)
    a_parts = analytic_parts(analytic, blocks, plan)
    measured = measure(ev, plan, epsilon)
    _refuse_non_finite(f"the two-sided differences (epsilon = {epsilon:g})",
                       joined((measured.partials, measured.directional)), None)
    keep_p = measured.masks()[0]
    judged = ([plan.coords[b][keep_p[b]] for b in range(len(blocks))],
              [measured.partials[b][keep_p[b]] for b in range(len(blocks))])
    noise = NoiseFloor(ev, analytic, blocks, plan, judged[0], seed)  # probes step only where no kink was crossed
    c = compare(a_parts, measured, noise, epsilon)
    results, worst = _block_results(blocks, a_parts, measured, c, plan, n_worst)
    hints = list(context.get("hints", [])) + pattern_hints(blocks, results, analytic, judged, context)
    hints += small_block_hints(results, c.difference, threshold)
    report = GradCheckReport(
        difference=c.difference, threshold=threshold, epsilon=epsilon, mode=mode,
        evaluations=ev.evaluations, n_params=int(analytic.size), blocks=results,
        worst=worst, hints=hints, notes=list(context.get("notes", [])), noise_floor=c.floor,
        set_aside=_set_aside(blocks, a_parts, measured, plan), floor_evaluations=noise.evaluations,
        seconds=time.perf_counter() - t0 + context.get("seconds", 0.0),
    )
    _floor_hints(report, noise, epsilon, norm(joined(a_parts)))

    def remeasure(eps: float) -> tuple[float, float, int, int]:
        before, floor_before = ev.evaluations, noise.evaluations
        again = compare(a_parts, measure(ev, plan, eps), noise, eps)
        return again.difference, again.floor, ev.evaluations - before, noise.evaluations - floor_before

    report._remeasure = remeasure
    return report


def _floor_hints(report: GradCheckReport, noise: NoiseFloor, epsilon: float, analytic_norm: float) -> None:
    """Name a difference at the noise floor (with what to do), and a cost whose probes saw more than rounding."""
    if report.verdict == NOISE_FLOOR:
        report.hints.insert(0, floor_advice(noise, epsilon, report.difference, report.noise_floor, analytic_norm))
    if noise.noisy:
        report.notes.append("the cost changed by more than rounding between points 1e-10 apart: no noise floor "
                            "was used (a cost with randomness inside cannot be checked this way)")


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
    values). ``seed`` draws the fast mode's coordinates and directions (and the noise floor's probes).
    A difference above 1e-7 within the noise floor of the two-sided difference (``floor``) is "at the
    noise floor", not a bug; kinks are only read for networks (``gradient_check``), which have Z.
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
