"""Lab: understanding dropout (理解 dropout) — why J is no longer a debugging tool, and how to check it.

The course's 2-D set (data.mat: 211 training points, 200 test points), a [2, 20, 3, 1]
ReLU/sigmoid network (xavier initialization, as the course's ``initialize_parameters``),
full-batch gradient descent. The notes' advice: dropout makes the cost J ill-defined (each
iteration drops a different random set of units, so J is computed on a different network every
time), so first turn dropout off (keep_prob = 1) and make sure J falls at every iteration, then
turn it on. Measured here:

* keep_prob = 1: J[t+1] <= J[t] at every iteration (rises counted with the rule of
  ``glassnet.diagnostics.check_cost_decreases``; the learning rate 0.03 is small enough that
  gradient descent itself does not overshoot in this many iterations — at the course's 0.3,
  gradient descent on this set starts to overshoot after a few hundred iterations even without
  dropout);
* keep_prob = 0.86 on the hidden layers (the course's value): the per-iteration cost is the cost
  of a different random network every time, and rises at many iterations;
* gradient checking (ε = 1e-7, float64) on the dropped network at initialization: with dropout
  off (the notes' advice) and with one set of masks kept fixed it passes; with fresh masks at every
  evaluation of J (what a naive check of the training cost does) it fails, with no bug at all.

Each configuration runs for every seed of ``ctx.seeds`` (weights and masks drawn from the seed);
the claims read the medians and counts over the seeds.
"""

from __future__ import annotations

import numpy as np

from .. import runs as run_specs
from ..backend import blas_threads
from ..data.datasets import load_course_2d
from ..diagnostics import check_cost_decreases, layer_statistics
from ..gradcheck import gradient_check
from ..plots import new_figure
from .evidence import every_seed
from .gradient_check import fresh_masks_check
from .report import LabResult, median_range, pct

TITLE_ZH = "理解 dropout"
TITLE_EN = "Understanding dropout (and debugging it)"

LAYER_DIMS = [2, 20, 3, 1]
KEEP_PROB = 0.86
LEARNING_RATE = 0.03
EPSILON = 1e-7
RISE_TOLERANCE = 1e-12  # check_cost_decreases' rule: J[t+1] > J[t] + 1e-12·max(1, |J[t]|) is a rise


def rises(costs) -> list[int]:
    """Iterations t (0-based) where J[t+1] > J[t] + 1e-12·max(1, |J[t]|)."""
    c = np.asarray(costs, dtype=float)
    return [int(t) for t in np.nonzero(c[1:] > c[:-1] + RISE_TOLERANCE * np.maximum(1.0, np.abs(c[:-1])))[0]]


def spec(keep_prob: float, iterations: int, seed: int) -> run_specs.RunSpec:
    """One training as a RunSpec: [2, 20, 3, 1] ReLU, xavier, float64, ``keep_prob`` on the hidden layers,
    full-batch gradient descent at the constant rate ``LEARNING_RATE``, the inputs as they are."""
    return run_specs.RunSpec(layers=tuple(LAYER_DIMS[1:-1]), activation="relu", initializer="xavier",
                             dtype="float64", keep_prob=keep_prob, optimizer="gd", learning_rate=LEARNING_RATE,
                             schedule="constant", epochs=iterations, batch_size=None, normalize=False, seed=seed)


def run(ctx, result) -> None:
    X, Y, X_test, Y_test = load_course_2d(ctx.data_path)
    iterations = 1000 if ctx.quick else 3000
    runs, checks, curves = _measure(ctx, X, Y, X_test, Y_test, iterations)
    _table(result, runs, iterations)
    _stalled_note(result, runs, Y)
    _notes(ctx, result, checks, X.shape[1], X_test.shape[1], iterations)
    result.data = {"layer_dims": LAYER_DIMS, "keep_prob": KEEP_PROB, "learning_rate": LEARNING_RATE,
                   "iterations": iterations, "epsilon": EPSILON, "seeds": list(ctx.seeds), "runs": runs,
                   "gradient_checks": checks, "costs_first_seed": curves,
                   "n_train": int(X.shape[1]), "n_test": int(X_test.shape[1])}
    result.describe_runs({f"keep_prob = {p:g}": spec(p, iterations, ctx.seeds[0]) for p in (1.0, KEEP_PROB)},
                         ctx.seeds)
    result.set_n(ctx.seeds, train=X.shape[1], test=X_test.shape[1])
    _claims(ctx, result, runs, checks, iterations)
    _plot(ctx, result, runs, curves, iterations)


def _measure(ctx, X, Y, X_test, Y_test, iterations: int) -> tuple[dict, list[dict], dict]:
    """Per seed, gradient-check the dropped network at initialization and train with and without dropout."""
    configs = {"keep_prob = 1 (dropout off)": 1.0, f"keep_prob = {KEEP_PROB}": KEEP_PROB}
    runs = {name: [] for name in configs}
    checks = []
    curves = {}
    with blas_threads(1):
        for seed in ctx.seeds:
            for name, keep_prob in configs.items():
                run_spec = spec(keep_prob, iterations, seed)
                net = run_specs.build(run_spec, LAYER_DIMS[0], LAYER_DIMS[-1], "sigmoid")
                if keep_prob < 1:  # the checks at initialization, before training
                    off = gradient_check(net, X, Y, EPSILON, dropout="off")
                    fixed = gradient_check(net, X, Y, EPSILON, dropout="fixed")
                    fresh = fresh_masks_check(net, X, Y, EPSILON)
                    checks.append({"seed": seed, "off": off.difference, "off_verdict": off.verdict,
                                   "fixed": fixed.difference, "fixed_verdict": fixed.verdict,
                                   "fresh": fresh.difference, "fresh_verdict": fresh.verdict})
                else:
                    sanity = check_cost_decreases(net, X, Y, iterations=20, learning_rate=LEARNING_RATE)
                history = run_specs.fit(run_spec, net, X, Y)
                costs = history["cost"]
                up = rises(costs)
                runs[name].append({
                    "seed": seed, "rises": len(up), "first_rise": up[0] + 1 if up else None,
                    "initial_cost": costs[0], "final_cost": costs[-1],
                    "final_cost_no_dropout": net.cost(X, Y),
                    "train_accuracy": net.evaluate(X, Y)["accuracy"],
                    "test_accuracy": net.evaluate(X_test, Y_test)["accuracy"],
                    "dead_fraction": [s.dead for s in layer_statistics(net, X)[:-1]],
                    **({"check_cost_decreases_20": bool(sanity)} if keep_prob == 1 else {}),
                })
                if seed == ctx.seeds[0]:
                    curves[name] = costs
    return runs, checks, curves


def _table(result, runs: dict, iterations: int) -> None:
    """The lab's table: per configuration, the rises of J, the final costs and accuracies over the seeds."""
    for name, rs in runs.items():
        result.rows.append({
            "configuration": name, "iterations": iterations,
            "iterations where J rose, median [range]": median_range([r["rises"] for r in rs]),
            "J at the last iteration (as trained)": median_range([r["final_cost"] for r in rs]),
            "J without dropout": median_range([r["final_cost_no_dropout"] for r in rs]),
            "train acc": median_range([r["train_accuracy"] for r in rs]),
            "test acc": median_range([r["test_accuracy"] for r in rs]),
        })


def _stalled_note(result, runs: dict, Y) -> None:
    """A note on the runs that ended near the base-rate cost, with their dead ReLU fractions (if any did)."""
    p = float(np.mean(Y))
    base_rate = -(p * np.log(p) + (1 - p) * np.log(1 - p))  # J of the constant prediction ŷ = mean(Y)
    stalled = [(name, r["seed"], r["dead_fraction"]) for name, rs in runs.items() for r in rs
               if r["final_cost_no_dropout"] > base_rate - 1e-3]
    if stalled:
        result.notes.append(
            f"stalled near the base-rate cost J = {base_rate:.4f} (the constant prediction ŷ = {p:.3f}): "
            + "; ".join(f"{name}, seed {seed} (dead ReLU fraction per hidden layer after training: "
                        f"{', '.join(f'{d:.2f}' for d in dead)})" for name, seed, dead in stalled))


def _notes(ctx, result, checks: list[dict], n_train: int, n_test: int, iterations: int) -> None:
    """The notes: the setting, what J 'as trained' means, the gradient checks' table."""
    check_rows = [{
        "gradient check (ε = 1e-7)": label,
        "difference median [range]": median_range([c[key] for c in checks]),
        "verdicts": ", ".join(f"{w} {[c[key + '_verdict'] for c in checks].count(w)}/{len(checks)}"
                              for w in dict.fromkeys(c[key + "_verdict"] for c in checks)),
    } for key, label in (("off", "dropout off (the notes' advice)"), ("fixed", "dropout on, masks fixed"),
                         ("fresh", "dropout on, fresh masks every evaluation"))]
    result.notes += [
        f"course 2-D set: {n_train} training / {n_test} test points; {LAYER_DIMS} ReLU/sigmoid, xavier, "
        f"full-batch gradient descent, learning rate {LEARNING_RATE}, {iterations} iterations, keep_prob "
        f"{KEEP_PROB} on both hidden layers, seeds {list(ctx.seeds)}; accuracies as fractions",
        "J 'as trained' is the per-iteration cost the training loop records: with dropout, the cost of that "
        "iteration's dropped network",
        f"gradient checks at initialization on the {n_train} training points, n = {len(checks)} seeds:",
        LabResult("", "", "", rows=check_rows).table(),
    ]


def _claims(ctx, result, runs: dict, checks: list[dict], iterations: int) -> None:
    """The notes' claims: J falls at every iteration only without dropout; the gradient check needs fixed masks."""
    off_runs, drop_runs = runs["keep_prob = 1 (dropout off)"], runs[f"keep_prob = {KEEP_PROB}"]
    n = len(ctx.seeds)
    result.claim("with keep_prob = 1 the cost falls at every iteration (0 rises, every seed)",
                 every_seed([r["rises"] == 0 for r in off_runs]),
                 f"rises per seed {[r['rises'] for r in off_runs]} over {iterations} iterations; "
                 f"check_cost_decreases (20 steps): {sum(r['check_cost_decreases_20'] for r in off_runs)}/{n} "
                 "seeds fell at every step")
    drop_rises = [r["rises"] for r in drop_runs]
    share = pct(float(np.median(drop_rises)) / iterations)
    result.claim("with dropout (keep_prob 0.86) the per-iteration cost is noisy: it rises at many iterations "
                 "(at least 10 % of them, every seed)",
                 every_seed([v >= 0.1 * iterations for v in drop_rises]),
                 f"median {np.median(drop_rises):g} of {iterations} iterations ({share}),"
                 f" per seed {drop_rises}")
    result.claim("gradient check passes with dropout off and with fixed masks (< 1e-7, every seed)",
                 every_seed([c["off"] < 1e-7 and c["fixed"] < 1e-7 for c in checks]),
                 f"largest {max(c['off'] for c in checks):.1e} (off), {max(c['fixed'] for c in checks):.1e} (fixed) "
                 f"over {n} seeds")
    result.claim("gradient check fails with fresh masks at every evaluation ('likely a bug' on correct code, every "
                 "seed)", every_seed([c["fresh_verdict"] == "likely a bug" for c in checks]),
                 f"median difference {np.median([c['fresh'] for c in checks]):.3g}, smallest "
                 f"{min(c['fresh'] for c in checks):.3g}")


def _plot(ctx, result, runs: dict, curves: dict, iterations: int) -> None:
    """The first seed's cost per iteration with and without dropout: all of it, and the last iterations."""
    fig = new_figure(12, 4.5)
    tail = max(50, iterations // 10)
    for i, (start, title) in enumerate(((0, "cost per iteration"), (iterations - tail, f"last {tail} iterations"))):
        ax = fig.add_subplot(1, 2, i + 1)
        for c, (name, costs) in enumerate(curves.items()):
            t = np.arange(1, len(costs) + 1)
            ax.plot(t[start:], costs[start:], color=f"C{c}", linewidth=0.8 if c else 1.5,
                    label=f"{name}: J rose {runs[name][0]['rises']} times")
        ax.set_xlabel("iteration")
        ax.set_ylabel("cost J (as trained)")
        ax.set_title(f"{title}, seed {ctx.seeds[0]}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    ctx.save_figure(fig, "costs.png", result, shows=f"seed {ctx.seeds[0]}")
