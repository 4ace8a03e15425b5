"""Lab: zeros vs large random vs He initialization on the circles data (the course's experiment).

circles (scikit-learn ``make_circles``, 300 train / 100 test, noise 0.05), a [2, 10, 5, 1] network
(ReLU, sigmoid output), full-batch gradient descent with learning rate 0.01 for 15 000
iterations (quick mode: learning rate 0.1 for 800 iterations, the same comparison in less time).
"""

from __future__ import annotations

import numpy as np

from ..network import Network
from ..plots import decision_boundary, new_figure
from .report import median_range, pct

TITLE_ZH = "神经网络的权重初始化"
TITLE_EN = "Weight initialization"

VARIANTS = {  # name: (initializer, init_scale)
    "zeros": ("zeros", 1.0),
    "random x 10": ("random", 10.0),
    "he": ("he", 1.0),
}


def circles(seed: int):
    from sklearn.datasets import make_circles

    X_train, y_train = make_circles(n_samples=300, noise=0.05, random_state=seed)
    X_test, y_test = make_circles(n_samples=100, noise=0.05, random_state=seed + 10_000)
    return X_train.T, y_train.reshape(1, -1), X_test.T, y_test.reshape(1, -1)


def run(ctx, result) -> None:
    iterations, learning_rate = (800, 0.1) if ctx.quick else (15_000, 0.01)
    result.notes.append(f"[2, 10, 5, 1] ReLU/sigmoid, full-batch gradient descent, learning rate {learning_rate}, "
                        f"{iterations} iterations, seeds {ctx.seeds} (data and weights drawn from each seed)")
    runs = {name: [] for name in VARIANTS}
    kept = {}
    for seed in ctx.seeds:
        X, Y, X_test, Y_test = circles(seed)
        for name, (initializer, scale) in VARIANTS.items():
            net = Network([2, 10, 5, 1], hidden_activation="relu", output_activation="sigmoid",
                          initializer=initializer, init_scale=scale, dtype="float64", seed=seed)
            history = net.fit(X, Y, epochs=iterations, batch_size=None, schedule=None, optimizer="gd",
                              learning_rate=learning_rate)
            W1 = net.params["W1"]
            runs[name].append({
                "seed": seed, "train_accuracy": net.evaluate(X, Y)["accuracy"],
                "test_accuracy": net.evaluate(X_test, Y_test)["accuracy"],
                "initial_cost": history["cost"][0], "final_cost": history["cost"][-1],
                "hidden_units_identical": bool(np.allclose(W1, W1[:1]) and np.allclose(net.params["W2"],
                                                                                       net.params["W2"][:1])),
            })
            if seed == ctx.seeds[0]:
                kept[name] = (net, history, X_test, Y_test)
    for name, rs in runs.items():
        result.rows.append({
            "initialization": name,
            "train acc median [range]": median_range([r["train_accuracy"] for r in rs]),
            "test acc median [range]": median_range([r["test_accuracy"] for r in rs]),
            "initial cost (median)": float(np.median([r["initial_cost"] for r in rs])),
            "final cost (median)": float(np.median([r["final_cost"] for r in rs])),
        })
    result.data = {"iterations": iterations, "learning_rate": learning_rate, "seeds": ctx.seeds, "runs": runs}

    median = {name: float(np.median([r["test_accuracy"] for r in rs])) for name, rs in runs.items()}
    zeros = runs["zeros"]
    result.claim("zeros do not break symmetry: every hidden unit of a layer stays identical",
                 all(r["hidden_units_identical"] for r in zeros), f"{sum(r['hidden_units_identical'] for r in zeros)}"
                 f"/{len(zeros)} runs")
    result.claim("zeros stay at chance accuracy (50 % on circles)",
                 all(abs(r["test_accuracy"] - 0.5) <= 0.1 for r in zeros), f"median {pct(median['zeros'])}")
    result.claim("large random weights (x 10) start from a huge cost",
                 np.median([r["initial_cost"] for r in runs["random x 10"]])
                 > 3 * np.median([r["initial_cost"] for r in runs["he"]]),
                 f"initial cost {np.median([r['initial_cost'] for r in runs['random x 10']]):.3g} vs "
                 f"{np.median([r['initial_cost'] for r in runs['he']]):.3g} for He")
    result.claim("He initialization beats standard normal x 10 on median test accuracy",
                 median["he"] > median["random x 10"],
                 f"He {pct(median['he'])} vs x10 {pct(median['random x 10'])}")

    fig = new_figure(12, 4)
    for i, (name, (net, _, X_test, Y_test)) in enumerate(kept.items()):
        decision_boundary(net, X_test, Y_test, title=f"{name}: test {pct(runs[name][0]['test_accuracy'])}",
                          ax=fig.add_subplot(1, 3, i + 1), resolution=150)
    ctx.save_figure(fig, "boundaries.png", result)
    fig = new_figure()
    ax = fig.add_subplot()
    for name, (_, history, _, _) in kept.items():
        ax.plot(history["epoch"], history["cost"], label=name)
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J")
    ax.set_title(f"cost, seed {ctx.seeds[0]}")
    ax.legend()
    ctx.save_figure(fig, "costs.png", result)
