"""Lab: early stopping on a dev set — train and dev cost, the stopping point, restored weights.

An over-fitting setup: 100 noisy two-moons examples to train on, 300 for dev, a [2, 100, 100, 1]
ReLU network trained with Adam. Each seed is trained twice from the same start: once for all
epochs (the dev cost falls, then rises while the training cost keeps falling) and once with
``EarlyStopping(patience)``, which stops and restores the weights of the best dev epoch.
"""

from __future__ import annotations

import numpy as np

from .. import runs as run_specs
from ..data.datasets import make_moons
from ..plots import new_figure
from .evidence import paired_differences, sign_test
from .report import median_range, paired_text

TITLE_ZH = "其他正则化方法: early stopping"
TITLE_EN = "Early stopping"


def specs(epochs: int, patience: int, seed: int) -> dict[str, run_specs.RunSpec]:
    """The two trainings of a seed as RunSpecs: [2, 100, 100, 1] ReLU, float64, full-batch Adam at the
    constant rate 0.01, the inputs as they are; "stopped" adds early stopping with ``patience`` on the dev
    cost (the best epoch's weights restored). The dev set is the lab's own (runs.fit's X_dev, Y_dev)."""
    full = run_specs.RunSpec(layers=(100, 100), activation="relu", dtype="float64", optimizer="adam",
                             learning_rate=0.01, schedule="constant", epochs=epochs, batch_size=None,
                             normalize=False, seed=seed)
    return {"full": full, "stopped": full.replace(early_stopping=patience)}


def run(ctx, result) -> None:
    epochs, patience = (300, 20) if ctx.quick else (1500, 50)
    per_seed = []
    first = None
    for seed in ctx.seeds:
        X, Y = make_moons(100, noise=0.35, seed=seed)
        X_dev, Y_dev = make_moons(300, noise=0.35, seed=seed + 10_000)

        spec = specs(epochs, patience, seed)
        full = run_specs.build(spec["full"], 2, 1, "sigmoid")
        h_full = run_specs.fit(spec["full"], full, X, Y, X_dev, Y_dev)
        stopped = run_specs.build(spec["stopped"], 2, 1, "sigmoid")
        h_stop = run_specs.fit(spec["stopped"], stopped, X, Y, X_dev, Y_dev)
        best = int(np.argmin(h_full["dev_cost"]))
        record = {
            "seed": seed, "best_epoch": h_stop.best_epoch, "stopped_epoch": h_stop.stopped_epoch or epochs,
            "dev_cost_restored": stopped.evaluate(X_dev, Y_dev)["cost"],
            "dev_cost_final": full.evaluate(X_dev, Y_dev)["cost"],
            "dev_accuracy_restored": stopped.evaluate(X_dev, Y_dev)["accuracy"],
            "dev_accuracy_final": full.evaluate(X_dev, Y_dev)["accuracy"],
            "train_cost_at_best": h_full["cost"][best], "train_cost_final": h_full["cost"][-1],
        }
        per_seed.append(record)
        if first is None:
            first = (h_full, h_stop)
    for key in ("best_epoch", "stopped_epoch", "dev_cost_restored", "dev_cost_final", "dev_accuracy_restored",
                "dev_accuracy_final", "train_cost_at_best", "train_cost_final"):
        result.rows.append({"measure": key, "median [range] over seeds": median_range([r[key] for r in per_seed])})
    result.notes.append(f"Adam lr 0.01, full batch, {epochs} epochs, patience {patience}, seeds {ctx.seeds}")
    result.data = {"epochs": epochs, "patience": patience, "runs": per_seed}
    result.describe_runs(specs(epochs, patience, ctx.seeds[0]), ctx.seeds)
    result.set_n(ctx.seeds, train=100, dev=300)
    _claims(result, per_seed, epochs)

    h_full, h_stop = first
    fig = new_figure()
    ax = fig.add_subplot()
    ax.plot(h_full["epoch"], h_full["cost"], label="train cost")
    ax.plot(h_full["epoch"], h_full["dev_cost"], label="dev cost")
    ax.axvline(h_stop.best_epoch, color="green", linestyle="--", label=f"best epoch {h_stop.best_epoch} (restored)")
    ax.axvline(h_stop.stopped_epoch, color="grey", linestyle=":", label=f"stopped at {h_stop.stopped_epoch}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost")
    ax.set_yscale("log")
    ax.legend()
    ax.set_title(f"early stopping, seed {ctx.seeds[0]} (one of {len(ctx.seeds)}; the claims use all)")
    ctx.save_figure(fig, "early_stopping.png", result, shows=f"seed {ctx.seeds[0]}")


def _claims(result, per_seed: list[dict], epochs: int) -> None:
    """The notes' claims, each an exact sign test over the seeds (one training of each kind per seed)."""
    def values(key):
        return [epochs if r[key] is None else r[key] for r in per_seed]

    def med(key):
        return float(np.median(values(key)))

    fell = paired_differences(values("train_cost_at_best"), values("train_cost_final"))
    result.claim("the training cost keeps falling after the best dev epoch (over-fitting)", sign_test(fell),
                 f"median {med('train_cost_at_best'):.3g} at the best epoch -> {med('train_cost_final'):.3g}; "
                 + paired_text(fell, scale=1, unit="", label="at best - final"))
    early = paired_differences([epochs // 2] * len(per_seed), values("stopped_epoch"))
    result.claim("early stopping stops well before the last epoch (in the first half of the epochs)",
                 sign_test(early), f"median stop at epoch {med('stopped_epoch'):.0f} of {epochs}, per seed "
                                   f"{values('stopped_epoch')}")
    better = paired_differences(values("dev_cost_final"), values("dev_cost_restored"))
    result.claim("the restored weights have a lower dev cost than the weights at the end of training",
                 sign_test(better), f"median {med('dev_cost_restored'):.3g} vs {med('dev_cost_final'):.3g}; "
                                    + paired_text(better, scale=1, unit="", label="final - restored"))
