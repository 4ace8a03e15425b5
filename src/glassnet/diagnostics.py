"""Per-layer statistics of a network on a batch: activations, saturation, dead units, gradients.

The notes' vanishing and exploding gradients (梯度消失与梯度爆炸): with W[l] = 1.5·I in a deep
linear network A[l] = 1.5^l X grows exponentially with depth, with 0.5·I it shrinks; the
gradients do the same on the way back. ``diagnose`` measures both on a batch and names it:

* activation scale: RMS(A[l]) = sqrt(mean of A[l]^2) for every hidden layer; the growth over the
  hidden layers is F_A = RMS(A[L-1]) / RMS(A[1])  (needs two hidden layers, L >= 3)
* gradient scale: ‖dZ[l]‖ (Frobenius), the backprop signal dZ = ∂J/∂Z, from dZ[L] = (A[L] - Y)/m
  when Y is given, else from a fixed random signal at the output; the growth from the last
  layer back to the first is F_G = ‖dZ[1]‖ / ‖dZ[L]‖  (needs L >= 2)

Rule: "exploding" if F_A > 10 or F_G > 10 (or a statistic is not finite), "vanishing" if
F_A < 0.1 or F_G < 0.1, "healthy" otherwise; when both fire, the larger deviation (in orders of
magnitude) names it. Each is also shown per layer, F^(1/steps), e.g. 1.5 for W = 1.5·I.
(RMS per unit is what fan-in initializations such as He keep constant going forward; the norm
of dZ is what they keep constant going back, whatever the layer widths.)

Also per layer: saturated units (sigmoid: a < 0.01 or a > 0.99; tanh: |a| > 0.99; the fraction
of all entries of A[l]) and dead ReLUs (units whose Z <= 0 for every example of the batch).

Everything is computed by the engine's own forward and backward passes (one truth: the code that
trains is the code that is diagnosed), on a copy of the network: its caches, gradient buffers,
dropout masks and random state do not change. No dropout.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from .backend import blas_threads, make_rng, threads_for, xp
from .errors import HyperparameterError, ShapeError
from .network import Network
from .validation import check_int, check_number

__all__ = [
    "GROWTH_LIMIT", "SATURATION", "CostDecreaseResult", "Diagnosis", "LayerStatistics",
    "check_cost_decreases", "diagnose", "epoch_record", "layer_statistics",
]

GROWTH_LIMIT = 10.0
"""A growth factor F above this is exploding, below 1/GROWTH_LIMIT vanishing."""

SATURATION = {"sigmoid": 0.99, "tanh": 0.99}
"""Saturated: sigmoid a < 1 - 0.99 or a > 0.99; tanh |a| > 0.99."""

_WARN_FRACTION = 0.5  # dead or saturated fraction of a hidden layer worth a warning

RULE = (
    f"exploding if F_A = RMS(A[L-1])/RMS(A[1]) > {GROWTH_LIMIT:g} or F_G = ‖dZ[1]‖/‖dZ[L]‖ > {GROWTH_LIMIT:g}; "
    f"vanishing if either < {1 / GROWTH_LIMIT:g}; else healthy"
)


@dataclass
class LayerStatistics:
    """Statistics of layer l on a batch; ``None`` where they do not apply."""

    layer: int
    units: int
    activation: str
    mean_z: float
    std_z: float
    mean_a: float
    std_a: float
    rms_a: float  # sqrt(mean(A^2)): the activation scale
    saturated: float | None  # fraction of entries of A at the asymptotes (sigmoid, tanh)
    dead: float | None  # fraction of units with Z <= 0 for every example (relu)
    weight_norm: float  # ‖W[l]‖_F
    signal_norm: float | None  # ‖dZ[l]‖_F
    grad_norm: float | None  # ‖dW[l]‖_F (with Y only)
    grad_ratio: float | None  # ‖dW[l]‖ / ‖W[l]‖ (with Y only; None when W = 0)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Diagnosis:
    """``diagnose``'s result: per-layer statistics, the verdict and the reasons for it."""

    layers: list[LayerStatistics]
    verdict: str  # "vanishing", "exploding" or "healthy"
    reasons: list[str]
    activation_growth: float | None  # F_A
    gradient_growth: float | None  # F_G
    signal: str  # where dZ[L] came from
    warnings: list[str] = field(default_factory=list)
    rule: str = RULE

    @property
    def healthy(self) -> bool:
        return self.verdict == "healthy"

    def activation_ratios(self) -> list[float]:
        """RMS(A[l]) / RMS(A[l-1]) for l = 2..L: the layer-by-layer growth of the activations."""
        r = [s.rms_a for s in self.layers]
        return [b / a if a else math.inf for a, b in zip(r, r[1:], strict=False)]

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "reasons": list(self.reasons), "warnings": list(self.warnings),
                "activation_growth": self.activation_growth, "gradient_growth": self.gradient_growth,
                "signal": self.signal, "rule": self.rule, "layers": [s.to_dict() for s in self.layers]}

    def __str__(self) -> str:
        def num(x, fmt=".3g"):
            return "-" if x is None else format(x, fmt)

        def pct(x):
            return "-" if x is None else f"{100 * x:.0f}%"

        head = (f"{'layer':<6}{'units':>6}  {'activation':<11}{'mean Z':>9}{'std Z':>9}{'mean A':>9}{'std A':>9}"
                f"{'RMS A':>9}{'satur.':>8}{'dead':>6}{'‖dZ‖':>10}{'‖dW‖':>10}{'‖dW‖/‖W‖':>10}")
        lines = [f"diagnosis: {self.verdict.upper()}", head]
        for s in self.layers:
            lines.append(
                f"{s.layer:<6}{s.units:>6}  {s.activation:<11}{num(s.mean_z):>9}{num(s.std_z):>9}"
                f"{num(s.mean_a):>9}{num(s.std_a):>9}{num(s.rms_a):>9}{pct(s.saturated):>8}{pct(s.dead):>6}"
                f"{num(s.signal_norm, '.2e'):>10}{num(s.grad_norm, '.2e'):>10}{num(s.grad_ratio, '.2e'):>10}"
            )
        lines.append(f"activation growth F_A = {num(self.activation_growth)}, gradient growth F_G = "
                     f"{num(self.gradient_growth)} (dZ[L] from {self.signal})")
        lines += [f"  - {r}" for r in self.reasons]
        lines += [f"  ! {w}" for w in self.warnings]
        lines.append(f"rule: {self.rule}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------- the passes
def _passes(net: Network, X, Y, seed):
    """The engine's forward (no dropout) and backward passes on a copy of ``net``.

    Returns Zs, As (A[0] = X first), dZs (layer order, ∂J/∂Z with the cost's 1/m) and dWs (None
    without Y). Without Y, backprop starts from a fixed random signal dZ[L] (from ``seed``, scaled by
    1/m like the cost's). The copy keeps ``net``'s caches, gradients and generator untouched.
    """
    clone = net.copy()
    AL = clone._forward(X, training=False)
    if Y is not None:
        clone._backward(Y)
    else:
        signal = xp.asarray(make_rng(seed).standard_normal(AL.shape), dtype=AL.dtype)
        clone._backpropagate(signal / X.shape[1], X.shape[1])
    Zs = [layer.cache[1] for layer in clone.layers]
    As = [X] + [layer.cache[2] for layer in clone.layers]
    dZs = [layer.dZ for layer in clone.layers]
    dWs = [layer.dW for layer in clone.layers] if Y is not None else None
    return Zs, As, dZs, dWs


def _f(x) -> float:
    return float(x)


def _statistics(net: Network, X, Y, seed) -> list[LayerStatistics]:
    with np.errstate(over="ignore", invalid="ignore"):
        Zs, As, dZs, dWs = _passes(net, X, Y, seed)
        stats = []
        for l, layer in enumerate(net.layers, start=1):
            Z, A = Zs[l - 1], As[l]
            name = layer.activation.name
            saturated = None
            if name == "sigmoid":
                hi = SATURATION["sigmoid"]
                saturated = _f(((A < 1 - hi) | (A > hi)).mean())
            elif name == "tanh":
                saturated = _f((xp.abs(A) > SATURATION["tanh"]).mean())
            dead = _f((Z <= 0).all(axis=1).mean()) if name == "relu" else None
            w_norm = _f(xp.linalg.norm(layer.W))
            g_norm = _f(xp.linalg.norm(dWs[l - 1])) if dWs is not None else None
            stats.append(LayerStatistics(
                layer=l, units=int(layer.W.shape[0]), activation=name,
                mean_z=_f(Z.mean()), std_z=_f(Z.std()), mean_a=_f(A.mean()), std_a=_f(A.std()),
                rms_a=_f(xp.sqrt((A * A).mean())), saturated=saturated, dead=dead, weight_norm=w_norm,
                signal_norm=_f(xp.linalg.norm(dZs[l - 1])), grad_norm=g_norm,
                grad_ratio=None if g_norm is None or w_norm == 0 else g_norm / w_norm,
            ))
    return stats


def _growth(first: float, last: float) -> float | None:
    if not (math.isfinite(first) and math.isfinite(last)):
        return math.inf
    if first == 0.0:
        return None if last == 0.0 else math.inf
    return last / first


def _verdict(stats: list[LayerStatistics]) -> tuple[str, list[str], float | None, float | None]:
    L = len(stats)
    reasons: list[str] = []
    f_a = f_g = None
    if L >= 3:
        f_a = _growth(stats[0].rms_a, stats[L - 2].rms_a)
    if L >= 2 and stats[0].signal_norm is not None:
        f_g = _growth(stats[L - 1].signal_norm, stats[0].signal_norm)

    def per_layer(f, steps):
        if f is None or f == 0 or not math.isfinite(f):
            return ""
        return f" (×{f ** (1 / steps):.3g} per layer)"

    scores = {}

    def judge(factor: float, text: str) -> None:
        """Beyond GROWTH_LIMIT either way is exploding / vanishing; the stronger factor decides."""
        state = "exploding" if factor > GROWTH_LIMIT else "vanishing" if factor < 1 / GROWTH_LIMIT else None
        if state is None:
            reasons.append(text)
            return
        scores[state] = max(scores.get(state, 0), _orders(factor))
        reasons.append(f"{text} — {state}")

    if f_a is not None:
        judge(f_a, f"activations: RMS(A) goes from {stats[0].rms_a:.3g} in layer 1 to {stats[L - 2].rms_a:.3g} "
                   f"in layer {L - 1}, F_A = {f_a:.3g}{per_layer(f_a, L - 2)}")
    if f_g is not None:
        judge(f_g, f"gradients: ‖dZ‖ goes from {stats[L - 1].signal_norm:.3g} in layer {L} back to "
                   f"{stats[0].signal_norm:.3g} in layer 1, F_G = {f_g:.3g}{per_layer(f_g, L - 1)}")
    finite = all(
        math.isfinite(v) for s in stats
        for v in (s.mean_z, s.std_z, s.rms_a, s.signal_norm if s.signal_norm is not None else 0.0)
    )
    if not finite:
        scores["exploding"] = math.inf
        reasons.append("some statistics are not finite (overflow): exploding")
    if not scores:
        return "healthy", reasons, f_a, f_g
    return max(scores, key=scores.get), reasons, f_a, f_g


def _orders(f: float) -> float:
    """How many orders of magnitude f is away from 1."""
    if f == 0 or not math.isfinite(f):
        return math.inf
    return abs(math.log10(f))


def _warnings(stats: list[LayerStatistics]) -> list[str]:
    out = []
    for s in stats[:-1]:  # hidden layers: a confident output layer is meant to saturate
        if s.dead is not None and s.dead >= _WARN_FRACTION:
            out.append(f"layer {s.layer}: {100 * s.dead:.0f}% of the ReLU units are dead (Z <= 0 for every example); "
                       "try He initialization, a smaller learning rate or leaky_relu")
        if s.saturated is not None and s.saturated >= _WARN_FRACTION:
            out.append(f"layer {s.layer}: {100 * s.saturated:.0f}% of the {s.activation} activations are saturated, "
                       "where g'(z) ≈ 0; try smaller weights (xavier) or normalized inputs")
    return out


def _prepare(net: Network, X, Y, prepared: bool):
    if not isinstance(net, Network):
        raise HyperparameterError(f"net must be a glassnet Network, got {type(net).__name__}")
    if prepared:
        Xc = xp.asarray(X, dtype=net.dtype)
        if Xc.ndim != 2 or Xc.shape[0] != net.layer_dims[0]:
            raise ShapeError(f"X_batch must have shape (n_x, m) = ({net.layer_dims[0]}, m), got {Xc.shape}")
    else:
        Xc = net.check_X(X)
    m = int(Xc.shape[1])
    if m == 0:
        raise ShapeError("X has no examples (shape (n_x, 0)); pass at least one column")
    Yc = None if Y is None else net.check_Y(Y, m)
    return Xc, Yc


# ---------------------------------------------------------------------------------- public
def layer_statistics(net: Network, X, Y=None, *, seed=0) -> list[LayerStatistics]:
    """Per-layer statistics of ``net`` on X (n_x, m) (and Y (n_y, m) for the gradients).

    mean/std of Z[l] and A[l], RMS(A[l]) = sqrt(mean A^2), saturated fraction, dead-ReLU fraction,
    ‖W[l]‖, ‖dZ[l]‖ and, with Y, ‖dW[l]‖ and ‖dW[l]‖/‖W[l]‖ (dW with the L2 term, no dropout).
    Without Y, dZ[L] is a fixed random signal drawn from ``seed``. The network is not changed.
    """
    Xc, Yc = _prepare(net, X, Y, prepared=False)
    with blas_threads(threads_for(net.layer_dims, Xc.shape[1])):
        return _statistics(net, Xc, Yc, seed)


def diagnose(net: Network, X, Y=None, *, seed=0) -> Diagnosis:
    """Name the state of ``net`` on a batch: "vanishing", "exploding" or "healthy" (the rule above).

    F_A = RMS(A[L-1]) / RMS(A[1]) and F_G = ‖dZ[1]‖ / ‖dZ[L]‖; beyond 10× either way is flagged.
    X (n_x, m) raw as for ``net.predict`` (the network's normalizer is applied); Y (n_y, m)
    optional: with it dZ[L] = A[L] - Y, without it a fixed random signal (``seed``).
    """
    Xc, Yc = _prepare(net, X, Y, prepared=False)
    with blas_threads(threads_for(net.layer_dims, Xc.shape[1])):
        stats = _statistics(net, Xc, Yc, seed)
    verdict, reasons, f_a, f_g = _verdict(stats)
    signal = "A[L] - Y" if Yc is not None else f"a random signal (seed {seed!r})"
    return Diagnosis(layers=stats, verdict=verdict, reasons=reasons, activation_growth=f_a,
                     gradient_growth=f_g, signal=signal, warnings=_warnings(stats))


def _json_float(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def epoch_record(net: Network, X_batch, Y_batch, *, prepared: bool = True) -> dict:
    """A compact per-layer record for ``History.diagnostics`` (one per epoch), JSON-serializable.

    {"grad_norm": [‖dW1‖, ...], "grad_ratio": [‖dW1‖/‖W1‖, ...], "weight_norm": [...],
     "signal_norm": [‖dZ1‖, ...], "activation_rms": [...], "dead_fraction": [... or None],
     "saturated_fraction": [... or None], "verdict": "healthy" | "vanishing" | "exploding"}
    Non-finite values become None. ``prepared=True`` (what ``fit`` passes): X_batch is already
    normalized and Y_batch already checked, as the training loop holds them; ``prepared=False``
    validates both and applies the network's normalizer. The network is not changed.
    """
    Xc, Yc = _prepare(net, X_batch, Y_batch, prepared=prepared)
    stats = _statistics(net, Xc, Yc, seed=0)
    verdict = _verdict(stats)[0]
    return {
        "grad_norm": [_json_float(s.grad_norm) for s in stats],
        "grad_ratio": [_json_float(s.grad_ratio) for s in stats],
        "weight_norm": [_json_float(s.weight_norm) for s in stats],
        "signal_norm": [_json_float(s.signal_norm) for s in stats],
        "activation_rms": [_json_float(s.rms_a) for s in stats],
        "dead_fraction": [_json_float(s.dead) for s in stats],
        "saturated_fraction": [_json_float(s.saturated) for s in stats],
        "verdict": verdict,
    }


# ---------------------------------------------------------------------------------- sanity run
@dataclass
class CostDecreaseResult:
    """``check_cost_decreases``'s result: the costs J[0..iterations] and whether J fell each step."""

    costs: list[float]
    decreased: bool
    rises: list[int]  # iterations t where J[t+1] > J[t]
    learning_rate: float
    message: str

    def __bool__(self) -> bool:
        return self.decreased

    def __str__(self) -> str:
        shown = ", ".join(f"{c:.6g}" for c in self.costs[:6]) + (", ..." if len(self.costs) > 6 else "")
        return f"{self.message}\ncosts: {shown} -> {self.costs[-1]:.6g}"


def check_cost_decreases(net: Network, X, Y, iterations: int = 20, learning_rate: float = 0.01) -> CostDecreaseResult:
    """Train a copy with dropout off and plain gradient descent; confirm J falls at every iteration.

    theta := theta - learning_rate * dtheta, with (J, dtheta) from cost_and_gradients(training=False)
    (no dropout: keep_prob is 1 everywhere in effect). The notes' advice: before turning dropout
    on, make sure J decreases monotonically without it. A rise means a learning rate too large or
    a wrong gradient (run ``gradient_check``). Runs on a float64 copy; ``net`` is not changed.
    J[t+1] counts as a rise when it exceeds J[t] by more than 1e-12·max(1, |J[t]|) (rounding).
    """
    if not isinstance(net, Network):
        raise HyperparameterError(f"net must be a glassnet Network, got {type(net).__name__}")
    iterations = check_int(iterations, "iterations", hint="gradient-descent steps, e.g. 20")
    learning_rate = check_number(learning_rate, "learning_rate", low=0.0, low_open=True,
                                 hint="a step size such as 0.01")
    clone = net.copy(dtype="float64")
    Xc = clone.check_X(X)
    clone.check_Y(Y, Xc.shape[1])
    costs: list[float] = []
    names = list(clone.parameter_shapes())
    for _ in range(iterations):
        J, grads = clone.cost_and_gradients(X, Y, training=False)
        costs.append(float(J))
        if not math.isfinite(J):
            break
        for name in names:
            clone.params[name][...] -= learning_rate * grads["d" + name]
    else:
        costs.append(float(clone.cost(X, Y)))
    rises = [t for t in range(len(costs) - 1)
             if not math.isfinite(costs[t + 1]) or costs[t + 1] > costs[t] + 1e-12 * max(1.0, abs(costs[t]))]
    decreased = not rises and costs[-1] < costs[0]
    if decreased:
        message = (f"J fell at every one of {iterations} gradient-descent steps (learning_rate {learning_rate:g}, "
                   f"no dropout): {costs[0]:.6g} -> {costs[-1]:.6g}")
    elif rises:
        message = (f"J rose at {len(rises)} of {len(costs) - 1} steps, first at step {rises[0] + 1} "
                   f"({costs[rises[0]]:.6g} -> {costs[rises[0] + 1]:.6g}): lower learning_rate (now "
                   f"{learning_rate:g}), or check the gradients with gradient_check")
    else:
        message = (f"J did not fall ({costs[0]:.6g} -> {costs[-1]:.6g}) over {iterations} steps: the gradient may "
                   "be zero (all-zero weights?) or learning_rate too small")
    return CostDecreaseResult(costs=costs, decreased=decreased, rises=rises, learning_rate=learning_rate,
                              message=message)
