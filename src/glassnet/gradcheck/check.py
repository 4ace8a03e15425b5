"""The notes' gradient check (梯度检验, gradient checking), as an algorithm on any cost function.

Two-sided difference (梯度的数值逼近, the notes' choice):
    f'(θ) ≈ (f(θ + ε) − f(θ − ε)) / (2ε)       error O(ε²)     (one-sided (f(θ + ε) − f(θ)) / ε: O(ε))

The check: θ = [W1, b1, W2, b2, ...] flattened, dθ the gradient from backprop, and for every i

    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε)
    difference   = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)       (0 when both are 0)

read on the notes' scale (``verdict_for``): ≤ 1e-7 correct, ≤ 1e-5 look closer, ≤ 1e-3
suspicious, above that likely a bug, except where finite differences cannot tell: a derivative
whose ±ε evaluations cross a ReLU kink is set aside (``kinks``), and a difference within the
noise floor of the two-sided difference (``floor``: rounding ≈ eps·|J|/ε plus truncation
ε²·|f'''|/6) is "at the noise floor", not a bug. The same difference per block (W1, b1, ...)
says which parameter is wrong. Beside this file: ``fast`` (sampled coordinates and directional
derivatives for large networks), ``hints`` (the patterns a wrong gradient leaves), ``report`` (the
result and its ε sweep), ``network_check`` (the notes' rules for a network: L2 included, dropout
off).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import NonFiniteError
from ..validation import check_number
from .fast import Block, Plan

__all__ = ["BUG_VERDICTS", "NOISE_FLOOR", "VERDICT_SCALE", "Evaluator", "Measurement", "analytic_parts", "joined",
           "measure", "norm", "numerical_derivative", "relative_difference", "verdict_for"]

VERDICT_SCALE = ((1e-7, "correct"), (1e-5, "look closer"), (1e-3, "suspicious"))
"""The notes' reading of a difference: at most 1e-7 correct, 1e-5 look closer, 1e-3 suspicious."""

NOISE_FLOOR = "at the noise floor"
"""The verdict of a difference above 1e-7 that rounding and truncation alone explain: not judged a bug."""

BUG_VERDICTS = ("suspicious", "likely a bug")
"""The verdicts that call a gradient wrong."""


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """The notes' difference ‖a − b‖₂ / (‖a‖₂ + ‖b‖₂), with 0/0 taken as 0.

    The ratio does not change when a and b are scaled together: both are divided by their largest
    entry first, so gradients of 1e200 do not overflow the squares inside the norms.
    """
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if scale == 0.0:
        return 0.0
    if math.isfinite(scale):
        a, b = a / scale, b / scale
    return float(np.linalg.norm(a - b)) / (float(np.linalg.norm(a)) + float(np.linalg.norm(b)))


def norm(v: np.ndarray) -> float:
    """‖v‖₂ without overflowing the squares: ‖v‖₂ = s ‖v / s‖₂ with s the largest |entry|."""
    s = float(np.max(np.abs(v), initial=0.0))
    return s * float(np.linalg.norm(v / s)) if 0.0 < s < math.inf else s


def verdict_for(difference: float, floor: float = 0.0) -> str:
    """The notes' word for a difference, or "at the noise floor" when finite differences cannot resolve it.

    ≤ 1e-7 "correct"; else ≤ ``floor`` (the difference that rounding and truncation alone give
    this gradient, see ``floor``) "at the noise floor"; else ≤ 1e-5 "look closer", ≤ 1e-3
    "suspicious", above "likely a bug".
    """
    if not math.isfinite(difference):
        return "likely a bug"
    if difference <= VERDICT_SCALE[0][0]:
        return VERDICT_SCALE[0][1]
    if difference <= floor:
        return NOISE_FLOOR
    for limit, word in VERDICT_SCALE[1:]:
        if difference <= limit:
            return word
    return "likely a bug"


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
            grad[i] = (plus - float(f(work))) / (2 * epsilon)  # the notes' two-sided difference
        else:
            grad[i] = (plus - f0) / epsilon
        flat[i] = old
    return grad.reshape(work.shape)


class Evaluator:
    """J at θ0 + h e_j (one coordinate of one block), θ0 + h v (v inside one block) or θ0 + h v (v over all).

    ``views`` are writable flat views of each block; every call restores θ0 exactly. The first call
    must be at θ0: it is kept as ``J0``, and an optional ``watch`` (a ``kinks.KinkWatch``) takes
    its base there; after each later call ``crossed`` says whether a ReLU kink was crossed.
    """

    def __init__(self, cost: Callable[[], float], views: list[np.ndarray], watch=None):
        self.cost = cost
        self.views = views
        self.theta0 = [v.copy() for v in views]
        self.evaluations = 0
        self.watch = watch
        self.J0: float | None = None
        self.crossed = None

    def __call__(self) -> float:
        self.evaluations += 1
        J = float(self.cost())
        if self.J0 is None:
            self.J0 = J
            if self.watch:
                self.watch.set_base()
        elif self.watch:
            self.crossed = self.watch.crossing()
        return J

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

    def shifted(self, vs: list[np.ndarray], h: float) -> float:
        """J(θ0 + h v) for v given block by block (a direction in the whole of θ)."""
        for view, base, v in zip(self.views, self.theta0, vs, strict=True):
            np.add(base, h * v, out=view)
        try:
            return self()
        finally:
            for view, base in zip(self.views, self.theta0, strict=True):
                view[...] = base


@dataclass
class Measurement:
    """dθ_approx per block (partials at the plan's coordinates, then along its directions), and what was set aside.

    ``aside``: (block, "coordinate" or "direction", position, reason) for every derivative whose
    ±ε evaluations crossed a kink: measured, but not judged.
    """

    partials: list[np.ndarray]
    directional: list[np.ndarray]
    aside: list[tuple[int, str, int, str]] = field(default_factory=list)

    def masks(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per block, True for the derivatives that are judged (partials, directions)."""
        keep_p = [np.ones(p.size, dtype=bool) for p in self.partials]
        keep_d = [np.ones(d.size, dtype=bool) for d in self.directional]
        for b, kind, k, _ in self.aside:
            (keep_p if kind == "coordinate" else keep_d)[b][k] = False
        return keep_p, keep_d


def _two_sided(ev: Evaluator, at: Callable[[float], float], epsilon: float, where: str) -> tuple[float, str | None]:
    """(J(θ + ε·) − J(θ − ε·)) / (2ε), and why it is set aside (a kink crossed on either side) or None."""
    plus = at(epsilon)
    why = None if ev.crossed is None else ev.crossed.describe(f"θ + ε{where}")
    minus = at(-epsilon)
    if why is None and ev.crossed is not None:
        why = ev.crossed.describe(f"θ − ε{where}")
    return (plus - minus) / (2 * epsilon), why


def measure(ev: Evaluator, plan: Plan, epsilon: float) -> Measurement:
    """dθ_approx: two-sided differences at the plan's coordinates (and along its directions).

    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε); a derivative whose evaluations cross a
    ReLU kink (``ev.watch``) is kept in ``aside`` with its reason.
    """
    partials, directional, aside = [], [], []
    for b, idx in enumerate(plan.coords):
        values = np.empty(idx.size)
        for k, j in enumerate(idx):
            j = int(j)
            values[k], why = _two_sided(ev, lambda h, b=b, j=j: ev.at_coordinate(b, j, h), epsilon, "·e_i")
            if why:
                aside.append((b, "coordinate", k, why))
        partials.append(values)
        dvals = np.empty(len(plan.directions[b]))
        for k, v in enumerate(plan.directions[b]):
            dvals[k], why = _two_sided(ev, lambda h, b=b, v=v: ev.along(b, v, h), epsilon, "·v")
            if why:
                aside.append((b, "direction", k, why))
        directional.append(dvals)
    return Measurement(partials, directional, aside)


def analytic_parts(analytic: np.ndarray, blocks: list[Block], plan: Plan):
    """dθ at the same coordinates (and its projections on the same directions)."""
    partials, directional = [], []
    for b, block in enumerate(blocks):
        g = analytic[block.start:block.start + block.size]
        partials.append(g[plan.coords[b]])
        directional.append(np.array([float(g @ v) for v in plan.directions[b]], dtype=np.float64))
    return partials, directional


def joined(parts) -> np.ndarray:
    """All checked derivatives of all blocks as one vector (partials, then directions, block by block)."""
    return np.concatenate([np.concatenate([p, d]) for p, d in zip(*parts, strict=True)])
