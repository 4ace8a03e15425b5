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

from ..network import Network
from ..plots import new_figure
from ..training import Callback

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


def run(ctx, result) -> None:
    budget = 3_000 if ctx.quick else 30_000
    X, Y = make_data(ctx.seed)
    J_star = optimum(X, Y)
    target = J_star * 1.01 + 1e-12  # within 1 % of the best possible cost
    runs = {}
    for name, normalize in (("raw features", False), ("normalized", True)):
        net = Network([2, 1], output_activation="linear", initializer="zeros", dtype="float64", seed=ctx.seed)
        if normalize:
            from ..data.preprocessing import Standardizer

            X_seen = Standardizer().fit(X).transform(X)
        else:
            X_seen = X
        eig = hessian_eigenvalues(X_seen)
        learning_rate = 1.0 / eig.max()
        stop = _StopAt(target)
        history = net.fit(X, Y, epochs=budget, batch_size=None, schedule=None, optimizer="gd", learning_rate=learning_rate, normalize=normalize,
                          callbacks=[stop])
        runs[name] = {"learning_rate": learning_rate, "condition_number": float(eig.max() / eig.min()),
                      "iterations_to_target": stop.reached, "final_cost": history["cost"][-1],
                      "costs": history["cost"], "net": net}
        result.rows.append({
            "inputs": name, "x1 range": f"{X_seen[0].min():.3g}..{X_seen[0].max():.3g}",
            "x2 range": f"{X_seen[1].min():.3g}..{X_seen[1].max():.3g}",
            "condition number": f"{eig.max() / eig.min():.3g}", "learning rate 1/λmax": f"{learning_rate:.3g}",
            "iterations to J* + 1%": stop.reached if stop.reached else f"> {budget}",
            "final cost": history["cost"][-1],
        })
    result.notes.append(f"J* = {J_star:.5g} (least squares); target J <= {target:.5g}; budget {budget} iterations")
    raw, norm = runs["raw features"], runs["normalized"]
    raw_iters = raw["iterations_to_target"] or float("inf")
    result.claim("normalized inputs need fewer gradient-descent iterations",
                 norm["iterations_to_target"] is not None and norm["iterations_to_target"] < raw_iters,
                 f"{norm['iterations_to_target']} vs {raw['iterations_to_target'] or '> ' + str(budget)}")
    result.claim("normalization makes the cost round (condition number near 1)",
                 norm["condition_number"] < 10 < raw["condition_number"],
                 f"{norm['condition_number']:.3g} vs {raw['condition_number']:.3g}")
    result.data = {"J_star": J_star, "budget": budget, "seed": ctx.seed,
                   "runs": {k: {kk: vv for kk, vv in v.items() if kk != "net"} for k, v in runs.items()}}

    fig = new_figure(11, 4.5)
    for i, (name, normalize) in enumerate((("raw features", False), ("normalized", True))):
        ax = fig.add_subplot(1, 2, i + 1)
        _contours(ax, X, Y, normalize)
        ax.set_title(f"{name}: cost contours over (w1, w2), b at its best")
    ctx.save_figure(fig, "contours.png", result)
    fig = new_figure()
    ax = fig.add_subplot()
    for name, r in runs.items():
        ax.plot(np.arange(1, len(r["costs"]) + 1), np.asarray(r["costs"]) - J_star + 1e-16, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("J - J*")
    ax.legend()
    ax.set_title("gradient descent with α = 1/λmax")
    ctx.save_figure(fig, "costs.png", result)


def _contours(ax, X, Y, normalize: bool) -> None:
    if normalize:
        X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    A = np.vstack([X, np.ones((1, X.shape[1]))])
    best, *_ = np.linalg.lstsq(A.T, Y.T, rcond=None)
    w1, w2 = best[0, 0], best[1, 0]
    span = 2 * max(abs(w1), abs(w2))  # the same span on both axes, so the shape of the bowl shows
    g1, g2 = np.meshgrid(np.linspace(w1 - span, w1 + span, 300), np.linspace(w2 - span, w2 + span, 300))
    W = np.stack([g1.ravel(), g2.ravel()])
    residual_wo_b = W.T @ X - Y  # (grid, m): b set to its best value for each (w1, w2)
    b = -residual_wo_b.mean(axis=1, keepdims=True)
    J = ((residual_wo_b + b) ** 2).mean(axis=1) / 2
    ax.contour(g1, g2, J.reshape(g1.shape), levels=np.geomspace(J.min() * 1.05 + 1e-9, J.max(), 20), cmap="viridis")
    ax.set_aspect("equal")
    ax.plot([w1], [w2], "r*", markersize=10)
    ax.set_xlabel("w1 (weight of x1)")
    ax.set_ylabel("w2 (weight of x2)")
