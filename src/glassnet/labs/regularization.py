"""Lab: L2 and dropout on the course's 2-D data set (the regularization assignment).

The course's set (``regularization-2d/data.mat``: 211 train / 200 test points), a [2, 20, 3, 1]
ReLU network with a sigmoid output, Xavier initialization (the course's W / √n[l-1]):
none vs L2 (λ = 0.7) vs dropout (keep_prob 0.86 on both hidden layers), trained with full-batch
gradient descent, learning rate 0.3, 30 000 iterations. Quick mode trains with Adam (learning rate
0.01, 2 000 iterations), where the same over-fitting shows in a fraction of the time.

Dropout runs twice: with fresh masks at every iteration (what glassnet does, and what dropout
means) and with one mask set drawn once and reused at every iteration (what the course's
assignment code did, by re-seeding NumPy inside its forward pass).

The trainings run one after another by default; ``glassnet lab regularization --seeds 50 --dask
local`` (or ``--scheduler ADDRESS``, ``--jobs N``) runs them in parallel and gives the same table.
"""

from __future__ import annotations

import contextlib

import numpy as np

from ..data.datasets import load_course_2d
from ..network import Network
from ..plots import decision_boundary, new_figure
from .report import median_range, pct

TITLE_ZH = "drop正则化 / 其他正则化方法"
TITLE_EN = "Regularization: L2 and dropout"

VARIANTS = {  # name: (Network keywords, fixed dropout masks?)
    "none": ({}, False),
    "L2 (λ = 0.7)": ({"l2": 0.7}, False),
    "dropout 0.86, fresh masks": ({"keep_prob": 0.86}, False),
    "dropout 0.86, one fixed mask": ({"keep_prob": 0.86}, True),
}


def train_variant(data: dict, config: dict, seed: int) -> dict:
    """One training of the lab: variant ``config["variant"]`` from ``seed``; its accuracies and final cost.

    Module-level so that worker processes and Dask workers can import it; ``config["keep"]`` also
    returns the trained network (the figure shows the first seed's).
    """
    kwargs, fixed = VARIANTS[config["variant"]]
    net = Network([2, 20, 3, 1], hidden_activation="relu", output_activation="sigmoid",
                  initializer="xavier", dtype="float64", seed=seed, **kwargs)
    masks = net.fixed_dropout_masks() if fixed else contextlib.nullcontext()
    with masks:
        history = net.fit(data["X"], data["Y"], epochs=config["iterations"], batch_size=None, schedule=None,
                          optimizer=config["optimizer"],
                          learning_rate=config["learning_rate"])
    run = {"seed": seed, "train_accuracy": net.evaluate(data["X"], data["Y"])["accuracy"],
           "test_accuracy": net.evaluate(data["X_test"], data["Y_test"])["accuracy"],
           "final_cost": history["cost"][-1]}
    return {"run": run, "net": net if config["keep"] else None}


def run(ctx, result) -> None:
    X, Y, X_test, Y_test = load_course_2d(ctx.data_path)
    if ctx.quick:
        optimizer, learning_rate, iterations = "adam", 0.01, 2_000
    else:
        optimizer, learning_rate, iterations = "gd", 0.3, 30_000
    result.notes.append(f"[2, 20, 3, 1] ReLU/sigmoid, xavier init, full batch, {optimizer} learning rate "
                        f"{learning_rate}, {iterations} iterations, seeds {ctx.seeds}")
    # Each (seed, variant) is one training; ctx.map runs them on the lab's backend (sequential unless asked).
    items = [({"variant": name, "optimizer": optimizer, "learning_rate": learning_rate, "iterations": iterations,
               "keep": seed == ctx.seeds[0]}, seed) for seed in ctx.seeds for name in VARIANTS]
    values = ctx.map(train_variant, {"X": X, "Y": Y, "X_test": X_test, "Y_test": Y_test}, items)
    runs = {name: [] for name in VARIANTS}
    kept = {}
    for (config, _), value in zip(items, values, strict=True):
        runs[config["variant"]].append(value["run"])
        if value["net"] is not None:
            kept[config["variant"]] = value["net"]
    for name, rs in runs.items():
        result.rows.append({"model": name,
                            "train acc median [range]": median_range([r["train_accuracy"] for r in rs]),
                            "test acc median [range]": median_range([r["test_accuracy"] for r in rs])})
    result.data = {"optimizer": optimizer, "learning_rate": learning_rate, "iterations": iterations,
                   "seeds": ctx.seeds, "runs": runs}
    med = {name: {key: float(np.median([r[key] for r in rs])) for key in ("train_accuracy", "test_accuracy")}
           for name, rs in runs.items()}
    none, l2 = med["none"], med["L2 (λ = 0.7)"]
    fresh, fixed = med["dropout 0.86, fresh masks"], med["dropout 0.86, one fixed mask"]
    result.claim("L2 (λ = 0.7) raises the median test accuracy over no regularization",
                 l2["test_accuracy"] > none["test_accuracy"],
                 f"{pct(l2['test_accuracy'])} vs {pct(none['test_accuracy'])}")
    result.claim("L2 lowers the training accuracy (it fits the training set less closely)",
                 l2["train_accuracy"] < none["train_accuracy"],
                 f"{pct(l2['train_accuracy'])} vs {pct(none['train_accuracy'])}")
    result.claim("dropout (fresh masks) raises the median test accuracy over no regularization",
                 fresh["test_accuracy"] > none["test_accuracy"],
                 f"{pct(fresh['test_accuracy'])} vs {pct(none['test_accuracy'])}")
    result.notes.append(
        f"fresh masks vs one fixed mask: test {pct(fresh['test_accuracy'])} vs {pct(fixed['test_accuracy'])}, "
        f"train {pct(fresh['train_accuracy'])} vs {pct(fixed['train_accuracy'])}. A fixed mask is no longer "
        "dropout: it trains one thinned network, which then runs whole at test time.")

    fig = new_figure(16, 4)
    for i, (name, net) in enumerate(kept.items()):
        acc = net.evaluate(X_test, Y_test)["accuracy"]
        decision_boundary(net, X_test, Y_test, title=f"{name}\ntest {pct(acc)}", ax=fig.add_subplot(1, 4, i + 1),
                          resolution=150)
    ctx.save_figure(fig, "boundaries.png", result)
