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

from .. import runs as run_specs
from ..data.datasets import load_course_2d
from ..plots import decision_boundary, new_figure, paired_seeds
from .evidence import paired_differences, sign_test
from .report import median_range, paired_text, pct

TITLE_ZH = "drop正则化 / 其他正则化方法"
TITLE_EN = "Regularization: L2 and dropout"

VARIANTS = {  # name: (RunSpec fields, fixed dropout masks?)
    "none": ({}, False),
    "L2 (λ = 0.7)": ({"l2": 0.7}, False),
    "dropout 0.86, fresh masks": ({"keep_prob": 0.86}, False),
    "dropout 0.86, one fixed mask": ({"keep_prob": 0.86}, True),
}


def spec(config: dict, seed: int) -> run_specs.RunSpec:
    """The training of variant ``config["variant"]`` as a RunSpec: [2, 20, 3, 1] ReLU, xavier, float64, the
    variant's l2 or keep_prob, full batch, ``config``'s optimizer and learning rate at a constant rate for
    ``config["iterations"]`` epochs, the inputs as they are. (One fixed mask is no RunSpec setting: the lab
    trains that variant inside ``Network.fixed_dropout_masks``.)"""
    fields, _ = VARIANTS[config["variant"]]
    return run_specs.RunSpec(layers=(20, 3), activation="relu", initializer="xavier", dtype="float64",
                             optimizer=config["optimizer"], learning_rate=config["learning_rate"],
                             schedule="constant", epochs=config["iterations"], batch_size=None, normalize=False,
                             seed=seed, **fields)


def train_variant(data: dict, config: dict, seed: int) -> dict:
    """One training of the lab: variant ``config["variant"]`` from ``seed``; its accuracies and final cost.

    Module-level so that worker processes and Dask workers can import it; ``config["keep"]`` also
    returns the trained network (the figure shows the first seed's).
    """
    run_spec = spec(config, seed)
    net = run_specs.build(run_spec, 2, 1, "sigmoid")
    masks = net.fixed_dropout_masks() if VARIANTS[config["variant"]][1] else contextlib.nullcontext()
    with masks:
        history = run_specs.fit(run_spec, net, data["X"], data["Y"])
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
    result.set_n(ctx.seeds, train=X.shape[1], test=X_test.shape[1])
    result.data = {"optimizer": optimizer, "learning_rate": learning_rate, "iterations": iterations,
                   "seeds": ctx.seeds, "runs": runs}
    result.describe_runs({config["variant"]: spec(config, seed) for config, seed in items if seed == ctx.seeds[0]},
                         ctx.seeds)
    claims(result, runs, X.shape[1], X_test.shape[1])
    fresh, fixed = runs["dropout 0.86, fresh masks"], runs["dropout 0.86, one fixed mask"]
    test, train = ([a[key] - b[key] for a, b in zip(fresh, fixed, strict=True)]
                   for key in ("test_accuracy", "train_accuracy"))
    result.notes.append(
        f"fresh masks vs one fixed mask: {paired_text(test, label='test, fresh - fixed')}, "
        f"{paired_text(train, label='train, fresh - fixed')}"
        ". A fixed mask is no longer dropout: it trains one thinned network, which then runs whole at test time.")
    _figures(ctx, result, kept, runs, X_test, Y_test)


CLAIMS = (  # (text, the arm the claim says is larger, the other arm, the accuracy compared)
    ("L2 (λ = 0.7) raises test accuracy over no regularization", "L2 (λ = 0.7)", "none", "test_accuracy"),
    ("L2 lowers the training accuracy (it fits the training set less closely)", "none", "L2 (λ = 0.7)",
     "train_accuracy"),
    ("dropout (fresh masks) raises test accuracy over no regularization", "dropout 0.86, fresh masks", "none",
     "test_accuracy"),
)


def claims(result, runs: dict, n_train: int, n_test: int) -> None:
    """The notes' claims, each an exact sign test over the seeds of d_s = larger arm - other arm (same seed).

    ``runs``: {variant: [{"seed", "train_accuracy", "test_accuracy", ...} per seed, the same seeds in order]}.
    """
    for text, larger, smaller, key in CLAIMS:
        a, b = [r[key] for r in runs[larger]], [r[key] for r in runs[smaller]]
        if [r["seed"] for r in runs[larger]] != [r["seed"] for r in runs[smaller]]:
            raise ValueError(f"claim {text!r}: the arms ran on different seeds")
        one = 100 / (n_test if key == "test_accuracy" else n_train)
        result.claim(text, sign_test(paired_differences(a, b)),
                     f"median {pct(float(np.median(a)))} ({larger}) vs {pct(float(np.median(b)))} ({smaller}); "
                     f"{paired_text(paired_differences(a, b), label=f'{larger} - {smaller}')}, one example = "
                     f"{one:.2g} points")


def _figures(ctx, result, kept: dict, runs: dict, X_test, Y_test) -> None:
    """The first seed's decision boundaries (said so), and every seed's test accuracy per variant."""
    seed, n = ctx.seeds[0], len(ctx.seeds)
    fig = new_figure(16, 4.4)
    for i, (name, net) in enumerate(kept.items()):
        acc = net.evaluate(X_test, Y_test)["accuracy"]
        decision_boundary(net, X_test, Y_test, title=f"{name}\nseed {seed}: test {pct(acc)}",
                          ax=fig.add_subplot(1, 4, i + 1), resolution=150)
    fig.suptitle(f"test set and decision boundaries of seed {seed}, one of {n} seeds (the table and the claims use "
                 f"all {n}: test_accuracy_by_seed.png)", fontsize=9)
    ctx.save_figure(fig, "boundaries.png", result, shows=f"seed {seed}")
    fig = paired_seeds({name: [r["test_accuracy"] for r in rs] for name, rs in runs.items()}, ctx.seeds,
                       "test accuracy (%)", f"test accuracy per seed, lines join one seed; median over {n} seeds")
    ctx.save_figure(fig, "test_accuracy_by_seed.png", result, shows=f"median over {n} seeds")
