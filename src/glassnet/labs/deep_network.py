"""Lab: a 2-layer and a 4-layer network on cat vs non-cat (the course's deep-network assignment).

The course's 209 training and 50 test 64x64 RGB images, flattened to columns of 12 288 values in
[0, 1]; full-batch gradient descent with learning rate 0.0075 for 2 500 iterations; a 2-layer
(12288, 7, 1) and a 4-layer [12288, 20, 7, 5, 1] network, ReLU hidden layers and a sigmoid output,
both initialized as the course did for its L-layer model (W / √n[l-1], glassnet's "xavier").
Quick mode runs 50 iterations on every seed (5 by default, the fewest a sign test over seeds can
decide on): long enough for the cost to fall on every seed, far too short to beat the all-non-cat
guess or for the test accuracies the notes compare, which its claims then call inconclusive.
"""

from __future__ import annotations

import numpy as np

from .. import runs as run_specs
from ..data.datasets import load_cats
from ..plots import new_figure
from .evidence import all_of, sign_test
from .report import median_range, paired_text, pct

TITLE_ZH = "前向传播和反向传播 / 深层神经网络"
TITLE_EN = "Forward and backward propagation: a deep network"

QUICK_ITERATIONS = 50
"""Quick mode's iterations: each costs two 20 x 12 288 by 12 288 x 209 products in the 4-layer network."""

ARCHITECTURES = {"2-layer (12288, 7, 1)": [12288, 7, 1], "4-layer [12288, 20, 7, 5, 1]": [12288, 20, 7, 5, 1]}


def spec(dims, iterations: int, seed: int) -> run_specs.RunSpec:
    """One training as a RunSpec: the hidden layers of ``dims``, ReLU, xavier, float32, full-batch gradient
    descent at the constant rate 0.0075 for ``iterations`` epochs (one step each), the pixels as loaded."""
    return run_specs.RunSpec(layers=tuple(dims[1:-1]), activation="relu", initializer="xavier", dtype="float32",
                             optimizer="gd", learning_rate=0.0075, schedule="constant", epochs=iterations,
                             batch_size=None, normalize=False, seed=seed)


def run(ctx, result) -> None:
    X, Y, X_test, Y_test = load_cats(ctx.data_path)
    iterations = QUICK_ITERATIONS if ctx.quick else 2_500
    seeds = ctx.seeds
    runs = {name: [] for name in ARCHITECTURES}
    curves = {}
    for seed in seeds:
        for name, dims in ARCHITECTURES.items():
            run_spec = spec(dims, iterations, seed)
            net = run_specs.build(run_spec, dims[0], dims[-1], "sigmoid")
            history = run_specs.fit(run_spec, net, X, Y)
            costs = history["cost"]
            runs[name].append({"seed": seed, "train_accuracy": net.evaluate(X, Y)["accuracy"],
                               "test_accuracy": net.evaluate(X_test, Y_test)["accuracy"],
                               "first_cost": costs[0], "final_cost": costs[-1]})
            if seed == seeds[0]:
                curves[name] = costs
    for name, rs in runs.items():
        result.rows.append({"network": name,
                            "cost: first -> last (median)": f"{np.median([r['first_cost'] for r in rs]):.3f} -> "
                                                            f"{np.median([r['final_cost'] for r in rs]):.3f}",
                            "train acc median [range]": median_range([r["train_accuracy"] for r in rs]),
                            "test acc median [range]": median_range([r["test_accuracy"] for r in rs])})
    result.notes.append(f"full-batch gradient descent, learning rate 0.0075, {iterations} iterations, float32, "
                        f"seeds {seeds}; the course reports 72 % (2-layer) and 80 % (4-layer) test accuracy")
    result.data = {"iterations": iterations, "seeds": seeds, "runs": runs, "costs_first_seed": curves}
    result.describe_runs({name: spec(dims, iterations, seeds[0]) for name, dims in ARCHITECTURES.items()}, seeds)
    result.set_n(seeds, train=X.shape[1], test=X_test.shape[1])
    _claims(result, runs, chance=1 - float(np.mean(Y)))
    _plot(ctx, result, curves, seeds)


def _claims(result, runs: dict, chance: float) -> None:
    """The notes' claims, each an exact sign test over the seeds (both networks trained from each seed).

    ``chance``: the training accuracy of the all-non-cat guess, 1 - mean(Y).
    """
    names = {"2-layer": "2-layer (12288, 7, 1)", "4-layer": "4-layer [12288, 20, 7, 5, 1]"}

    def per_seed(name, key):
        return np.array([r[key] for r in runs[name]], dtype=float)

    two, four = ({k: float(np.median(per_seed(names[short], k))) for k in ("train_accuracy", "test_accuracy",
                                                                          "first_cost", "final_cost")}
                 for short in names)
    lower = all_of({short: sign_test(per_seed(name, "first_cost") - per_seed(name, "final_cost"))
                    for short, name in names.items()})
    result.claim("gradient descent lowers the cost of both networks", lower,
                 f"median 2-layer {two['first_cost']:.3f} -> {two['final_cost']:.3f}, "
                 f"4-layer {four['first_cost']:.3f} -> {four['final_cost']:.3f}")
    learn = all_of({short: sign_test(per_seed(name, "train_accuracy") - chance, tolerance=1e-9)
                    for short, name in names.items()})
    result.claim(f"both networks learn the training set better than chance ({pct(chance)} are non-cats)", learn,
                 f"median {pct(two['train_accuracy'])}, {pct(four['train_accuracy'])}")
    deeper = per_seed(names["4-layer"], "test_accuracy") - per_seed(names["2-layer"], "test_accuracy")
    result.claim("the 4-layer network reaches a higher test accuracy than the 2-layer one", sign_test(deeper),
                 f"median {pct(four['test_accuracy'])} vs {pct(two['test_accuracy'])}; "
                 f"{paired_text(deeper, label='4-layer - 2-layer')}, "
                 "one test example = 2 points")


def _plot(ctx, result, curves: dict, seeds) -> None:
    """The cost per iteration of both networks, first seed."""
    fig = new_figure()
    ax = fig.add_subplot()
    for name, costs in curves.items():
        ax.plot(np.arange(1, len(costs) + 1), costs, label=name)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J")
    ax.set_title(f"cat vs non-cat, seed {seeds[0]} (one of {len(seeds)}; the claims use all)")
    ax.legend()
    ctx.save_figure(fig, "costs.png", result, shows=f"seed {seeds[0]}")
