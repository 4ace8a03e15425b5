"""Lab: a 2-layer and a 4-layer network on cat vs non-cat (the course's deep-network assignment).

The course's 209 training and 50 test 64x64 RGB images, flattened to columns of 12 288 values in
[0, 1]; full-batch gradient descent with learning rate 0.0075 for 2 500 iterations; a 2-layer
(12288, 7, 1) and a 4-layer [12288, 20, 7, 5, 1] network, ReLU hidden layers and a sigmoid output,
both initialized as the course did for its L-layer model (W / √n[l-1], glassnet's "xavier").
Quick mode runs 100 iterations and 3 seeds: long enough for the median network to beat the
all-non-cat guess on the training set, far too short for the test accuracies the notes compare.
"""

from __future__ import annotations

import numpy as np

from ..data.datasets import load_cats
from ..network import Network
from ..plots import new_figure
from .report import median_range, pct

TITLE_ZH = "前向传播和反向传播 / 深层神经网络"
TITLE_EN = "Forward and backward propagation: a deep network"

QUICK_ITERATIONS = 100
"""Quick mode's iterations: each costs two 20 x 12 288 by 12 288 x 209 products in the 4-layer network."""

ARCHITECTURES = {"2-layer (12288, 7, 1)": [12288, 7, 1], "4-layer [12288, 20, 7, 5, 1]": [12288, 20, 7, 5, 1]}


def run(ctx, result) -> None:
    X, Y, X_test, Y_test = load_cats(ctx.data_path)
    iterations = QUICK_ITERATIONS if ctx.quick else 2_500
    seeds = ctx.seeds[:3] if ctx.quick else ctx.seeds
    runs = {name: [] for name in ARCHITECTURES}
    curves = {}
    for seed in seeds:
        for name, dims in ARCHITECTURES.items():
            net = Network(dims, hidden_activation="relu", output_activation="sigmoid", initializer="xavier",
                          dtype="float32", seed=seed)
            history = net.fit(X, Y, epochs=iterations, batch_size=None, schedule=None, optimizer="gd", learning_rate=0.0075)
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
    med = {name: {k: float(np.median([r[k] for r in rs])) for k in ("train_accuracy", "test_accuracy",
                                                                     "first_cost", "final_cost")}
           for name, rs in runs.items()}
    two, four = med["2-layer (12288, 7, 1)"], med["4-layer [12288, 20, 7, 5, 1]"]
    result.claim("gradient descent lowers the cost of both networks",
                 two["final_cost"] < two["first_cost"] and four["final_cost"] < four["first_cost"],
                 f"2-layer {two['first_cost']:.3f} -> {two['final_cost']:.3f}, "
                 f"4-layer {four['first_cost']:.3f} -> {four['final_cost']:.3f}")
    result.claim("both networks learn the training set better than chance (65.6 % are non-cats)",
                 two["train_accuracy"] > 0.66 and four["train_accuracy"] > 0.66,
                 f"{pct(two['train_accuracy'])}, {pct(four['train_accuracy'])}")
    result.claim("the 4-layer network reaches a higher median test accuracy than the 2-layer one",
                 four["test_accuracy"] > two["test_accuracy"],
                 f"{pct(four['test_accuracy'])} vs {pct(two['test_accuracy'])}")

    fig = new_figure()
    ax = fig.add_subplot()
    for name, costs in curves.items():
        ax.plot(np.arange(1, len(costs) + 1), costs, label=name)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J")
    ax.set_title(f"cat vs non-cat, seed {seeds[0]}")
    ax.legend()
    ctx.save_figure(fig, "costs.png", result)
