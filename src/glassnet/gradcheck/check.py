"""The notes' gradient check (梯度检验, gradient checking), as an algorithm on any cost function.

Two-sided difference (梯度的数值逼近, the notes' choice):
    f'(θ) ≈ (f(θ + ε) − f(θ − ε)) / (2ε)       error O(ε²)     (one-sided (f(θ + ε) − f(θ)) / ε: O(ε))

The check: θ = [W1, b1, W2, b2, ...] flattened, dθ the gradient from backprop, and for every i

    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε)
    difference   = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)       (0 when both are 0)

read on the notes' scale (``verdict_for``): ≤ 1e-7 correct, ≤ 1e-5 look closer, ≤ 1e-3
suspicious, above that likely a bug. The same difference per block (W1, b1, ...) says which
parameter is wrong. Beside this file: ``fast`` (sampled coordinates and directional derivatives
for large networks), ``hints`` (the patterns a wrong gradient leaves), ``report`` (the result and
its ε sweep), ``network_check`` (the notes' rules for a network: L2 included, dropout off).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..errors import NonFiniteError
from ..validation import check_number
from .fast import Block, Plan

__all__ = ["VERDICT_SCALE", "Evaluator", "analytic_parts", "block_differences", "joined", "measure",
           "numerical_derivative", "relative_difference", "verdict_for"]

VERDICT_SCALE = ((1e-7, "correct"), (1e-5, "look closer"), (1e-3, "suspicious"))
"""The notes' reading of a difference: at most 1e-7 correct, 1e-5 look closer, 1e-3 suspicious."""


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


def verdict_for(difference: float) -> str:
    """The notes' word for a difference: "correct", "look closer", "suspicious" or "likely a bug"."""
    if not math.isfinite(difference):
        return "likely a bug"
    for limit, word in VERDICT_SCALE:
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


def measure(ev: Evaluator, plan: Plan, epsilon: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """dθ_approx: two-sided differences at the plan's coordinates (and along its directions)."""
    partials, directional = [], []
    for b, idx in enumerate(plan.coords):
        values = np.empty(idx.size)
        for k, j in enumerate(idx):
            values[k] = (ev.at_coordinate(b, int(j), epsilon) - ev.at_coordinate(b, int(j), -epsilon)) / (2 * epsilon)
        partials.append(values)
        dvals = [(ev.along(b, v, epsilon) - ev.along(b, v, -epsilon)) / (2 * epsilon) for v in plan.directions[b]]
        directional.append(np.array(dvals, dtype=np.float64))
    return partials, directional


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


def block_differences(a_parts, n_parts) -> list[float]:
    """The notes' difference within each block (W1, b1, ...): which parameter is wrong."""
    return [relative_difference(np.concatenate([a_p, a_d]), np.concatenate([n_p, n_d]))
            for a_p, a_d, n_p, n_d in zip(*a_parts, *n_parts, strict=True)]
