"""The numbers behind ``glassnet.diagnostics``: per-layer statistics, the vanishing / exploding rule, epoch records.

The rule and the statistics are described in ``glassnet.diagnostics`` (the public face: ``diagnose``,
``layer_statistics``). This room holds the computation and ``epoch_record`` (what ``fit(diagnostics=True)``
records each epoch), and knows no Network class: it works through the network's public names
(``layers``, ``copy``, ``loss``, ``check_X``, ``check_Y``, ``standardize_targets``, ``dtype``), so the fit loop
can use it without importing the network.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from .backend import make_rng, xp
from .errors import HyperparameterError, ShapeError

__all__ = [
    "GROWTH_LIMIT", "LEARNED_FRACTION", "RATE_LIMIT", "RULE", "SATURATION", "TOO_SHALLOW", "UPDATE_RATIO", "VERDICTS",
    "Diagnosis", "LayerStatistics", "diagnosis", "epoch_record", "prepare_batch", "statistics",
]

GROWTH_LIMIT = 10.0
"""F beyond 10 (or below 1/10) between the first and the last hidden layer can fire a direction."""

RATE_LIMIT = 1.25
"""... when the per-layer rate r = F^(1/k) is also beyond 1.25 (or below 1/1.25 = 0.8)."""

LEARNED_FRACTION = 0.9
"""A network with J <= 0.9·J_const has learned from X (beyond an untrained net's chance agreement)."""

UPDATE_RATIO = 1e-3
"""CS231n's rule of thumb for ‖α·dW‖/‖W‖; 10x above it is worth a warning."""

SATURATION = {"sigmoid": 0.985, "tanh": 0.97}
"""Saturated: sigmoid a < 1 - 0.985 or a > 0.985; tanh |a| > 0.97 (g' below 6 % of its peak)."""

TOO_SHALLOW = "too shallow to call"
VERDICTS = ("healthy", "vanishing", "exploding", TOO_SHALLOW)

_WARN_FRACTION = 0.5  # dead or saturated fraction of a hidden layer worth a warning

RULE = (
    "per unit: r_G = (ĝ[1]/ĝ[L-1])^(1/k), r_A = (â[L-1]/â[1])^(1/k) over k = L-2 hidden steps; "
    f"exploding if not finite; L <= 3: {TOO_SHALLOW}; else a direction fires when r is outside "
    f"[{1 / RATE_LIMIT:g}, {RATE_LIMIT:g}] and r^k outside [{1 / GROWTH_LIMIT:g}, {GROWTH_LIMIT:g}], "
    f"unless the network has learned (J <= {LEARNED_FRACTION:g}·J_const)"
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
    rms_a: float  # â[l] = sqrt(mean(A^2)): one unit's activation scale
    saturated: float | None  # fraction of entries of A at the asymptotes (sigmoid, tanh)
    dead: float | None  # fraction of units with Z <= 0 for every example (relu)
    weight_norm: float  # ‖W[l]‖_F
    signal_norm: float | None  # ‖dZ[l]‖_F
    grad_norm: float | None  # ‖dW[l]‖_F (with Y only)
    grad_ratio: float | None  # ‖dW[l]‖ / ‖W[l]‖ (with Y only; None when W = 0)
    signal_rms: float | None = None  # ĝ[l] = ‖dZ[l]‖_F / sqrt(n[l]·m): one unit's backprop signal
    update_ratio: float | None = None  # ‖α·dW[l]‖ / ‖W[l]‖ (with Y and a learning rate)
    weight_change: float | None = None  # ‖W[l] - W0[l]‖ / ‖W0[l]‖ (with the initial network)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Diagnosis:
    """``diagnose``'s result: per-layer statistics, the verdict and the reasons for it."""

    layers: list[LayerStatistics]
    verdict: str  # "healthy", "vanishing", "exploding" or "too shallow to call"
    reasons: list[str]
    activation_growth: float | None  # F_A = â[L-1] / â[1]
    gradient_growth: float | None  # F_G = ĝ[1] / ĝ[L-1]
    signal: str  # where dZ[L] came from
    warnings: list[str] = field(default_factory=list)
    rule: str = RULE
    activation_rate: float | None = None  # r_A = F_A^(1/k)
    gradient_rate: float | None = None  # r_G = F_G^(1/k)
    steps: int = 0  # k = L - 2 hidden-to-hidden steps
    cost: float | None = None  # J on the batch, without the L2 term (with Y)
    constant_cost: float | None = None  # J_const: the best constant prediction's cost (with Y)
    learned: bool | None = None  # J <= LEARNED_FRACTION·J_const (None without Y)
    initial: dict | None = None  # the same numbers for the network at initialization, when given

    @property
    def healthy(self) -> bool:
        return self.verdict == "healthy"

    @property
    def flagged(self) -> bool:
        """True for "vanishing" and "exploding"."""
        return self.verdict in ("vanishing", "exploding")

    def activation_ratios(self) -> list[float]:
        """RMS(A[l]) / RMS(A[l-1]) for l = 2..L: the layer-by-layer growth of the activations."""
        r = [s.rms_a for s in self.layers]
        return [b / a if a else math.inf for a, b in zip(r, r[1:], strict=False)]

    def to_dict(self) -> dict:
        keys = ("verdict", "activation_growth", "gradient_growth", "activation_rate", "gradient_rate", "steps",
                "cost", "constant_cost", "learned", "signal", "rule")
        return {**{k: getattr(self, k) for k in keys}, "reasons": list(self.reasons),
                "warnings": list(self.warnings), "initial": self.initial,
                "layers": [s.to_dict() for s in self.layers]}

    def _repr_html_(self) -> str:
        """The diagnosis as a notebook shows it: the verdict in colour, the table of ``str(diagnosis)`` below."""
        from .display import block, pre

        return block(f"diagnosis: {self.verdict}", pre(str(self)), color="#1a7f37" if self.healthy else "#cf222e")

    def __str__(self) -> str:
        def num(x, fmt=".3g"):
            return "-" if x is None else format(x, fmt)

        def pct(x):
            return "-" if x is None else f"{100 * x:.0f}%"

        head = (f"{'layer':<6}{'units':>6}  {'activation':<11}{'mean Z':>9}{'std Z':>9}{'RMS A':>9}{'satur.':>8}"
                f"{'dead':>6}{'ĝ=RMS dZ':>10}{'‖dW‖':>10}{'‖dW‖/‖W‖':>10}{'α‖dW‖/‖W‖':>11}{'ΔW/W0':>8}")
        lines = [f"diagnosis: {self.verdict.upper()}", head]
        for s in self.layers:
            lines.append(
                f"{s.layer:<6}{s.units:>6}  {s.activation:<11}{num(s.mean_z):>9}{num(s.std_z):>9}{num(s.rms_a):>9}"
                f"{pct(s.saturated):>8}{pct(s.dead):>6}{num(s.signal_rms, '.2e'):>10}{num(s.grad_norm, '.2e'):>10}"
                f"{num(s.grad_ratio, '.2e'):>10}{num(s.update_ratio, '.1e'):>11}{num(s.weight_change, '.2g'):>8}")
        lines.append(f"per-layer rate over k = {self.steps} hidden steps: gradients r_G = {num(self.gradient_rate)} "
                     f"(F_G = {num(self.gradient_growth)}), activations r_A = {num(self.activation_rate)} "
                     f"(F_A = {num(self.activation_growth)}); dZ[L] from {self.signal}")
        lines += [f"  - {r}" for r in self.reasons]
        lines += [f"  ! {w}" for w in self.warnings]
        lines.append(f"rule: {self.rule}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------- the passes
def _passes(net, X, Y, seed):
    """The engine's layers, forward (no dropout) and backward, on a copy of ``net``.

    Returns Zs, As (A[0] = X first), dZs (∂J/∂Z with the cost's 1/m) and dWs (None without Y).
    dZ[L] = (A[L] - Y)/m with Y; without Y a fixed random signal from ``seed``, scaled by 1/m.
    """
    clone = net.copy()
    A, m = X, X.shape[1]
    for layer in clone.layers:
        A = layer.forward(A, False, clone.rng)
    if Y is not None:
        dZ = clone.loss.output_dZ(A, Y)
    else:
        dZ = xp.asarray(make_rng(seed).standard_normal(A.shape), dtype=A.dtype)
    dZ *= 1.0 / m  # the average cost's 1/m, once at the output as the engine does
    dA = None
    for index in range(clone.L - 1, -1, -1):
        dA = clone.layers[index].backward(dA, m, clone.l2, dZ=dZ, need_dA_prev=index > 0)
        dZ = None
    Zs = [layer.cache.Z for layer in clone.layers]
    As = [X] + [layer.cache.A for layer in clone.layers]
    dZs = [layer.dZ for layer in clone.layers]
    dWs = [layer.dW for layer in clone.layers] if Y is not None else None
    cost = None if Y is None else float(clone.loss.cost(Zs[-1], As[-1], Y))
    return Zs, As, dZs, dWs, cost


def _saturated(name: str, A) -> float | None:
    if name == "sigmoid":
        hi = SATURATION["sigmoid"]
        return float(((A < 1 - hi) | (A > hi)).mean())
    if name == "tanh":
        return float((xp.abs(A) > SATURATION["tanh"]).mean())
    return None


def statistics(net, X, Y, seed, learning_rate=None) -> tuple[list[LayerStatistics], float | None]:
    """Per-layer statistics and the data cost J (None without Y) of ``net`` on a prepared batch."""
    with np.errstate(over="ignore", invalid="ignore"):
        Zs, As, dZs, dWs, cost = _passes(net, X, Y, seed)
        m = X.shape[1]
        stats = []
        for l, layer in enumerate(net.layers, start=1):
            Z, A, name = Zs[l - 1], As[l], layer.activation.name
            w_norm = float(xp.linalg.norm(layer.W))
            g_norm = float(xp.linalg.norm(dWs[l - 1])) if dWs is not None else None
            ratio = None if g_norm is None or w_norm == 0 else g_norm / w_norm
            s_norm = float(xp.linalg.norm(dZs[l - 1]))
            stats.append(LayerStatistics(
                layer=l, units=int(layer.W.shape[0]), activation=name,
                mean_z=float(Z.mean()), std_z=float(Z.std()), mean_a=float(A.mean()), std_a=float(A.std()),
                rms_a=float(xp.sqrt((A * A).mean())), saturated=_saturated(name, A),
                dead=float((Z <= 0).all(axis=1).mean()) if name == "relu" else None, weight_norm=w_norm,
                signal_norm=s_norm, grad_norm=g_norm, grad_ratio=ratio,
                signal_rms=s_norm / math.sqrt(layer.W.shape[0] * m),
                update_ratio=None if ratio is None or learning_rate is None else learning_rate * ratio,
            ))
    return stats, cost


# ---------------------------------------------------------------------------------- the rule
def _growth(first: float, last: float) -> float | None:
    """last / first: inf where either is not finite or only first is 0; None where both are 0."""
    if not (math.isfinite(first) and math.isfinite(last)):
        return math.inf
    if first == 0.0:
        return None if last == 0.0 else math.inf
    return last / first


def _rate(growth: float | None, k: int) -> float | None:
    if growth is None or k < 1:
        return None
    return growth if growth in (0.0, math.inf) else growth ** (1.0 / k)


def _orders(f: float) -> float:
    """How many orders of magnitude f is away from 1."""
    return math.inf if f == 0 or not math.isfinite(f) else abs(math.log10(f))


def _fires(growth: float | None, rate: float | None) -> str | None:
    if growth is None or rate is None:
        return None
    if growth > GROWTH_LIMIT and rate > RATE_LIMIT:
        return "exploding"
    if growth < 1 / GROWTH_LIMIT and rate < 1 / RATE_LIMIT:
        return "vanishing"
    return None


def _finite(stats: list[LayerStatistics]) -> bool:
    return all(math.isfinite(v) for s in stats for v in (s.mean_z, s.std_z, s.rms_a, s.signal_norm))


def _measure(stats: list[LayerStatistics]) -> dict:
    """F_A, F_G over the hidden layers 1..L-1, their per-layer rates and k = L - 2."""
    L = len(stats)
    k = max(L - 2, 0)
    f_a = _growth(stats[0].rms_a, stats[L - 2].rms_a) if k >= 1 else None
    f_g = _growth(stats[L - 2].signal_rms, stats[0].signal_rms) if k >= 1 else None
    return {"activation_growth": f_a, "gradient_growth": f_g, "activation_rate": _rate(f_a, k),
            "gradient_rate": _rate(f_g, k), "steps": k}


def _verdict(stats: list[LayerStatistics], m: dict, learned: bool | None) -> tuple[str, list[str]]:
    """The rule of the module docstring: (verdict, reasons)."""
    L, k = len(stats), m["steps"]
    if not _finite(stats):
        return "exploding", ["some statistics are not finite (overflow): exploding"]
    reasons, scores = [], {}
    for key, what, first, last in (("gradient", "gradients: ĝ = RMS(dZ) per unit", L - 1, 1),
                                   ("activation", "activations: RMS(A) per unit", 1, L - 1)):
        growth, rate = m[f"{key}_growth"], m[f"{key}_rate"]
        if growth is None:
            continue
        text = f"{what} goes ×{rate:.3g} per layer from layer {first} to {last} (×{growth:.3g} over {k})"
        state = _fires(growth, rate) if k >= 2 else None
        if state:
            scores[state] = max(scores.get(state, 0.0), _orders(growth))
            text += f" — {state}"
        reasons.append(text)
    if k < 2:
        reasons.append(f"{L} layers: fewer than two hidden-to-hidden steps, nothing compounds with depth "
                       f"({TOO_SHALLOW}; a single layer's gain is the slope of what it computes)")
        return TOO_SHALLOW, reasons
    if not scores:
        return "healthy", reasons
    state = max(scores, key=scores.get)
    if learned:
        reasons.append(f"not called {state}: the network has learned (J <= {LEARNED_FRACTION:g}·J_const), and "
                       "trained weights are not random: the per-layer gain is the slope of the learned function")
        return "healthy", reasons
    return state, reasons


def _warnings(stats: list[LayerStatistics], learned: bool | None) -> list[str]:
    out = []
    for s in stats[:-1]:  # hidden layers: a confident output layer is meant to saturate
        if s.dead is not None and s.dead >= _WARN_FRACTION:
            out.append(f"layer {s.layer}: {100 * s.dead:.0f}% of the ReLU units are dead (Z <= 0 for every example)"
                       + ("" if learned else "; try He initialization, a smaller learning rate or leaky_relu"))
        if s.saturated is not None and s.saturated >= _WARN_FRACTION:
            out.append(f"layer {s.layer}: {100 * s.saturated:.0f}% of the {s.activation} activations are saturated, "
                       "where g'(z) ≈ 0" + (" (a confident fit)" if learned else
                                           "; try smaller weights (xavier) or normalized inputs"))
    ratios = [(s.update_ratio, s.layer) for s in stats if s.update_ratio is not None]
    if ratios and max(ratios)[0] > 10 * UPDATE_RATIO:
        value, layer = max(ratios)
        out.append(f"layer {layer}: a gradient-descent step changes W by {value:.2g} of its size (‖α·dW‖/‖W‖; "
                   f"about {UPDATE_RATIO:g} is right): a smaller learning rate")
    first = stats[0].weight_change
    moved = max((s.weight_change for s in stats[1:-1] if s.weight_change is not None), default=0.0)
    if first is not None and moved > 1e-3 and first < 1e-2 * moved:
        out.append(f"layer 1 has moved {first:.2g} of its initial size, the most-moved hidden layer "
                   f"{moved:.2g}: the first layers are hardly learning")
    return out


def prepare_batch(net, X, Y, prepared: bool):
    """(X, Y) as the passes use them: raw X through ``check_X``, or a prepared X only cast; Y checked."""
    if not callable(getattr(net, "check_X", None)) or not hasattr(net, "layers"):
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
    if Yc is not None and not prepared:  # the targets the network trains on (fit's standardize_targets)
        Yc = net.standardize_targets(Yc)
    return Xc, Yc


def _compare(net, stats, initial, X, Y, seed) -> dict:
    """The initial network's rates, verdict and cost on the same batch; ‖W - W0‖/‖W0‖ into ``stats``."""
    first, cost = statistics(initial, X, Y, seed)
    m = _measure(first)
    for s, layer, layer0 in zip(stats, net.layers, initial.layers, strict=True):
        w0 = float(xp.linalg.norm(layer0.W))
        s.weight_change = float(xp.linalg.norm(layer.W - layer0.W)) / w0 if w0 else None
    return {"verdict": _verdict(first, m, None)[0], "cost": cost, **m}


def diagnosis(net, Xc, Yc, seed, learning_rate=None, initial=None) -> Diagnosis:
    stats, cost = statistics(net, Xc, Yc, seed, learning_rate)
    m = _measure(stats)
    constant = None if Yc is None else float(net.loss.constant_cost(Yc))
    learned = None if cost is None else bool(math.isfinite(cost) and cost <= LEARNED_FRACTION * constant)
    verdict, reasons = _verdict(stats, m, learned)
    if cost is not None:
        reasons.append(f"cost J = {cost:.4g} on this batch; the best constant prediction's J_const = {constant:.4g}"
                       + (" (learned)" if learned else ""))
    before = None
    if initial is not None:
        before = _compare(net, stats, initial, Xc, Yc, seed)
        reasons.append(f"at initialization: {before['verdict']}, r_G = {_fmt(before['gradient_rate'])}, "
                       f"r_A = {_fmt(before['activation_rate'])}; now r_G = {_fmt(m['gradient_rate'])}, "
                       f"r_A = {_fmt(m['activation_rate'])}")
    signal = "A[L] - Y" if Yc is not None else f"a random signal (seed {seed!r})"
    return Diagnosis(layers=stats, verdict=verdict, reasons=reasons, signal=signal,
                     warnings=_warnings(stats, learned), cost=cost, constant_cost=constant, learned=learned,
                     initial=before, **m)


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.3g}"


def _json_float(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def epoch_record(net, X_batch, Y_batch, *, prepared: bool = True) -> dict:
    """A compact per-layer record for ``History.diagnostics`` (one per epoch), JSON-serializable.

    {"grad_norm": [‖dW1‖, ...], "grad_ratio": [‖dW1‖/‖W1‖, ...], "weight_norm": [...],
     "signal_norm": [‖dZ1‖, ...], "signal_rms": [ĝ1, ...], "activation_rms": [...],
     "dead_fraction": [... or None], "saturated_fraction": [... or None], "gradient_rate": r_G,
     "activation_rate": r_A, "verdict": one of VERDICTS} (``diagnose``'s rule on this batch).
    Non-finite values become None. ``prepared=True`` (what ``fit`` passes): X_batch is already
    normalized and Y_batch already checked and standardized, as the training loop holds them;
    ``prepared=False`` validates both and applies the network's input and target pipelines. The
    network is not changed.
    """
    Xc, Yc = prepare_batch(net, X_batch, Y_batch, prepared=prepared)
    d = diagnosis(net, Xc, Yc, seed=0)
    record = {key: [_json_float(getattr(s, attr)) for s in d.layers] for key, attr in (
        ("grad_norm", "grad_norm"), ("grad_ratio", "grad_ratio"), ("weight_norm", "weight_norm"),
        ("signal_norm", "signal_norm"), ("signal_rms", "signal_rms"), ("activation_rms", "rms_a"),
        ("dead_fraction", "dead"), ("saturated_fraction", "saturated"))}
    return {**record, "gradient_rate": _json_float(d.gradient_rate),
            "activation_rate": _json_float(d.activation_rate), "verdict": d.verdict}
