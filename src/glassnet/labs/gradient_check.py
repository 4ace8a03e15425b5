"""Lab: gradient checking (梯度检验) finds a planted backprop bug, and the notes' practical rules.

θ = [W1, b1, W2, b2, W3, b3] flattened, for every i

    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε),   ε = 1e-7 (float64)
    difference   = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)

read on the notes' scale: ≤ 1e-7 correct, ≤ 1e-5 look closer, ≤ 1e-3 suspicious, above likely a
bug. Two [4, 5, 3, 1] ReLU/sigmoid networks with L2 (l2 = 0.7) and small random biases on 10
random examples: glassnet's ``Network``, and ``ForgetsL2Network``, whose backprop leaves the L2
term (l2/m)·W2 out of dW2 — the notes' rule "remember the regularization term" broken on purpose. The cost J still holds
the term (l2/2m) Σ‖W‖², so the check sees it; the report ranks the guilty block first and its
hint names the missing term; an ε sweep shows that the difference does not shrink with ε (a
bug, not finite-difference error).

The notes' rules for dropout, measured on the same network with keep_prob = 0.8: checking with
dropout off (the notes' advice: check, then turn dropout on) or with one set of masks kept fixed
passes; checking the dropped cost with fresh masks at every evaluation compares derivatives of
different random functions: the numerical "derivatives" are (J_mask1 − J_mask2) / 2ε, noise of
the order of 1/ε, and the check fails whatever the code.
The notes' last rule: check at random initialization and again after some training (a bug can
hide while the weights are small). The correct network is checked at initialization and after
``TRAIN_EPOCHS`` epochs of Adam; both pass.
Each check is repeated for every seed of ``ctx.seeds`` (weights, data and masks from the seed).
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import check_gradients, gradient_check
from ..network import Network
from ..plots import new_figure
from .evidence import every_seed

TITLE_ZH = "梯度检验"
TITLE_EN = "Gradient checking"

LAYER_DIMS = [4, 5, 3, 1]
L2 = 0.7
KEEP_PROB = 0.8
M = 10
EPSILON = 1e-7
TRAIN_EPOCHS = 200


class ForgetsL2Network(Network):
    """A Network with a planted bug: backprop forgets the L2 term in dW of layer ``buggy_layer`` (2).

    Correct:  dW[l] = (1/m) dZ[l] A[l-1]^T + (l2/m) W[l]
    Planted:  dW[2] = (1/m) dZ[2] A[1]^T                  (the cost still has (l2/2m) ||W[2]||²)
    """

    buggy_layer = 2

    def cost_and_gradients(self, X, Y, training: bool = True, reuse_masks: bool | None = None):
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks)
        m = self.check_X(X).shape[1]
        name = f"W{self.buggy_layer}"
        grads["d" + name] -= (self.l2 / m) * self.params[name]  # the bug: layer 2's gradient loses its L2 term
        return J, grads


def fresh_masks_check(net: Network, X, Y, epsilon: float = EPSILON):
    """Gradient check of the dropped cost with fresh dropout masks at every evaluation (what not to do).

    cost_fn(θ) = J of the dropped network with new masks; grad_fn(θ) = backprop with yet another
    set of masks; compared by ``check_gradients`` like any function. Runs on a float64 copy.
    """
    clone = net.copy(dtype="float64")

    def cost(theta):
        clone.vector_to_parameters(theta)
        return clone.cost_and_gradients(X, Y, training=True, reuse_masks=False)[0]

    def grad(theta):
        clone.vector_to_parameters(theta)
        clone.cost_and_gradients(X, Y, training=True, reuse_masks=False)
        return clone.gradients_to_vector()

    return check_gradients(cost, grad, clone.parameters_to_vector(), epsilon, names=clone.parameter_shapes())


def network(cls, seed: int, **kwargs) -> Network:
    """A [4, 5, 3, 1] network from ``seed`` with small non-zero biases b[l] = 0.1·N(0, 1).

    Biases at 0 can put a ReLU's Z exactly on its kink (a dead layer gives Z[l+1] = b = 0), where
    a step of ε crosses it and the check disagrees without a bug; the course's check uses random
    biases for the same reason.
    """
    net = cls(LAYER_DIMS, l2=L2, dtype="float64", seed=seed, **kwargs)
    rng = np.random.default_rng([seed, 1])
    for l in range(1, net.L + 1):
        net.params[f"b{l}"] = 0.1 * rng.standard_normal(net.params[f"b{l}"].shape)
    return net


def data(seed: int, m: int = M):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((LAYER_DIMS[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(np.int64)
    return X, Y


def _check_seed(seed: int) -> tuple[dict, dict]:
    """Every check of the lab on one seed: the run's record and the reports."""
    X, Y = data(seed)
    correct = network(Network, seed)
    buggy = network(ForgetsL2Network, seed)  # the same weights and biases: only backprop differs
    r_ok = gradient_check(correct, X, Y, EPSILON, sweep=True, after_training=TRAIN_EPOCHS)
    r_bug = gradient_check(buggy, X, Y, EPSILON, sweep=True)
    dropping = network(Network, seed, keep_prob=KEEP_PROB)
    r_off = gradient_check(dropping, X, Y, EPSILON, dropout="off")
    r_fixed = gradient_check(dropping, X, Y, EPSILON, dropout="fixed")
    r_fresh = fresh_masks_check(dropping, X, Y, EPSILON)
    l2_hints = [h for h in r_bug.hints if "L2 term" in h and "missing" in h]
    sweep_bug = list(r_bug.epsilon_sweep.values())
    trained = r_ok.after_training
    record = {
        "seed": seed,
        "correct": r_ok.to_dict(), "buggy": r_bug.to_dict(),
        "correct_difference": r_ok.difference, "correct_verdict": r_ok.verdict,
        "trained_difference": trained.difference, "trained_verdict": trained.verdict,
        "buggy_difference": r_bug.difference, "buggy_verdict": r_bug.verdict,
        "buggy_ranked_first": r_bug.ranked()[0].name,
        "buggy_other_blocks_max": max(b.difference for b in r_bug.blocks if b.name != "W2"),
        "buggy_l2_hint": l2_hints[0] if l2_hints else None,
        "buggy_sweep_spread": max(sweep_bug) / min(sweep_bug),
        "dropout_off_difference": r_off.difference, "dropout_off_verdict": r_off.verdict,
        "dropout_fixed_difference": r_fixed.difference, "dropout_fixed_verdict": r_fixed.verdict,
        "dropout_fresh_difference": r_fresh.difference, "dropout_fresh_verdict": r_fresh.verdict,
    }
    return record, {"correct": r_ok, "buggy": r_bug, "off": r_off, "fixed": r_fixed, "fresh": r_fresh}


def run(ctx, result) -> None:
    runs, shown = [], {}
    for seed in ctx.seeds:
        record, reports = _check_seed(seed)
        runs.append(record)
        shown = shown or reports
    ok, bug = shown["correct"], shown["buggy"]
    bug_blocks = {b.name: b for b in bug.blocks}
    for b in ok.blocks:  # θ order
        result.rows.append({
            "parameter": b.name, "shape": str(b.shape), "correct: difference": f"{b.difference:.3e}",
            "correct: verdict": b.verdict, "planted bug: difference": f"{bug_blocks[b.name].difference:.3e}",
            "planted bug: verdict": bug_blocks[b.name].verdict,
        })
    result.rows.append({"parameter": "all", "shape": f"{ok.n_params} values",
                        "correct: difference": f"{ok.difference:.3e}", "correct: verdict": ok.verdict,
                        "planted bug: difference": f"{bug.difference:.3e}", "planted bug: verdict": bug.verdict})
    result.notes += _notes(ctx, runs[0], shown)
    result.data = {"layer_dims": LAYER_DIMS, "l2": L2, "keep_prob": KEEP_PROB, "m": M, "epsilon": EPSILON,
                   "train_epochs": TRAIN_EPOCHS, "seeds": ctx.seeds, "runs": runs}
    result.set_n(ctx.seeds, examples_per_check=M)
    _claims(result, runs)
    _plot(ctx, result, runs, ok, bug)


def _notes(ctx, first: dict, shown: dict) -> list[str]:
    ok = shown["correct"]
    return [
        f"[4, 5, 3, 1] ReLU/sigmoid, l2 = {L2}, {M} random examples, ε = {EPSILON:g}, float64; the table and "
        f"reports are seed {ctx.seeds[0]}; the claims are checked over seeds {ctx.seeds}",
        "--- the correct network (glassnet's Network), at initialization and after training ---", str(ok),
        "--- the planted bug (ForgetsL2Network: dW2 = dZ2 A1^T / m, the (l2/m) W2 term left out) ---",
        str(shown["buggy"]),
        f"--- dropout, keep_prob = {KEEP_PROB} on the hidden layers (seed {ctx.seeds[0]}) ---",
        f"dropout off (the notes: check without dropout, then turn it on): difference "
        f"{first['dropout_off_difference']:.3e} ({first['dropout_off_verdict']})",
        f"dropout on, one set of masks kept fixed for every evaluation: difference "
        f"{first['dropout_fixed_difference']:.3e} ({first['dropout_fixed_verdict']})",
        f"dropout on, fresh masks at every evaluation: difference {first['dropout_fresh_difference']:.3e} "
        f"({first['dropout_fresh_verdict']}): the two sides of each difference are different random functions, "
        f"so (J(θ+ε) − J(θ−ε)) / 2ε is mask noise divided by 2ε; largest numerical 'derivative' "
        f"{max(abs(e.numeric) for e in shown['fresh'].worst):.2e}, no bug involved (the report's hints, written for "
        "deterministic costs, do not apply)",
    ]


def _claims(result, runs: list[dict]) -> None:
    """The notes' rules, each claimed for every seed: one seed that breaks a rule refutes it (``every_seed``)."""
    def worst(key):
        return max(r[key] for r in runs)

    def best(key):
        return min(r[key] for r in runs)

    def each(rule):
        return every_seed([rule(r) for r in runs])

    n, first = len(runs), runs[0]
    result.claim("the correct network passes: difference < 1e-7 ('correct') for every seed",
                 each(lambda r: r["correct_difference"] < 1e-7 and r["correct_verdict"] == "correct"),
                 f"largest {worst('correct_difference'):.2e} over {n} seeds")
    result.claim(f"checked again after {TRAIN_EPOCHS} epochs of training (the notes' last rule), it still passes",
                 each(lambda r: r["trained_difference"] < 1e-7),
                 f"largest {worst('trained_difference'):.2e} over {n} seeds")
    result.claim("the planted bug is flagged 'likely a bug' (difference > 1e-3) for every seed",
                 each(lambda r: r["buggy_verdict"] == "likely a bug"),
                 f"smallest {best('buggy_difference'):.2e} over {n} seeds")
    result.claim("the guilty block W2 ranks first, and the other blocks stay 'correct'",
                 each(lambda r: r["buggy_ranked_first"] == "W2" and r["buggy_other_blocks_max"] < 1e-7),
                 f"W2 first in {sum(r['buggy_ranked_first'] == 'W2' for r in runs)}/{n} seeds; other blocks at most "
                 f"{worst('buggy_other_blocks_max'):.1e}")
    result.claim("the report's hint names the missing L2 term of dW2",
                 each(lambda r: r["buggy_l2_hint"] is not None and "dW2" in r["buggy_l2_hint"]),
                 f"{sum(r['buggy_l2_hint'] is not None for r in runs)}/{n} seeds: {first['buggy_l2_hint']!r}")
    result.claim("a bug does not shrink with ε: the difference stays within 2x from ε = 1e-3 to 1e-8",
                 each(lambda r: r["buggy_sweep_spread"] < 2),
                 f"largest max/min over the sweep {worst('buggy_sweep_spread'):.3g}")
    result.claim("with dropout off, or with fixed masks, the check passes (< 1e-7)",
                 each(lambda r: r["dropout_off_difference"] < 1e-7 and r["dropout_fixed_difference"] < 1e-7),
                 f"largest {worst('dropout_off_difference'):.1e} (off), {worst('dropout_fixed_difference'):.1e} "
                 f"(fixed) over {n} seeds")
    result.claim("with fresh dropout masks at every evaluation the check fails ('likely a bug') on correct code",
                 each(lambda r: r["dropout_fresh_verdict"] == "likely a bug"),
                 f"median difference {np.median([r['dropout_fresh_difference'] for r in runs]):.3g}, smallest "
                 f"{best('dropout_fresh_difference'):.3g} over {n} seeds")


def _plot(ctx, result, runs, ok, bug) -> None:
    fig = new_figure(12, 4.5)
    ax = fig.add_subplot(1, 2, 1)
    names = [b.name for b in ok.blocks]
    x = np.arange(len(names))
    ok_d = {b.name: b.difference for b in ok.blocks}
    bug_d = {b.name: b.difference for b in bug.blocks}
    ax.bar(x - 0.2, [max(ok_d[n], 1e-16) for n in names], 0.4, label="correct network")
    ax.bar(x + 0.2, [max(bug_d[n], 1e-16) for n in names], 0.4, label="planted bug (dW2 without L2)")
    ax.set_xticks(x, names)
    ax.set_yscale("log")
    for level, word in ((1e-7, "correct"), (1e-5, "look closer"), (1e-3, "suspicious")):
        ax.axhline(level, color="grey", linewidth=0.8, linestyle="--")
        ax.text(len(names) - 0.5, level, f" ≤ {level:g} {word}", fontsize=7, va="bottom", ha="right")
    ax.set_ylabel("relative difference")
    ax.set_title(f"per-block difference, seed {ctx.seeds[0]}")
    ax.legend(fontsize=8, loc="center left")

    ax = fig.add_subplot(1, 2, 2)
    for key, label in (("correct", "correct network"), ("buggy", "planted bug")):
        sweep = runs[0][key]["epsilon_sweep"]
        ax.loglog([e for e, _ in sweep], [max(d, 1e-16) for _, d in sweep], "o-", label=label)
    labels = (("dropout_off_difference", "dropout off"), ("dropout_fixed_difference", "fixed masks"),
              ("dropout_fresh_difference", "fresh masks"))
    for i, (key, label) in enumerate(labels):
        ax.scatter([EPSILON] * len(runs), [max(r[key], 1e-16) for r in runs], marker="x", color=f"C{i + 2}",
                   label=f"{label} (ε = {EPSILON:g}, {len(runs)} seeds)")
    ax.axhline(1e-7, color="grey", linewidth=0.8, linestyle="--")
    ax.invert_xaxis()
    ax.set_xlabel("ε")
    ax.set_ylabel("difference")
    ax.set_title(f"ε sweep: seed {ctx.seeds[0]}; crosses: each of {len(runs)} seeds")
    ax.legend(fontsize=7)
    fig.suptitle("a bug stays put as ε shrinks; dropout needs fixed masks (or none)", fontsize=10)
    ctx.save_figure(fig, "gradient_check.png", result, shows=f"seed {ctx.seeds[0]}")
