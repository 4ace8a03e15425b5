"""Lab: vanishing and exploding gradients (梯度消失/梯度爆炸) in deep networks, measured layer by layer.

Part 1, the notes' example: a deep linear network (g(z) = z, b = 0) on 2-D inputs with
W[l] = 1.5·I (2x2) for l = 1..L-1 and some W[L] (1x2):

    ŷ = W[L] (1.5·I)^(L-1) x = 1.5^(L-1) W[L] x,     A[l] = 1.5^l x,     dZ[l] = 1.5^(L-1-l) W[L]^T dZ[L]

so the activations grow like 1.5^l going forward and the backprop signal grows like 1.5 per layer
going back (with 0.5·I both shrink like 0.5^l). ``glassnet.diagnostics.diagnose`` names it from
per-unit statistics (the variance analyses of Glorot & Bengio 2010 and He et al. 2015): the RMS
backprop signal of one unit ĝ[l] = ‖dZ[l]‖/sqrt(n[l]·m) and the activation scale â[l] = RMS(A[l]),
as per-layer rates over the k = L-2 hidden steps, r_G = (ĝ[1]/ĝ[L-1])^(1/k) and
r_A = (â[L-1]/â[1])^(1/k). A rate outside [0.8, 1.25] whose compounding r^k passes 10x (or 1/10)
is "exploding" ("vanishing"); with L <= 3 nothing compounds ("too shallow to call"). So the
verdict waits for depth: 1.5 per layer is called from L = 8 (1.5^6 = 11.4), 0.5 from L = 6
(0.5^4 = 0.0625). L = 20 (quick) or 50 layers, and a sweep over L = 3..12.

Part 2: [50, 50, ..., 50, 1] networks, L = 10 (quick) or 20 layers, sigmoid / tanh / ReLU hidden
layers and a sigmoid output, 256 standard-normal inputs with random 0/1 labels, at
initialization under each initializer (std of W[l]: random 1, xavier sqrt(1/n[l-1]), He
sqrt(2/n[l-1]), glorot sqrt(2/(n[l-1]+n[l])), random 0.01). Per layer ‖dW[l]‖ (with Y, as
backprop computes it), ‖dZ[l]‖ and RMS(A[l]), repeated over ``ctx.seeds`` (data and weights from
each seed) and reported as medians. A deep sigmoid network's gradient vanishes toward the first
layers whatever the initialization (σ'(z) ≤ 1/4 at every layer); ReLU with xavier's std (no
factor 2) loses a factor ≈ 1/√2 of RMS(A) per layer, with large weights it explodes, and He's
sqrt(2/n) keeps the scale.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import blas_threads
from ..diagnostics import TOO_SHALLOW, diagnose
from ..network import Network
from ..plots import new_figure
from .evidence import all_of, every_seed, exact, sign_test
from .report import LabResult, median_range

TITLE_ZH = "梯度消失/梯度爆炸"
TITLE_EN = "Vanishing and exploding gradients"

INITIALIZERS = {  # label: (initializer, init_scale)
    "random x 1": ("random", 1.0),
    "xavier": ("xavier", 1.0),
    "he": ("he", 1.0),
    "glorot": ("glorot", 1.0),
    "random x 0.01": ("random", 0.01),
}
ACTIVATIONS = ("sigmoid", "tanh", "relu")
WIDTH = 50
M = 256
FACTORS = (1.5, 0.5)
DEPTHS = tuple(range(3, 13))  # the linear network's verdict at each depth L


def linear_network(L: int, factor: float, seed: int) -> Network:
    """[2, 2, ..., 2, 1] with g(z) = z, W[l] = factor·I for l < L, b = 0, W[L] drawn from ``seed``."""
    net = Network([2] * L + [1], activations=["linear"] * L, initializer="he", dtype="float64", seed=seed)
    for l in range(1, L):
        net.params[f"W{l}"] = factor * np.eye(2)
    return net


def linear_part(L: int, seed: int) -> dict:
    rng = np.random.default_rng([seed, 0])
    X = rng.standard_normal((2, 100))
    rms_x = float(np.sqrt((X * X).mean()))
    out = {}
    for factor in FACTORS:
        net = linear_network(L, factor, seed)
        y_hat = net.predict(X)
        expected = factor ** (L - 1) * (net.params[f"W{L}"] @ X)  # ŷ = factor^(L-1) W[L] x
        rel_error = float(np.abs(y_hat - expected).max() / np.abs(expected).max())
        d = diagnose(net, X, seed=seed)
        rms = [s.rms_a for s in d.layers]
        signal = [s.signal_norm for s in d.layers]
        hidden = rms[:-1]
        act_ratio = [b / a for a, b in zip(hidden, hidden[1:], strict=False)]  # should be factor
        grad_ratio = [signal[i] / signal[i + 1] for i in range(L - 2)]  # ‖dZ[l]‖/‖dZ[l+1]‖, l < L-1
        out[factor] = {
            "L": L, "rms_x": rms_x, "rms_a": rms, "signal_norm": signal, "verdict": d.verdict,
            "activation_growth": d.activation_growth, "gradient_growth": d.gradient_growth,
            "activation_rate": d.activation_rate, "gradient_rate": d.gradient_rate,
            "by_depth": {depth: diagnose(linear_network(depth, factor, seed), X, seed=seed).verdict
                         for depth in DEPTHS},
            "reasons": d.reasons, "output_relative_error": rel_error,
            "activation_ratio_error": max(abs(r / factor - 1) for r in act_ratio),
            "gradient_ratio_error": max(abs(r / factor - 1) for r in grad_ratio),
            "rms_vs_power_error": max(abs(rms[l - 1] / (factor**l * rms_x) - 1) for l in range(1, L)),
        }
    return out


def deep_part(L: int, seeds) -> dict:
    runs = {act: {name: [] for name in INITIALIZERS} for act in ACTIVATIONS}
    for seed in seeds:
        rng = np.random.default_rng([seed, 1])
        X = rng.standard_normal((WIDTH, M))
        Y = (rng.random((1, M)) < 0.5).astype(np.int64)
        for act in ACTIVATIONS:
            for name, (initializer, scale) in INITIALIZERS.items():
                net = Network([WIDTH] * L + [1], hidden_activation=act, output_activation="sigmoid",
                              initializer=initializer, init_scale=scale, dtype="float64", seed=seed)
                d = diagnose(net, X, Y)
                grad = [s.grad_norm for s in d.layers]
                rms = [s.rms_a for s in d.layers[:-1]]  # hidden layers
                runs[act][name].append({
                    "seed": seed, "grad_norm": grad, "signal_norm": [s.signal_norm for s in d.layers],
                    "rms_a": rms, "grad_ratio_first_last": grad[0] / grad[-1] if grad[-1] else math.inf,
                    "gradient_growth": d.gradient_growth, "activation_growth": d.activation_growth,
                    "gradient_rate": d.gradient_rate, "activation_rate": d.activation_rate,
                    "rms_spread": max(rms) / min(rms) if min(rms) > 0 else math.inf, "verdict": d.verdict,
                })
    return runs


def _median(rs, key) -> float:
    return float(np.median([r[key] for r in rs]))


def _verdicts(rs) -> str:
    words = [r["verdict"] for r in rs]
    return ", ".join(f"{w} {words.count(w)}/{len(words)}" for w in dict.fromkeys(words))


def run(ctx, result) -> None:
    L_linear, L_deep = (20, 10) if ctx.quick else (50, 20)
    with blas_threads(1):  # tiny products: one BLAS thread is several times faster
        linear = linear_part(L_linear, ctx.seed)
        deep = deep_part(L_deep, ctx.seeds)
    up, down = linear[1.5], linear[0.5]
    _linear_table(result, up, down, L_linear)
    deep_rows = _deep_table(deep)
    _notes(ctx, result, up, down, deep_rows, L_linear, L_deep)
    result.data = {
        "linear": {"L": L_linear, "seed": ctx.seed, **{str(k): v for k, v in linear.items()}},
        "deep": {"L": L_deep, "width": WIDTH, "m": M, "seeds": list(ctx.seeds),
                 "initializers": {k: list(v) for k, v in INITIALIZERS.items()}, "runs": deep,
                 "table": deep_rows},
    }
    result.set_n(ctx.seeds, {"inputs to each deep network": M, f"inputs to the linear network (seed {ctx.seed})": 100})
    _linear_claims(result, up, down, L_linear)
    _deep_claims(ctx, result, deep, L_deep)
    _plot_linear(ctx, result, linear, L_linear)
    _plot_deep(ctx, result, deep, L_deep)


def _linear_table(result, up, down, L_linear) -> None:
    """The lab's table: RMS(A[l]) and ‖dZ[l]‖ of the linear network (W = 1.5·I, 0.5·I) at a few layers."""
    shown = sorted({1, 2, 3, 5, 10, L_linear // 2, L_linear - 1} & set(range(1, L_linear)))
    for l in shown:
        result.rows.append({
            "layer l": l, "RMS A[l], W = 1.5 I": f"{up['rms_a'][l - 1]:.4g}",
            "1.5^l RMS(x)": f"{1.5**l * up['rms_x']:.4g}", "‖dZ[l]‖, 1.5": f"{up['signal_norm'][l - 1]:.3e}",
            "RMS A[l], W = 0.5 I": f"{down['rms_a'][l - 1]:.4g}", "0.5^l RMS(x)": f"{0.5**l * down['rms_x']:.4g}",
            "‖dZ[l]‖, 0.5": f"{down['signal_norm'][l - 1]:.3e}",
        })
    result.rows.append({"layer l": f"{L_linear} (ŷ)", "RMS A[l], W = 1.5 I": f"{up['rms_a'][-1]:.4g}",
                        "‖dZ[l]‖, 1.5": f"{up['signal_norm'][-1]:.3e}",
                        "RMS A[l], W = 0.5 I": f"{down['rms_a'][-1]:.4g}",
                        "‖dZ[l]‖, 0.5": f"{down['signal_norm'][-1]:.3e}"})
    result.rows.append({"layer l": "verdict", "RMS A[l], W = 1.5 I": up["verdict"],
                        "RMS A[l], W = 0.5 I": down["verdict"]})


def _deep_table(deep) -> list[dict]:
    """One row per (hidden activation, initializer) of the deep networks: medians over the seeds."""
    deep_rows = []
    for act in ACTIVATIONS:
        for name in INITIALIZERS:
            rs = deep[act][name]
            deep_rows.append({
                "hidden g": act, "initializer": name,
                "‖dW[1]‖/‖dW[L]‖ median [range]": median_range([r["grad_ratio_first_last"] for r in rs]),
                "r_G per layer": f"{_median(rs, 'gradient_rate'):.3g}",
                "r_A per layer": f"{_median(rs, 'activation_rate'):.3g}",
                "F_G=ĝ[1]/ĝ[L-1]": f"{_median(rs, 'gradient_growth'):.3g}",
                "F_A=â[L-1]/â[1]": f"{_median(rs, 'activation_growth'):.3g}",
                "RMS(A) max/min": f"{_median(rs, 'rms_spread'):.3g}",
                "verdicts": _verdicts(rs),
            })
    return deep_rows


def _notes(ctx, result, up, down, deep_rows, L_linear, L_deep) -> None:
    """The notes: the linear network's output and verdicts, the deep networks' table, how to read ‖dW[l]‖."""
    result.notes += [
        f"deep linear network, L = {L_linear}, 2 units per layer, 100 standard-normal inputs (seed {ctx.seed}): "
        f"ŷ = 1.5^(L-1) W[L] x = {1.5 ** (L_linear - 1):.4g} W[L] x (max relative error "
        f"{up['output_relative_error']:.1e}); with 0.5·I, {0.5 ** (L_linear - 1):.4g} W[L] x "
        f"(error {down['output_relative_error']:.1e})",
        "diagnose, W = 1.5·I: " + up["verdict"].upper() + "; " + "; ".join(up["reasons"]),
        "diagnose, W = 0.5·I: " + down["verdict"].upper() + "; " + "; ".join(down["reasons"]),
        f"--- deep networks at initialization: [{WIDTH}] x {L_deep} layers + 1 sigmoid output, {M} examples, "
        f"medians over n = {len(ctx.seeds)} seeds {list(ctx.seeds)} ---",
        LabResult("", "", "", rows=deep_rows).table(),
        "‖dW[l]‖ = ‖dZ[l] A[l-1]^T‖/m mixes the backward signal dZ with the forward activations. For ReLU "
        "(g(cz) = c g(z)) with a per-layer gain c, A[l-1] ∝ c^(l-1) and dZ[l] ∝ c^(L-l), so every ‖dW[l]‖ ∝ "
        "c^(L-1): the ratio ‖dW[1]‖/‖dW[L]‖ stays O(1) while all the weight gradients vanish or explode together "
        "(the curves of the figure move as a whole); the per-unit rates r_G (the backward signal alone) and r_A "
        "show it, and the verdict reads them. xavier and glorot coincide on square layers (2/(n + n) = 1/n)",
        "verdict of the linear network by depth L (" + ", ".join(f"L = {L}" for L in DEPTHS) + "): W = 1.5·I: "
        + ", ".join(up["by_depth"][L] for L in DEPTHS) + "; W = 0.5·I: "
        + ", ".join(down["by_depth"][L] for L in DEPTHS),
    ]


def _linear_claims(result, up, down, L_linear) -> None:
    """The claims on the linear network: ŷ = factor^(L-1) W[L] x, a factor per layer both ways, the verdicts."""
    result.claim(f"linear network: ŷ = 1.5^(L-1) W[L] x exactly (L = {L_linear}; relative error < 1e-12), "
                 "and 0.5^(L-1) W[L] x with 0.5·I",
                 exact(up["output_relative_error"] < 1e-12 and down["output_relative_error"] < 1e-12),
                 f"max relative errors {up['output_relative_error']:.1e}, {down['output_relative_error']:.1e}")
    worst_ratio = max(v[k] for v in (up, down) for k in ("activation_ratio_error", "gradient_ratio_error",
                                                        "rms_vs_power_error"))
    result.claim("activations grow like 1.5^l per layer (shrink like 0.5^l), and so does the backprop signal ‖dZ‖ "
                 "going back (RMS(A[l]) = factor^l RMS(x), every layer-to-layer ratio = factor to 1e-12)",
                 exact(worst_ratio < 1e-12), f"largest relative deviation {worst_ratio:.1e}")
    result.claim("diagnostics: W = 1.5·I is 'exploding', W = 0.5·I is 'vanishing'",
                 exact(up["verdict"] == "exploding" and down["verdict"] == "vanishing"),
                 f"{up['verdict']} (r_G = {up['gradient_rate']:.3g}, r_A = {up['activation_rate']:.3g} per layer); "
                 f"{down['verdict']} (r_G = {down['gradient_rate']:.3g}, r_A = {down['activation_rate']:.3g})")
    expected = {factor: {L: _expected_verdict(factor, L) for L in DEPTHS} for factor in FACTORS}
    result.claim("the verdict waits for depth: a gain of 1.5 (0.5) per layer is named only once it compounds past "
                 "10x (1/10) between the first and last hidden layer, from L = 8 (L = 6); L <= 3 is too shallow "
                 "to call",
                 exact(all(r["by_depth"][L] == expected[f][L] for f, r in ((1.5, up), (0.5, down)) for L in DEPTHS)),
                 "; ".join(f"{f}·I: " + ", ".join(f"L={L} {r['by_depth'][L]}" for L in DEPTHS)
                           for f, r in ((1.5, up), (0.5, down))))


def _expected_verdict(factor: float, L: int) -> str:
    """The rule on an exact per-layer gain: too shallow for L <= 3, named once factor^(L-2) passes 10 or 1/10."""
    if L <= 3:
        return TOO_SHALLOW
    growth = factor ** (L - 2)
    return "exploding" if growth > 10 else "vanishing" if growth < 0.1 else "healthy"


def _deep_claims(ctx, result, deep, L_deep) -> None:
    """The claims on the deep networks: sigmoid vanishes; ReLU keeps its scale under He, not xavier, N(0, 1), x 0.01."""
    sig = {name: _median(deep["sigmoid"][name], "grad_ratio_first_last") for name in INITIALIZERS}
    sig_vanishing = sum(r["verdict"] == "vanishing" for name in ("xavier", "he", "glorot")
                        for r in deep["sigmoid"][name])
    n_std = 3 * len(ctx.seeds)
    below = all_of({name: sign_test([0.1 - r["grad_ratio_first_last"] for r in deep["sigmoid"][name]])
                    for name in INITIALIZERS})
    result.claim(f"a deep sigmoid network's gradients vanish toward the first layers (L = {L_deep}): "
                 "‖dW[1]‖/‖dW[L]‖ < 0.1 under every initializer", below,
                 "medians " + ", ".join(f"{k} {v:.2g}" for k, v in sig.items())
                 + f"; verdict 'vanishing' in {sig_vanishing}/{n_std} runs with xavier/he/glorot")
    he = deep["relu"]["he"]
    he_spread = _median(he, "rms_spread")
    result.claim(f"He keeps a deep ReLU network's activation scale within a factor of a few (median max/min of "
                 f"RMS(A[l]) over the {L_deep - 1} hidden layers <= 4)", sign_test([4 - r["rms_spread"] for r in he]),
                 f"median {he_spread:.3g} [{min(r['rms_spread'] for r in he):.3g}, "
                 f"{max(r['rms_spread'] for r in he):.3g}]; xavier "
                 f"{_median(deep['relu']['xavier'], 'rms_spread'):.3g}, random x 1 "
                 f"{_median(deep['relu']['random x 1'], 'rms_spread'):.3g}")
    rates = [r["activation_growth"] ** (1 / (L_deep - 2)) for r in deep["relu"]["xavier"]]
    result.claim("without He's factor 2 (xavier's std sqrt(1/n)) ReLU halves the variance at each layer: RMS(A) "
                 "shrinks by ≈ 1/√2 = 0.707 per layer (± 0.05)",
                 sign_test([0.05 - abs(rate - 1 / math.sqrt(2)) for rate in rates]),
                 f"F_A^(1/{L_deep - 2}) median {np.median(rates):.3f} [{min(rates):.3f}, {max(rates):.3f}]")
    big = deep["relu"]["random x 1"]
    small = deep["relu"]["random x 0.01"]
    result.claim("ReLU with standard-normal weights explodes, with weights x 0.01 vanishes (diagnose, every seed)",
                 every_seed([a["verdict"] == "exploding" and b["verdict"] == "vanishing"
                             for a, b in zip(big, small, strict=True)]),
                 f"random x 1: {_verdicts(big)} (median r_G {_median(big, 'gradient_rate'):.2g} per layer); "
                 f"random x 0.01: {_verdicts(small)} (median r_G {_median(small, 'gradient_rate'):.2g})")
    kept = zip(deep["relu"]["he"], deep["tanh"]["xavier"], strict=True)
    result.claim("the variance-keeping initializations are healthy at initialization: He for ReLU, xavier for tanh "
                 "(diagnose, every seed)", every_seed([a["verdict"] == b["verdict"] == "healthy" for a, b in kept]),
                 f"He/ReLU: {_verdicts(deep['relu']['he'])} ({_rates(deep['relu']['he'])}); xavier/tanh: "
                 f"{_verdicts(deep['tanh']['xavier'])} ({_rates(deep['tanh']['xavier'])})")


def _rates(rs) -> str:
    return f"median r_G {_median(rs, 'gradient_rate'):.3g}, r_A {_median(rs, 'activation_rate'):.3g} per layer"


def _plot_linear(ctx, result, linear, L) -> None:
    fig = new_figure(11, 4.2)
    layers = np.arange(1, L + 1)
    for i, (key, label) in enumerate((("rms_a", "RMS(A[l]) (forward)"), ("signal_norm", "‖dZ[l]‖ (backward)"))):
        ax = fig.add_subplot(1, 2, i + 1)
        for c, factor in enumerate(FACTORS):
            r = linear[factor]
            ax.semilogy(layers, r[key], "o", markersize=3, color=f"C{c}", label=f"W[l] = {factor}·I")
            if key == "rms_a":
                ax.semilogy(layers[:-1], factor ** layers[:-1] * r["rms_x"], "-", color=f"C{c}", linewidth=0.8,
                            label=f"{factor}^l · RMS(x)")
            else:
                ref = r["signal_norm"][L - 2] * factor ** (L - 1 - layers[:-1])
                ax.semilogy(layers[:-1], ref, "-", color=f"C{c}", linewidth=0.8, label=f"∝ {factor}^(L-1-l)")
        ax.set_xlabel("layer l")
        ax.set_title(f"deep linear network, L = {L}: {label}; seed {ctx.seed}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    ctx.save_figure(fig, "linear_network.png", result, shows=f"seed {ctx.seed}")


def _plot_deep(ctx, result, deep, L) -> None:
    fig = new_figure(14, 7.5)
    fig.set_layout_engine(None)  # constrained layout costs more than the lab over 6 log panels
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.07, top=0.95, wspace=0.18, hspace=0.25)
    layers = np.arange(1, L + 1)
    for i, act in enumerate(ACTIVATIONS):
        top = fig.add_subplot(2, 3, i + 1)
        bottom = fig.add_subplot(2, 3, i + 4)
        for c, name in enumerate(INITIALIZERS):
            rs = deep[act][name]
            for ax, key, x in ((top, "grad_norm", layers), (bottom, "rms_a", layers[:-1])):
                values = np.maximum(np.array([r[key] for r in rs], dtype=float), 1e-300)  # (seeds, layers)
                ax.semilogy(x, np.median(values, axis=0), "o-", markersize=3, color=f"C{c}", label=name)
                ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=f"C{c}", alpha=0.15, linewidth=0)
        n = len(deep[act][next(iter(INITIALIZERS))])
        top.set_title(f"{act}: ‖dW[l]‖, median over {n} seeds, band min-max", fontsize=9)
        bottom.set_title(f"{act}: RMS(A[l]) of the hidden layers, median over {n} seeds, band min-max", fontsize=9)
        bottom.set_xlabel("layer l")
        for ax in (top, bottom):
            ax.grid(alpha=0.3)
        if i == 0:
            top.legend(fontsize=8)
    ctx.save_figure(fig, "gradient_norms.png", result, shows=f"median over {n} seeds")
