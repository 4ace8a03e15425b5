"""Lab: normalizing inputs (归一化输入) makes the cost round and gradient descent fast.

Two features on very different scales, x1 in [1, 1000] and x2 in [0, 1], and a linear model
y ≈ w1 x1 + w2 x2 + b trained with full-batch gradient descent on J = 1/(2m) Σ (a - y)², once on
the raw features and once standardized with the training set's μ and σ² (glassnet's
``normalize=True``). Each run uses the same rule for its learning rate, α = 1/λ_max of the cost's
Hessian (the largest step that is safe for both), so the comparison is about the shape of the
cost, not about tuning: the number of iterations grows with the condition number λ_max/λ_min.
"""

from __future__ import annotations

import numpy as np

from .. import runs as run_specs
from ..plots import new_figure
from ..training import Callback
from .evidence import every_seed, paired_differences, sign_test
from .report import median_range

TITLE_ZH = "归一化输入"
TITLE_EN = "Normalizing inputs"


class _StopAt(Callback):
    def __init__(self, target: float):
        self.target = target
        self.reached = None

    def on_epoch_end(self, net, epoch, record):
        if record["cost"] <= self.target:
            self.reached = epoch
            return True
        return False


def make_data(seed: int, m: int = 200):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.uniform(1, 1000, m), rng.uniform(0, 1, m)])
    Y = (0.003 * X[0] + 2.0 * X[1] + 0.5 + 0.1 * rng.standard_normal(m)).reshape(1, -1)
    return X, Y


def hessian_eigenvalues(X):
    """Eigenvalues of the Hessian of J = 1/(2m) Σ (w x + b - y)²: those of (1/m) [X; 1][X; 1]^T."""
    A = np.vstack([X, np.ones((1, X.shape[1]))])
    return np.linalg.eigvalsh(A @ A.T / X.shape[1])


def optimum(X, Y) -> float:
    """The least-squares minimum of J (closed form), the target the runs are measured against."""
    A = np.vstack([X, np.ones((1, X.shape[1]))])
    coef, *_ = np.linalg.lstsq(A.T, Y.T, rcond=None)
    residual = A.T @ coef - Y.T
    return float((residual**2).sum() / (2 * X.shape[1]))


KINDS = (("raw features", False), ("normalized", True))


def spec(normalize: bool, learning_rate: float, budget: int, seed: int) -> run_specs.RunSpec:
    """One run as a RunSpec: no hidden layer (a linear model), zero weights, float64, full-batch gradient
    descent at the constant ``learning_rate`` for up to ``budget`` iterations, inputs standardized or not."""
    return run_specs.RunSpec(layers=(), initializer="zeros", dtype="float64", optimizer="gd",
                             learning_rate=learning_rate, schedule="constant", epochs=budget, batch_size=None,
                             normalize=normalize, seed=seed)


def one_seed(seed: int, budget: int) -> dict:
    """Both runs on the data of ``seed``: J*, the target J* · 1.01, and per kind its learning rate 1/λmax,
    condition number λmax/λmin, the iterations to the target (None: not within ``budget``) and the costs."""
    X, Y = make_data(seed)
    J_star = optimum(X, Y)
    target = J_star * 1.01 + 1e-12  # within 1 % of the best possible cost
    runs = {}
    for name, normalize in KINDS:
        if normalize:
            from ..data.preprocessing import Standardizer

            X_seen = Standardizer().fit(X).transform(X)
        else:
            X_seen = X
        eig = hessian_eigenvalues(X_seen)
        learning_rate = 1.0 / eig.max()
        stop = _StopAt(target)
        run_spec = spec(normalize, learning_rate, budget, seed)
        net = run_specs.build(run_spec, 2, 1, "linear")
        history = run_specs.fit(run_spec, net, X, Y, callbacks=[stop])
        runs[name] = {"seed": seed, "learning_rate": learning_rate, "condition_number": float(eig.max() / eig.min()),
                      "iterations_to_target": stop.reached, "final_cost": history["cost"][-1],
                      "final_gap": history["cost"][-1] - J_star, "costs": history["cost"],
                      "x_ranges": [[float(X_seen[i].min()), float(X_seen[i].max())] for i in range(2)]}
    return {"seed": seed, "J_star": J_star, "target": target, "X": X, "Y": Y, "runs": runs}


def run(ctx, result) -> None:
    budget = 1_000 if ctx.quick else 30_000  # the raw features need millions of iterations either way
    per_seed = [one_seed(seed, budget) for seed in ctx.seeds]
    runs = {name: [{k: v for k, v in s["runs"][name].items() if k != "costs"} for s in per_seed] for name, _ in KINDS}
    for name, rs in runs.items():
        reached = [r["iterations_to_target"] for r in rs if r["iterations_to_target"] is not None]
        result.rows.append({
            "inputs": name, f"x1 range (seed {ctx.seeds[0]})": "{:.3g}..{:.3g}".format(*rs[0]["x_ranges"][0]),
            "condition number median [range]": median_range([r["condition_number"] for r in rs]),
            "learning rate 1/λmax (median)": f"{np.median([r['learning_rate'] for r in rs]):.3g}",
            "reached J* + 1%": f"{len(reached)}/{len(rs)} seeds",
            "iterations to J* + 1% (median of those)": f"{np.median(reached):g}" if reached else f"> {budget}",
            "final J - J* median": f"{np.median([r['final_gap'] for r in rs]):.3g}",
        })
    result.set_n(ctx.seeds, train=per_seed[0]["X"].shape[1])
    result.notes.append(f"J* by least squares on each seed's data; target J <= 1.01 J*; budget {budget} iterations; "
                        f"x1 ~ U(1, 1000), x2 ~ U(0, 1), seeds {ctx.seeds}")
    result.data = {"budget": budget, "seeds": ctx.seeds, "J_star": [s["J_star"] for s in per_seed], "runs": runs,
                   "costs_first_seed": {name: per_seed[0]["runs"][name]["costs"] for name, _ in KINDS}}
    result.describe_runs({name: spec(normalize, runs[name][0]["learning_rate"], budget, ctx.seeds[0])
                          for name, normalize in KINDS}, ctx.seeds,
                         also=" and its own learning_rate, 1/λmax of its data")
    _claims(result, runs, budget)
    _plot(ctx, result, per_seed[0])


def _claims(result, runs: dict, budget: int) -> None:
    """Fewer iterations: a sign test over the seeds (a run that never reached the target counts as budget + 1,
    a lower bound); a round cost: a rule on every seed (condition number below 10 normalized, above raw)."""
    raw, norm = runs["raw features"], runs["normalized"]

    def iterations(rs):
        return [budget + 1 if r["iterations_to_target"] is None else r["iterations_to_target"] for r in rs]

    fewer = paired_differences(iterations(raw), iterations(norm))
    shown = [("> " + str(budget)) if r["iterations_to_target"] is None else str(r["iterations_to_target"]) for r in raw]
    result.claim("normalized inputs need fewer gradient-descent iterations", sign_test(fewer),
                 f"per seed {', '.join(str(i) for i in iterations(norm))} vs {', '.join(shown)}")
    result.claim("normalization makes the cost round (condition number below 10, raw above 10, every seed)",
                 every_seed([n["condition_number"] < 10 < r["condition_number"]
                             for n, r in zip(norm, raw, strict=True)]),
                 f"median {np.median([r['condition_number'] for r in norm]):.3g} vs "
                 f"{np.median([r['condition_number'] for r in raw]):.3g}")


def _plot(ctx, result, first: dict) -> None:
    """The cost contours and the cost curves of the first seed's data."""
    seed, J_star = first["seed"], first["J_star"]
    fig = new_figure(11, 4.5)
    for i, (name, normalize) in enumerate(KINDS):
        ax = fig.add_subplot(1, 2, i + 1)
        _contours(ax, first["X"], first["Y"], normalize)
        ax.set_title(f"{name}: cost contours over (w1, w2), b at its best; seed {seed}")
    ctx.save_figure(fig, "contours.png", result, shows=f"seed {seed}")
    fig = new_figure()
    ax = fig.add_subplot()
    for name, r in first["runs"].items():
        ax.plot(np.arange(1, len(r["costs"]) + 1), np.asarray(r["costs"]) - J_star + 1e-16, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("J - J*")
    ax.legend()
    ax.set_title(f"gradient descent with α = 1/λmax, seed {seed}")
    ctx.save_figure(fig, "costs.png", result, shows=f"seed {seed}")


def cost_with_best_b(X, Y, w1, w2):
    """J(w1, w2) = 1/(2m) Σ (w1 x1 + w2 x2 + b - y)² with b at its best for each (w1, w2), on arrays of weights.

    The best b makes the residual's mean zero, so J = ½ Var(w1 x1 + w2 x2 - y); with the (1/m) covariances
    S = cov(x, x), s = cov(x, y) and v = var(y):  J = ½ (wᵀ S w - 2 wᵀ s + v),  a quadratic bowl whose shape
    is S alone (normalizing the inputs makes S the correlation matrix, round when the features are
    uncorrelated). One formula per grid point instead of a pass over the m examples.
    """
    Xc = X - X.mean(axis=1, keepdims=True)
    Yc = (Y - Y.mean()).ravel()
    S, s, v = Xc @ Xc.T / X.shape[1], Xc @ Yc / X.shape[1], Yc @ Yc / X.shape[1]
    return (S[0, 0] * w1**2 + 2 * S[0, 1] * w1 * w2 + S[1, 1] * w2**2 - 2 * (s[0] * w1 + s[1] * w2) + v) / 2


def _contours(ax, X, Y, normalize: bool) -> None:
    if normalize:
        X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    A = np.vstack([X, np.ones((1, X.shape[1]))])
    best, *_ = np.linalg.lstsq(A.T, Y.T, rcond=None)
    w1, w2 = best[0, 0], best[1, 0]
    span = 2 * max(abs(w1), abs(w2))  # the same span on both axes, so the shape of the bowl shows
    g1, g2 = np.meshgrid(np.linspace(w1 - span, w1 + span, 300), np.linspace(w2 - span, w2 + span, 300))
    J = cost_with_best_b(X, Y, g1, g2)
    ax.contour(g1, g2, J, levels=np.geomspace(J.min() * 1.05 + 1e-9, J.max(), 20), cmap="viridis")
    ax.set_aspect("equal")
    ax.plot([w1], [w2], "r*", markersize=10)
    ax.set_xlabel("w1 (weight of x1)")
    ax.set_ylabel("w2 (weight of x2)")
