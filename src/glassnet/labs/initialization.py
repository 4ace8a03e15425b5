"""Lab: zeros vs large random vs He initialization on the circles data (the course's experiment).

circles (scikit-learn ``make_circles``, 300 train / 100 test, noise 0.05), a [2, 10, 5, 1] network
(ReLU, sigmoid output), full-batch gradient descent with learning rate 0.01 for 15 000
iterations (quick mode: learning rate 0.1 for 800 iterations, the same comparison in less time).
"""

from __future__ import annotations

import numpy as np

from .. import runs as run_specs
from ..plots import decision_boundary, new_figure
from .evidence import every_seed, paired_differences, sign_test
from .report import median_range, paired_text, pct

TITLE_ZH = "神经网络的权重初始化"
TITLE_EN = "Weight initialization"

VARIANTS = {  # name: (initializer, init_scale)
    "zeros": ("zeros", 1.0),
    "random x 10": ("random", 10.0),
    "he": ("he", 1.0),
}


def spec(name: str, iterations: int, learning_rate: float, seed: int) -> run_specs.RunSpec:
    """One training as a RunSpec: [2, 10, 5, 1] ReLU, the initialization of variant ``name``, float64,
    full-batch gradient descent at a constant rate, the inputs as they are (no normalization)."""
    initializer, scale = VARIANTS[name]
    return run_specs.RunSpec(layers=(10, 5), activation="relu", initializer=initializer, init_scale=scale,
                             dtype="float64", optimizer="gd", learning_rate=learning_rate, schedule="constant",
                             epochs=iterations, batch_size=None, normalize=False, seed=seed)


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
        for name in VARIANTS:
            run_spec = spec(name, iterations, learning_rate, seed)
            net = run_specs.build(run_spec, 2, 1, "sigmoid")
            history = run_specs.fit(run_spec, net, X, Y)
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

    result.describe_runs({name: spec(name, iterations, learning_rate, ctx.seeds[0]) for name in VARIANTS}, ctx.seeds)
    result.set_n(ctx.seeds, train=300, test=100)
    _claims(result, runs)

    fig = new_figure(12, 4)
    seed = ctx.seeds[0]
    for i, (name, (net, _, X_test, Y_test)) in enumerate(kept.items()):
        decision_boundary(net, X_test, Y_test, title=f"{name}, seed {seed}: test {pct(runs[name][0]['test_accuracy'])}",
                          ax=fig.add_subplot(1, 3, i + 1), resolution=150)
    fig.suptitle(f"test set of seed {seed}, one of {len(ctx.seeds)} seeds (the table and the claims use all)",
                 fontsize=9)
    ctx.save_figure(fig, "boundaries.png", result, shows=f"seed {seed}")
    fig = new_figure()
    ax = fig.add_subplot()
    for name, (_, history, _, _) in kept.items():
        ax.plot(history["epoch"], history["cost"], label=name)
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J")
    ax.set_title(f"cost, seed {ctx.seeds[0]}")
    ax.legend()
    ctx.save_figure(fig, "costs.png", result, shows=f"seed {ctx.seeds[0]}")


def _claims(result, runs: dict) -> None:
    """The notes' claims: a rule on every seed (zeros), or an exact sign test over the seeds' paired runs."""
    zeros, big, he = runs["zeros"], runs["random x 10"], runs["he"]

    def values(rs, key):
        return [r[key] for r in rs]

    result.claim("zeros do not break symmetry: every hidden unit of a layer stays identical",
                 every_seed(values(zeros, "hidden_units_identical")),
                 f"{sum(values(zeros, 'hidden_units_identical'))}/{len(zeros)} runs")
    result.claim("zeros stay at chance accuracy (50 % on circles, within 10 points, every seed)",
                 every_seed([abs(a - 0.5) <= 0.1 for a in values(zeros, "test_accuracy")]),
                 f"median {pct(float(np.median(values(zeros, 'test_accuracy'))))}, per seed "
                 f"{', '.join(pct(a) for a in values(zeros, 'test_accuracy'))}")
    huge = paired_differences(values(big, "initial_cost"), 3 * np.asarray(values(he, "initial_cost")))
    result.claim("large random weights (x 10) start from a huge cost (more than 3x He's, same seed)", sign_test(huge),
                 f"median initial cost {np.median(values(big, 'initial_cost')):.3g} vs "
                 f"{np.median(values(he, 'initial_cost')):.3g} for He")
    beats = paired_differences(values(he, "test_accuracy"), values(big, "test_accuracy"))
    result.claim("He initialization beats standard normal x 10 on test accuracy", sign_test(beats),
                 f"median He {pct(float(np.median(values(he, 'test_accuracy'))))} vs x10 "
                 f"{pct(float(np.median(values(big, 'test_accuracy'))))}; {paired_text(beats, label='He - x10')}, "
                 "one example = 1 point")
