"""Gradient checking (梯度检验): numerical derivatives, the check of a gradient, and its report.

Two-sided difference (the notes' choice):  f'(θ) ≈ (f(θ + ε) − f(θ − ε)) / (2ε),  error O(ε²)
One-sided difference:                       f'(θ) ≈ (f(θ + ε) − f(θ)) / ε,          error O(ε)

The check of a network: θ = [W1, b1, W2, b2, ...] flattened (the order of
``net.parameters_to_vector()``), dθ the gradient from backprop, and for every i

    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε)
    difference   = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)       (0 when both are 0)

read on the notes' scale: ≤ 1e-7 correct, ≤ 1e-5 look closer, ≤ 1e-3 suspicious, above that
likely a bug. ``passed`` means difference ≤ ``threshold`` (default 1e-7, the "correct" level: a
correct network checked in float64 with ε = 1e-7 lands around 1e-9 to 1e-10).

Exact mode perturbs every coordinate: 2 cost evaluations per parameter. Fast mode, for large
networks, checks in every block (W1, b1, ...) a sample of coordinates (always including the
block's largest analytic entry) and directional derivatives

    (J(θ + ε v) − J(θ − ε v)) / (2ε)  against  dθ · v      (v a unit vector inside the block)

along the block's own analytic gradient (which catches any wrong scale of the whole block) and
along a few random directions (which see every entry of the block at once). The same
difference formula is then taken over the vector of all those checked derivatives.

The check of a network runs on a float64 copy: the caller's network (parameters, gradient
buffers, caches, dropout masks, random generator) is never touched.
"""

from __future__ import annotations

import contextlib
import copy as _copy
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .backend import make_rng, resolve_dtype, to_host
from .errors import HyperparameterError, NonFiniteError, ShapeError, unknown_name
from .network import Network
from .validation import check_int, check_number

__all__ = [
    "AUTO_EXACT_LIMIT", "DEFAULT_SWEEP", "Entry", "BlockResult", "GradCheckReport",
    "check_gradients", "gradient_check", "numerical_derivative", "verdict_for",
]

VERDICT_SCALE = ((1e-7, "correct"), (1e-5, "look closer"), (1e-3, "suspicious"))
"""The notes' reading of a difference: at most 1e-7 correct, 1e-5 look closer, 1e-3 suspicious."""

AUTO_EXACT_LIMIT = 20_000
"""mode="auto" checks every coordinate up to this many parameters, and samples above it."""

DEFAULT_SWEEP = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
"""The ε values of ``GradCheckReport.sweep()``."""

_BAD = 1e-5  # a block above this is worth a hint ("suspicious" or worse)


def verdict_for(difference: float) -> str:
    """The notes' word for a difference: "correct", "look closer", "suspicious" or "likely a bug"."""
    if not math.isfinite(difference):
        return "likely a bug"
    for limit, word in VERDICT_SCALE:
        if difference <= limit:
            return word
    return "likely a bug"


def _relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖₂ / (‖a‖₂ + ‖b‖₂), with 0/0 taken as 0."""
    denominator = float(np.linalg.norm(a)) + float(np.linalg.norm(b))
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b)) / denominator


# ---------------------------------------------------------------------------------- derivative
def numerical_derivative(f: Callable, theta, epsilon: float = 1e-2, two_sided: bool = True):
    """The derivative of f at θ by finite differences.

    two-sided:  (f(θ + ε) − f(θ − ε)) / (2ε)     error O(ε²)   (the notes: θ³ at 1, ε = 0.01 -> 3.0001)
    one-sided:  (f(θ + ε) − f(θ)) / ε            error O(ε)    (θ³ at 1, ε = 0.01 -> 3.0301)

    A scalar θ gives a float. An array θ (any shape) gives the gradient of the scalar f, the same
    shape as θ, by perturbing one coordinate at a time; f receives a float64 array of θ's shape.
    """
    epsilon = check_number(epsilon, "epsilon", low=0.0, low_open=True,
                           hint="a small positive step such as 1e-2 (or 1e-7 for gradient checks)")
    if np.ndim(theta) == 0 and not isinstance(theta, np.ndarray):
        t = check_number(theta, "theta")
        if two_sided:
            return (float(f(t + epsilon)) - float(f(t - epsilon))) / (2 * epsilon)
        return (float(f(t + epsilon)) - float(f(t))) / epsilon
    work = np.array(theta, dtype=np.float64)
    if not np.all(np.isfinite(work)):
        raise NonFiniteError("theta holds NaN or infinite values; a derivative needs a finite point")
    flat = work.reshape(-1)
    grad = np.empty(flat.size)
    f0 = None if two_sided else float(f(work))
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + epsilon
        plus = float(f(work))
        if two_sided:
            flat[i] = old - epsilon
            minus = float(f(work))
            grad[i] = (plus - minus) / (2 * epsilon)
        else:
            grad[i] = (plus - f0) / epsilon
        flat[i] = old
    return grad.reshape(work.shape)


# ---------------------------------------------------------------------------------- report
@dataclass
class Entry:
    """One checked partial derivative: block ``name``, ``index`` in it, both values."""

    name: str
    index: tuple
    analytic: float
    numeric: float

    @property
    def difference(self) -> float:
        """|analytic − numeric|."""
        return abs(self.analytic - self.numeric)

    def __iter__(self):
        """Unpacks as (name, index, analytic, numeric)."""
        return iter((self.name, self.index, self.analytic, self.numeric))

    def label(self) -> str:
        return f"{self.name}[{', '.join(str(i) for i in self.index)}]"

    def to_dict(self) -> dict:
        return {"name": self.name, "index": list(self.index), "analytic": self.analytic,
                "numeric": self.numeric, "difference": self.difference}


@dataclass
class BlockResult:
    """The check of one block (W1, b1, ...): the difference over its checked derivatives."""

    name: str
    shape: tuple
    difference: float
    coordinates: int  # partial derivatives checked
    directions: int  # directional derivatives checked
    analytic_norm: float  # ‖analytic‖ over the checked coordinates
    numeric_norm: float

    @property
    def verdict(self) -> str:
        return verdict_for(self.difference)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def to_dict(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "difference": self.difference,
                "verdict": self.verdict, "coordinates": self.coordinates, "directions": self.directions,
                "analytic_norm": self.analytic_norm, "numeric_norm": self.numeric_norm}


@dataclass
class GradCheckReport:
    """The outcome of a gradient check: the difference, its verdict, where it comes from, and why.

    difference = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂) over every checked derivative;
    verdict by the notes' scale (≤ 1e-7 correct, ≤ 1e-5 look closer, ≤ 1e-3 suspicious, else
    likely a bug); passed = difference ≤ threshold. ``blocks`` in θ order, ``ranked()`` worst
    first, ``per_parameter`` {name: difference} worst first, ``worst`` the entries with the
    largest |analytic − numeric|, ``hints`` the patterns recognized, ``notes`` how it was checked.
    """

    difference: float
    threshold: float
    epsilon: float
    mode: str
    evaluations: int
    n_params: int
    blocks: list[BlockResult]
    worst: list[Entry]
    hints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    epsilon_sweep: dict | None = None
    seconds: float = 0.0
    sweep_evaluations: int = 0
    _remeasure: Callable | None = field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> str:
        return verdict_for(self.difference)

    @property
    def passed(self) -> bool:
        return bool(self.difference <= self.threshold)

    @property
    def n_checked(self) -> int:
        """Derivatives compared: partial derivatives plus directional derivatives."""
        return sum(b.coordinates + b.directions for b in self.blocks)

    def ranked(self) -> list[BlockResult]:
        """The blocks, worst difference first."""
        return sorted(self.blocks, key=lambda b: -b.difference if math.isfinite(b.difference) else -math.inf)

    @property
    def per_parameter(self) -> dict[str, float]:
        """{name: difference}, worst first."""
        return {b.name: b.difference for b in self.ranked()}

    def sweep(self, epsilons: Sequence[float] = DEFAULT_SWEEP) -> dict[float, float]:
        """The difference at each ε (same coordinates and directions); adds a hint reading it.

        A real bug gives a difference that stays put as ε shrinks; finite-difference error moves
        with ε: truncation falls like ε² as ε shrinks, rounding grows like 1/ε.
        """
        if self._remeasure is None:
            raise HyperparameterError(
                "this report cannot re-measure (it was rebuilt from a dict); run the check again "
                "with sweep=True"
            )
        eps = [check_number(e, "epsilons[]", low=0.0, low_open=True) for e in epsilons]
        if not eps:
            raise HyperparameterError("epsilons must hold at least one positive step, got none")
        result, used = {}, 0
        for e in sorted(eps, reverse=True):
            result[e], n = self._remeasure(e)
            used += n
        self.epsilon_sweep = result
        self.sweep_evaluations = used
        self.hints = [h for h in self.hints if not h.startswith("epsilon sweep")]
        self.hints.append(_sweep_hint(result))
        return result

    def to_dict(self) -> dict:
        """A JSON-serializable summary."""
        return {
            "difference": self.difference, "verdict": self.verdict, "passed": self.passed,
            "threshold": self.threshold, "epsilon": self.epsilon, "mode": self.mode,
            "evaluations": self.evaluations, "n_params": self.n_params, "n_checked": self.n_checked,
            "per_parameter": [b.to_dict() for b in self.ranked()],
            "worst": [e.to_dict() for e in self.worst],
            "hints": list(self.hints), "notes": list(self.notes),
            "epsilon_sweep": None if self.epsilon_sweep is None
            else [[e, d] for e, d in self.epsilon_sweep.items()],
            "seconds": self.seconds, "sweep_evaluations": self.sweep_evaluations,
        }

    def __str__(self) -> str:
        status = "passed" if self.passed else "FAILED"
        lines = [
            f"gradient check {status}: difference {self.difference:.3e} ({self.verdict}; "
            f"threshold {self.threshold:g})",
            f"mode {self.mode}: {self.n_checked:,} derivatives of {self.n_params:,} parameters, "
            f"{self.evaluations:,} cost evaluations, epsilon {self.epsilon:g}, {self.seconds:.2f} s",
            "",
            f"{'parameter':<12}{'shape':<14}{'checked':>10}  {'difference':>11}  verdict",
        ]
        for b in self.ranked():
            checked = f"{b.coordinates}" + (f"+{b.directions}v" if b.directions else "")
            lines.append(f"{b.name:<12}{str(b.shape):<14}{checked:>10}  {b.difference:>11.3e}  {b.verdict}")
        if self.worst:
            lines += ["", "largest |analytic - numeric|:"]
            width = max(len(e.label()) for e in self.worst)
            for e in self.worst:
                lines.append(f"  {e.label():<{width}}  analytic {e.analytic: .6e}  numeric {e.numeric: .6e}  "
                             f"|diff| {e.difference:.2e}")
        if self.epsilon_sweep:
            lines += ["", f"epsilon sweep ({self.sweep_evaluations:,} more cost evaluations):"]
            lines += [f"  eps {e:<8g} difference {d:.3e}  {verdict_for(d)}" for e, d in self.epsilon_sweep.items()]
        if self.hints:
            lines += ["", "hints:"] + [f"  - {h}" for h in self.hints]
        if self.notes:
            lines += ["", "notes:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"GradCheckReport(difference={self.difference:.3e}, verdict={self.verdict!r}, "
                f"passed={self.passed}, mode={self.mode!r}, evaluations={self.evaluations})")


# ---------------------------------------------------------------------------------- engine
@dataclass
class _Block:
    name: str
    shape: tuple
    start: int
    size: int


class _Evaluator:
    """J at θ0 + h e_j (one coordinate of one block) or θ0 + h v (v inside one block).

    ``views`` are writable flat views of each block; every call restores θ0 exactly.
    """

    def __init__(self, cost: Callable[[], float], views: list[np.ndarray]):
        self.cost = cost
        self.views = views
        self.theta0 = [v.copy() for v in views]
        self.evaluations = 0

    def __call__(self) -> float:
        self.evaluations += 1
        return float(self.cost())

    def at_coordinate(self, b: int, j: int, h: float) -> float:
        view = self.views[b]
        old = view[j]
        view[j] = old + h
        try:
            return self()
        finally:
            view[j] = old

    def along(self, b: int, v: np.ndarray, h: float) -> float:
        view = self.views[b]
        np.add(self.theta0[b], h * v, out=view)
        try:
            return self()
        finally:
            view[...] = self.theta0[b]


@dataclass
class _Plan:
    """Which derivatives to check: coordinates and unit directions, per block."""

    coords: list[np.ndarray]
    directions: list[list[np.ndarray]]


def _make_plan(blocks: list[_Block], analytic: np.ndarray, mode: str, samples: int, directions: int,
               rng: np.random.Generator) -> _Plan:
    coords, dirs = [], []
    for block in blocks:
        g = analytic[block.start:block.start + block.size]
        if mode == "exact" or block.size <= samples:
            coords.append(np.arange(block.size))
            dirs.append([])
            continue
        chosen = rng.choice(block.size, size=samples, replace=False)
        top = int(np.argmax(np.abs(g)))  # the best signal-to-noise entry of the block
        if top not in chosen:
            chosen[-1] = top
        coords.append(np.sort(chosen))
        vs = []
        norm = float(np.linalg.norm(g))
        if norm > 0:
            vs.append(g / norm)
        for _ in range(directions):
            v = rng.standard_normal(block.size)
            vs.append(v / np.linalg.norm(v))
        dirs.append(vs)
    return _Plan(coords, dirs)


def _measure(ev: _Evaluator, plan: _Plan, epsilon: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Two-sided numerical partials at the plan's coordinates and along its directions."""
    partials, directional = [], []
    for b, idx in enumerate(plan.coords):
        values = np.empty(idx.size)
        for k, j in enumerate(idx):
            values[k] = (ev.at_coordinate(b, int(j), epsilon) - ev.at_coordinate(b, int(j), -epsilon)) / (2 * epsilon)
        partials.append(values)
        dvals = [(ev.along(b, v, epsilon) - ev.along(b, v, -epsilon)) / (2 * epsilon) for v in plan.directions[b]]
        directional.append(np.array(dvals, dtype=np.float64))
    return partials, directional


def _analytic_parts(analytic: np.ndarray, blocks: list[_Block], plan: _Plan):
    partials, directional = [], []
    for b, block in enumerate(blocks):
        g = analytic[block.start:block.start + block.size]
        partials.append(g[plan.coords[b]])
        directional.append(np.array([float(g @ v) for v in plan.directions[b]], dtype=np.float64))
    return partials, directional


def _global_difference(a_parts, n_parts) -> float:
    a = np.concatenate([np.concatenate([p, d]) for p, d in zip(*a_parts, strict=True)])
    n = np.concatenate([np.concatenate([p, d]) for p, d in zip(*n_parts, strict=True)])
    return _relative_difference(a, n)


def _run(ev: _Evaluator, analytic: np.ndarray, blocks: list[_Block], *, epsilon: float, mode: str,
         samples: int, directions: int, seed, threshold: float, n_worst: int, context: dict):
    """Measure, then assemble the report (hints from ``context``)."""
    t0 = time.perf_counter()
    plan = _make_plan(blocks, analytic, mode, samples, directions, make_rng(seed))
    a_parts = _analytic_parts(analytic, blocks, plan)
    n_parts = _measure(ev, plan, epsilon)
    difference = _global_difference(a_parts, n_parts)

    results, entries = [], []
    for b, block in enumerate(blocks):
        a_p, a_d = a_parts[0][b], a_parts[1][b]
        n_p, n_d = n_parts[0][b], n_parts[1][b]
        results.append(BlockResult(
            name=block.name, shape=tuple(block.shape),
            difference=_relative_difference(np.concatenate([a_p, a_d]), np.concatenate([n_p, n_d])),
            coordinates=int(a_p.size), directions=int(a_d.size),
            analytic_norm=float(np.linalg.norm(a_p)), numeric_norm=float(np.linalg.norm(n_p)),
        ))
        if n_worst:
            gaps = np.abs(a_p - n_p)
            for k in np.argsort(-gaps, kind="stable")[:n_worst]:
                j = int(plan.coords[b][k])
                index = tuple(int(i) for i in np.unravel_index(j, block.shape)) if block.shape else (j,)
                entries.append(Entry(block.name, index, float(a_p[k]), float(n_p[k])))
    entries.sort(key=lambda e: -e.difference if math.isfinite(e.difference) else -math.inf)

    hints = list(context.get("hints", []))
    hints += _pattern_hints(blocks, results, analytic, plan, n_parts, context)

    def remeasure(eps: float) -> tuple[float, int]:
        before = ev.evaluations
        difference = _global_difference(a_parts, _measure(ev, plan, eps))
        return difference, ev.evaluations - before

    return GradCheckReport(
        difference=difference, threshold=threshold, epsilon=epsilon, mode=mode,
        evaluations=ev.evaluations, n_params=int(analytic.size), blocks=results,
        worst=entries[:n_worst], hints=hints, notes=list(context.get("notes", [])),
        seconds=time.perf_counter() - t0 + context.get("seconds", 0.0), _remeasure=remeasure,
    )


# ---------------------------------------------------------------------------------- hints
def _describe_factor(k: float, m: int | None) -> str:
    """Words for a constant ratio analytic / numeric."""
    def near(x, target):
        return abs(x - target) <= 0.01 * abs(target)

    if near(k, -1.0):
        return "the sign is flipped (factor -1): the gradient points uphill — A - Y written as Y - A?"
    if m is not None and m > 2 and near(k, float(m)):
        return f"off by a factor {k:.4g} = m: the 1/m is missing (dW = dZ A_prev^T / m, db = sum(dZ) / m)"
    if m is not None and m > 2 and near(k, 1.0 / m):
        return f"off by a factor {k:.4g} = 1/m: an extra 1/m (dZ[L] = A[L] - Y carries no 1/m here)"
    if near(k, 2.0):
        return ("off by a factor 2.0 — a missing 1/2 (J = 1/(2m) sum (a - y)^2 has derivative (a - y)/m) "
                "or a term counted twice?")
    if near(k, 0.5):
        return "off by a factor 0.5 — an extra 1/2, or half of a term left out?"
    return f"off by a factor {k:.4g} (analytic ≈ {k:.4g} × numeric) — a missing or extra 1/m or 1/2, or a wrong scale?"


def _pattern_hints(blocks, results, analytic, plan, n_parts, context) -> list[str]:
    hints: list[str] = []
    m = context.get("m")
    l2_terms: dict = context.get("l2_terms", {})  # name -> (l2/m) W flattened
    factors: dict[str, float] = {}
    explained: set[str] = set()
    bad = [r.name for r in results if r.difference > _BAD]
    for b, (block, result) in enumerate(zip(blocks, results, strict=True)):
        if result.difference <= _BAD:
            continue
        g = analytic[block.start:block.start + block.size]
        idx = plan.coords[b]
        a, n = g[idx], n_parts[0][b]
        if a.size == 0:
            continue
        r = a - n
        name = block.name
        scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(n)))
        if float(np.linalg.norm(a)) == 0.0 and float(np.linalg.norm(n)) > 0.0:
            hints.append(f"d{name} is zero at every checked entry but the numerical gradient is not: is d{name} "
                         "ever written (or is this layer skipped in backprop)?")
            explained.add(name)
            continue
        if float(np.linalg.norm(n)) <= 1e-12 * max(1.0, scale) and float(np.linalg.norm(a)) > 0.0:
            hints.append(f"the cost does not change with {name} (numeric derivative 0) but d{name} is non-zero: "
                         f"is {name} used in the forward pass, or is the gradient written to the wrong block?")
            explained.add(name)
            continue
        if name in l2_terms:
            w = l2_terms[name][idx]
            ww = float(w @ w)
            if ww > 0:
                c = float(r @ w) / ww
                fit = float(np.linalg.norm(r - c * w)) / float(np.linalg.norm(r))
                if fit < 0.05 and abs(c) > 0.05:
                    if abs(c + 1) < 0.05:
                        hints.append(f"d{name} - numeric ≈ -(l2/m)·{name}: the L2 term (l2/m)·{name} is missing from "
                                     f"backprop for d{name} (dW = dZ A_prev^T / m + (l2/m) W)")
                    elif abs(c - 1) < 0.05:
                        hints.append(f"d{name} - numeric ≈ +(l2/m)·{name}: the L2 term is added twice to d{name}")
                    else:
                        hints.append(f"d{name} carries {1 + c:.4g}·(l2/m)·{name} instead of (l2/m)·{name}: check the "
                                     "L2 factor (l2/m, not l2/(2m) or l2)")
                    explained.add(name)
                    continue
        nn = float(n @ n)
        if nn > 0:
            k = float(a @ n) / nn
            fit = float(np.linalg.norm(a - k * n)) / max(float(np.linalg.norm(a)), 1e-300)
            if fit < 0.01 and abs(k - 1) > 1e-3:
                factors[name] = k
                explained.add(name)
                continue
        if len(block.shape) == 2 and block.shape[0] > 1 and block.shape[1] > 1:
            rows, cols = block.shape
            transposed = g.reshape(cols, rows).T.reshape(-1)[idx]
            if _relative_difference(transposed, n) < 1e-4:
                how = ("its transpose" if rows == cols else
                       f"it read as ({cols}, {rows}) and transposed")
                hints.append(f"d{name} looks transposed: {how} matches the numerical gradient (dW = dZ · A_prev^T "
                             f"has the shape of W, {block.shape})")
                explained.add(name)
    if factors:
        values = list(factors.values())
        if len(factors) == len(blocks) and max(values) - min(values) <= 0.01 * max(abs(v) for v in values):
            k = float(np.mean(values))
            hints.insert(0, f"every block is {_describe_factor(k, m)}")
        else:
            for name, k in factors.items():
                hints.append(f"d{name} is {_describe_factor(k, m)}")
    hints += _layer_pattern_hint(blocks, bad, explained, context)
    return hints


def _layer_pattern_hint(blocks, bad, explained, context) -> list[str]:
    """Network only: layers 1..l wrong and l+1..L right -> the error enters at layer l's backward."""
    L = context.get("L")
    if not L or not bad or set(bad) <= explained:
        return []
    wrong = {l for l in range(1, L + 1) if f"W{l}" in bad or f"b{l}" in bad}
    top = max(wrong)
    activations = context.get("activations", [])
    if wrong == set(range(1, top + 1)):
        if top == L and L > 1:
            return ["every layer disagrees: the error starts at the output — check dZ[L] = A[L] - Y and the cost "
                    "(or a factor shared by all layers)"]
        if top < L:
            act = activations[top - 1] if len(activations) >= top else "g"
            below = f" and everything below it (layers 1..{top})" if top > 1 else ""
            return [f"layer {top}{below} disagrees while layers {top + 1}..{L} agree: the error enters in layer "
                    f"{top}'s backward — check dZ[{top}] = dA[{top}] * g'(Z[{top}]) (the derivative of {act})"
                    f"{' or dA[l-1] = W[l]^T dZ[l]' if top > 1 else ''}"]
    return []


def _small_block_hint(results, context) -> list[str]:
    """A block can be badly wrong while the overall difference passes, if its gradient is small."""
    threshold = context.get("threshold", 1e-7)
    overall = context.get("overall")
    if overall is None or overall > threshold:
        return []
    flagged = [r for r in results if r.difference > 1e-3]
    return [f"{r.name} alone has difference {r.difference:.2e} but its gradient is small "
            f"(‖d{r.name}‖ ≈ {r.analytic_norm:.1e}), so it barely moves the overall difference: if that is above "
            "rounding noise, look at it" for r in flagged]


def _sweep_hint(sweep: dict[float, float]) -> str:
    eps = list(sweep)
    diffs = np.array([sweep[e] for e in eps])
    finite = np.isfinite(diffs)
    if not finite.any():
        return "epsilon sweep: the difference is not finite at any ε — the cost or the gradient is NaN/inf"
    best_i = int(np.nanargmin(np.where(finite, diffs, np.nan)))
    best, worst = float(diffs[best_i]), float(np.nanmax(np.where(finite, diffs, np.nan)))
    span = f"from ε = {eps[0]:g} to {eps[-1]:g}"
    if best > _BAD and worst <= 10 * best:
        return (f"epsilon sweep: the difference stays near {best:.1e} {span} — it does not shrink with ε, so it is a "
                "real error in the gradient, not finite-difference noise")
    if best <= _BAD:
        return (f"epsilon sweep: the difference falls to {best:.1e} at ε = {eps[best_i]:g} — what moves with ε is "
                "finite-difference error (truncation, falling like ε² as ε shrinks; rounding, growing like 1/ε), "
                "not a bug")
    return (f"epsilon sweep: the difference moves with ε but never falls below {best:.1e}: likely a bug "
            "(or a kink such as ReLU at 0 inside the ε step)")


# ---------------------------------------------------------------------------------- arguments
def _check_common(epsilon, mode, threshold, samples, directions, worst):
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


def _resolve_mode(mode: str, n: int) -> str:
    if mode == "auto":
        return "exact" if n <= AUTO_EXACT_LIMIT else "fast"
    return mode


def _blocks_from_names(names, size: int) -> list[_Block]:
    if names is None:
        return [_Block("theta", (size,), 0, size)]
    items = list(names.items()) if isinstance(names, Mapping) else list(names)
    blocks, start = [], 0
    for item in items:
        try:
            name, shape = item
            shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)
        except (TypeError, ValueError) as exc:
            raise HyperparameterError(
                f"names must be a list of (name, shape) pairs or a dict name -> shape, got item {item!r}"
            ) from exc
        n = int(np.prod(shape))
        blocks.append(_Block(str(name), shape, start, n))
        start += n
    if start != size:
        raise ShapeError(
            f"names describe {start} values ({', '.join(f'{b.name} {b.shape}' for b in blocks)}) but theta has "
            f"{size}; the blocks must partition theta in order"
        )
    return blocks


# ---------------------------------------------------------------------------------- any function
def check_gradients(cost_fn: Callable, grad_fn: Callable, theta, epsilon: float = 1e-7, names=None, *,
                    mode: str = "exact", threshold: float = 1e-7, samples: int = 8, directions: int = 2,
                    worst: int = 5, sweep: bool = False, seed=0) -> GradCheckReport:
    """Compare grad_fn with two-sided differences of cost_fn at θ: a GradCheckReport.

    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε);  difference = ‖dθ_approx − dθ‖ / (‖dθ_approx‖ + ‖dθ‖)

    ``cost_fn(theta) -> float`` and ``grad_fn(theta) -> array`` take a float64 array shaped like
    ``theta``; ``names`` (list of (name, shape), or dict name -> shape) partitions θ in order into
    blocks, reported separately. ``mode``: "exact" (every coordinate), "fast" (samples per block plus
    directional derivatives, see the module docstring) or "auto" (exact up to AUTO_EXACT_LIMIT
    values). ``seed`` draws the fast mode's coordinates and directions.
    """
    t0 = time.perf_counter()
    epsilon, mode, threshold, samples, directions, worst = _check_common(
        epsilon, mode, threshold, samples, directions, worst)
    work = np.array(theta, dtype=np.float64)
    if not np.all(np.isfinite(work)):
        raise NonFiniteError("theta holds NaN or infinite values; gradients are checked at a finite point")
    blocks = _blocks_from_names(names, work.size)
    analytic = np.array(grad_fn(work.copy()), dtype=np.float64)
    if analytic.size != work.size:
        raise ShapeError(
            f"grad_fn returned {analytic.size} values (shape {analytic.shape}) but theta has {work.size} "
            f"(shape {work.shape}); the gradient has one entry per parameter"
        )
    analytic = analytic.reshape(-1)
    flat = work.reshape(-1)
    ev = _Evaluator(lambda: cost_fn(work), [flat[b.start:b.start + b.size] for b in blocks])
    J0 = ev()
    if not math.isfinite(J0):
        raise NonFiniteError(f"cost_fn(theta) = {J0}; gradients are checked where the cost is finite")
    J_again = ev()  # a cost that changes at the same θ makes every difference below meaningless
    mode = _resolve_mode(mode, work.size)
    context = {"threshold": threshold, "seconds": time.perf_counter() - t0}
    report = _run(ev, analytic, blocks, epsilon=epsilon, mode=mode, samples=samples, directions=directions,
                  seed=seed, threshold=threshold, n_worst=worst, context=context)
    if J_again != J0:
        report.hints.insert(0, f"cost_fn is not deterministic: two calls at the same theta gave {J0:.12g} and "
                               f"{J_again:.12g} (fresh dropout masks? a random mini-batch?); make it deterministic "
                               "first, the differences below mean nothing until then")
    _finish_small_block_hint(report, context)
    if sweep:
        report.sweep()
    return report


def _finish_small_block_hint(report, context) -> None:
    """The small-block hint needs the overall difference, known only after the run."""
    context["overall"] = report.difference
    report.hints += _small_block_hint(report.blocks, context)


# ---------------------------------------------------------------------------------- networks
def _private_copy(net: Network, dtype="float64") -> Network:
    """An independent copy of ``net`` in ``dtype``, of the same class, sharing no array with it.

    ``Network.copy`` rebuilds through ``type(net).from_config``, which breaks (or silently drops
    state) for a subclass whose ``__init__`` takes other arguments; such a subclass is deep-copied
    and its flat buffers rebuilt (a deep copy does not keep W1, b1, ... as views of θ).
    """
    if type(net) is Network or type(net).copy is not Network.copy:
        return net.copy(dtype=dtype)
    theta = to_host(net.parameters_to_vector())
    clone = _copy.deepcopy(net)
    clone.dtype = resolve_dtype(dtype)
    clone._build()
    clone.vector_to_parameters(theta.astype(clone.dtype))
    return clone


def _flat_views(net: Network) -> list[np.ndarray]:
    views = []
    for name, array in net.params.items():
        flat = array.reshape(-1)
        if not np.shares_memory(flat, array):
            raise ShapeError(f"{name} is not a contiguous live array; gradient_check perturbs parameters in place")
        views.append(flat)
    return views


def _kink_note(net: Network, epsilon: float) -> str | None:
    """ReLU-type layers whose Z lies within a step of the kink at 0 (from the last forward pass)."""
    parts = []
    tol = 1e3 * epsilon
    for l, layer in enumerate(net.layers, start=1):
        if layer.activation.name not in ("relu", "leaky_relu") or layer.cache is None:
            continue
        Z = np.asarray(to_host(layer.cache[1]))
        exact = int((Z == 0).sum())
        near = int((np.abs(Z) < tol).sum())
        if near:
            parts.append(f"layer {l}: {near} of {Z.size} values of Z within {tol:.0e} of 0"
                         + (f" ({exact} exactly 0)" if exact else ""))
    if not parts:
        return None
    return ("ReLU kinks: " + "; ".join(parts) + ". A step of ε across the kink makes those entries disagree without "
            "a bug; give the biases non-zero values or use other examples")


def gradient_check(net: Network, X, Y, epsilon: float = 1e-7, *, dropout: str = "off", mode: str = "auto",
                   threshold: float = 1e-7, samples: int = 8, directions: int = 2, worst: int = 5,
                   sweep: bool = False, seed=0) -> GradCheckReport:
    """Check net's backprop against two-sided differences of its cost: a GradCheckReport.

    θ = [W1, b1, W2, ...] flattened; dθ from ``net.cost_and_gradients(X, Y, training=False)``;
    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε) with J = ``net.cost(X, Y)`` (L2 included);
    difference = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂). X (n_x, m), Y (n_y, m): a few
    examples are enough (m = 8..64).

    Runs on a float64 copy of ``net`` (the same class, so an overridden ``cost`` or
    ``cost_and_gradients`` is what gets checked); ``net`` itself is never changed.
    ``dropout="off"`` (default) checks the network without dropout, as the notes advise;
    ``dropout="fixed"`` draws one set of masks and checks the dropped network with them fixed
    (both sides from ``cost_and_gradients(training=True)`` inside ``fixed_dropout_masks()``).
    ``mode``: "exact" (every parameter, 2 evaluations each), "fast" (per block: ``samples``
    coordinates, the direction of the block's gradient and ``directions`` random directions) or
    "auto" (exact up to AUTO_EXACT_LIMIT = 20 000 parameters). ``sweep=True`` adds the difference
    for ε = 1e-3 .. 1e-8 and reads it (a bug does not shrink with ε).
    """
    t0 = time.perf_counter()
    if not isinstance(net, Network):
        raise HyperparameterError(
            f"net must be a glassnet Network (or a subclass), got {type(net).__name__}; for any other function "
            "use check_gradients(cost_fn, grad_fn, theta)"
        )
    epsilon, mode, threshold, samples, directions, worst = _check_common(
        epsilon, mode, threshold, samples, directions, worst)
    if dropout not in ("off", "fixed"):
        raise unknown_name("dropout", dropout, ["off", "fixed"])

    clone = _private_copy(net, "float64")
    Xc = clone.check_X(X)  # validates X and Y here, so errors name them before any work
    m = int(Xc.shape[1])
    if m == 0:
        raise ShapeError("X has no examples (shape (n_x, 0)); pass at least one column")
    Yc = clone.check_Y(Y, m)

    notes = [f"checked on a float64 copy of the network ({type(net).__name__}, {net.dtype.name}); the network "
             "itself was not changed"]
    hints: list[str] = []
    dropping = [i for i, p in enumerate(clone.keep_prob) if p < 1.0]
    if dropout == "off" and dropping:
        notes.append(f"dropout turned off for the check (keep_prob = {clone.keep_prob}): the notes check "
                     "gradients without dropout, then turn it on; dropout='fixed' checks the dropped network "
                     "with one fixed set of masks")
    if dropout == "fixed" and not dropping:
        notes.append("dropout='fixed' but every keep_prob is 1: nothing is dropped, the check is the plain one")
    if m > 256:
        notes.append(f"m = {m} examples: a gradient check needs only a few (X[:, :32] is as good and much faster)")

    fixed = dropout == "fixed" and bool(dropping)
    with contextlib.ExitStack() as stack:
        if fixed:
            J_a, grads = clone.cost_and_gradients(X, Y, training=True, reuse_masks=False)  # draws the masks
            stack.enter_context(clone.fixed_dropout_masks())

            def cost() -> float:
                return clone.cost_and_gradients(X, Y, training=True)[0]

            notes.append("dropout on with fixed masks: one set drawn from the copy's generator and kept for "
                         "every evaluation")
        else:
            J_a, grads = clone.cost_and_gradients(X, Y, training=False)

            if type(clone).cost is Network.cost:
                # X and Y were validated above: the 2n evaluations skip checking them again.
                def cost() -> float:
                    return clone._cost_checked(Xc, Yc)
            else:  # a subclass's own cost is what the check must use
                def cost() -> float:
                    return clone.cost(X, Y)

        kink = _kink_note(clone, epsilon)
        shapes = clone.parameter_shapes()
        blocks, parts, start = [], [], 0
        for name, shape in shapes.items():
            key = "d" + name
            if key not in grads:
                raise ShapeError(f"cost_and_gradients returned no {key!r} (it returned {', '.join(grads)}); "
                                 f"it must return one gradient per parameter, named d{name}")
            g = np.asarray(to_host(grads[key]), dtype=np.float64)
            size = int(np.prod(shape))
            if g.size != size:
                raise ShapeError(f"{key} has shape {g.shape} but {name} has shape {shape}; the gradient of a "
                                 "parameter has the parameter's shape")
            if g.shape != tuple(shape):
                hints.append(f"{key} has shape {g.shape} but {name} has shape {tuple(shape)} (dW = dZ · A_prev^T "
                             f"is (n[l], n[l-1])); it was compared entry by entry in row-major order")
            blocks.append(_Block(name, tuple(shape), start, size))
            parts.append(g.reshape(-1))
            start += size
        analytic = np.concatenate(parts)

        ev = _Evaluator(cost, _flat_views(clone))
        J0 = ev()
        if not math.isfinite(J0):
            raise NonFiniteError(f"the cost at the network's parameters is {J0}; gradients are checked where the "
                                 "cost is finite (lower the learning rate or re-initialize)")
        if abs(J0 - J_a) > 1e-10 * max(1.0, abs(J_a)):
            if fixed:
                hints.append(f"the cost changed between two calls at the same parameters (J = {J_a:.12g}, then "
                             f"{J0:.12g}): the dropout masks are not fixed — does cost_and_gradients honour "
                             "fixed_dropout_masks() / reuse_masks?")
            else:
                hints.append(f"cost(X, Y) = {J0:.12g} but cost_and_gradients(training=False) returned "
                             f"J = {J_a:.12g}: they should be the same function (the gradient is checked against "
                             "cost)")

        l2_terms = {}
        if clone.l2:
            for b, block in enumerate(blocks):
                if block.name.startswith("W"):
                    l2_terms[block.name] = (clone.l2 / m) * ev.theta0[b]
        mode_used = _resolve_mode(mode, analytic.size)
        context = {
            "hints": hints, "notes": notes, "m": m, "L": clone.L, "l2_terms": l2_terms,
            "activations": [a.name for a in clone.activations], "threshold": threshold,
            "seconds": time.perf_counter() - t0,
        }
        report = _run(ev, analytic, blocks, epsilon=epsilon, mode=mode_used, samples=samples,
                      directions=directions, seed=seed, threshold=threshold, n_worst=worst, context=context)
        _finish_small_block_hint(report, context)
        if kink and not report.passed:
            report.hints.append(kink)
        if mode_used == "fast":
            why = ("mode='fast'" if mode == "fast"
                   else f"mode='auto' and {analytic.size:,} > {AUTO_EXACT_LIMIT:,} parameters")
            report.notes.append(
                f"fast mode ({why}): per block "
                f"{samples} coordinates (the largest analytic entry among them), the direction of the block's "
                f"gradient and {directions} random direction(s), seed {seed!r}; mode='exact' checks every parameter"
            )
        if sweep:
            report.sweep()
    # keep the fixed-mask context alive for report.sweep() later: re-enter it around each re-measure
    if fixed:
        measure = report._remeasure

        def remeasure(eps: float) -> tuple[float, int]:
            with clone.fixed_dropout_masks():
                return measure(eps)

        report._remeasure = remeasure
    return report
