"""Corpus: random correct float64 networks are never called wrong; planted bugs are caught and named.

216 networks: hidden relu / leaky_relu / tanh / sigmoid x output sigmoid / softmax / linear x at
initialization (b = 0, so whole columns of Z can sit exactly on a ReLU kink) or after 100-300 Adam
steps (near a minimum, where ‖dθ‖ falls to the noise floor of the two-sided difference), 1-3 hidden
layers of 2-5 units, m = 8..23, L2 in {0, 0.1, 1}, keep_prob 0.8 on some (checked with dropout off,
as the notes say), and one sigmoid net in three saturating (weights x6, inputs x3).

The training below is a few lines of Adam on cost_and_gradients, so the corpus does not move when
the fit loop's defaults do.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter

import numpy as np

import glassnet as gn
from glassnet.gradcheck import gradient_check
from glassnet.gradcheck.check import BUG_VERDICTS, NOISE_FLOOR
from glassnet.playground.bugs import PlantedBugNetwork

HIDDEN = ("relu", "leaky_relu", "tanh", "sigmoid")
OUTPUTS = ("sigmoid", "softmax", "linear")
SEEDS = range(9)
EPSILON = 1e-7


def adam(net: gn.Network, X, Y, steps: int, learning_rate: float = 0.05) -> None:
    """Full-batch Adam (dropout on, as in training): θ ← θ − α m̂ / (√v̂ + 1e-8)."""
    # on the live vectors net.theta and net.dtheta (float64: the numbers of vector_to_parameters and
    # gradients_to_vector, without their checks and copies at every step)
    theta = net.parameters_to_vector()
    m1, m2 = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(1, steps + 1):
        net.theta[...] = theta
        net.cost_and_gradients(X, Y, training=True)
        g = net.dtheta
        m1 = 0.9 * m1 + 0.1 * g
        m2 = 0.999 * m2 + 0.001 * g * g
        theta = theta - learning_rate * (m1 / (1 - 0.9**t)) / (np.sqrt(m2 / (1 - 0.999**t)) + 1e-8)
    net.vector_to_parameters(theta)


def make(seed: int, hidden: str, output: str, trained: bool, cls=gn.Network):
    """One corpus network and its data, all drawn from the four arguments."""
    rng = np.random.default_rng([seed, HIDDEN.index(hidden), OUTPUTS.index(output), int(trained)])
    n_x, m, depth = int(rng.integers(2, 5)), int(rng.integers(8, 24)), int(rng.integers(1, 4))
    n_y = {"sigmoid": 1, "softmax": int(rng.integers(2, 4)), "linear": int(rng.integers(1, 3))}[output]
    dims = [n_x, *(int(rng.integers(2, 6)) for _ in range(depth)), n_y]
    l2 = float(rng.choice([0.0, 0.0, 0.1, 1.0]))
    keep = float(rng.choice([1.0, 1.0, 0.8]))
    saturating = hidden == "sigmoid" and seed % 3 == 0
    X = rng.standard_normal((n_x, m)) * (3.0 if saturating else 1.0)
    if output == "sigmoid":
        Y = (rng.random((1, m)) < 0.5).astype(float)
    elif output == "softmax":
        Y = rng.integers(0, n_y, (1, m))
    else:
        Y = rng.standard_normal((n_y, m))
    net = cls(dims, hidden_activation=hidden, output_activation=output, l2=l2, keep_prob=keep,
              init_scale=6.0 if saturating else 1.0, dtype="float64", seed=int(rng.integers(2**31)))
    if trained:
        adam(net, X, Y, steps=int(rng.choice([100, 300])))
    return net, X, Y


def cases():
    return [(seed, hidden, output, trained) for seed in SEEDS for hidden in HIDDEN for output in OUTPUTS
            for trained in (False, True)]


def correct_reports():
    out = []
    for case in cases():
        net, X, Y = make(*case)
        out.append((case, net, X, Y, gradient_check(net, X, Y, EPSILON)))
    return out


# ---------------------------------------------------------------------------------- correct networks
def forward_Z(net: gn.Network, X, theta) -> list[np.ndarray]:
    """Z[1..L-1] of the hidden layers at θ, written out here (not the library's forward)."""
    params = dict(net.params)
    start, Zs, A = 0, [], X
    for name, shape in net.parameter_shapes().items():
        size = int(np.prod(shape))
        params[name] = theta[start:start + size].reshape(shape)
        start += size
    for l in range(1, net.L):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        Zs.append(Z)
        A = np.maximum(Z, 0) if net.activations[l - 1].name == "relu" else \
            np.where(Z > 0, Z, net.activations[l - 1].alpha * Z) if net.activations[l - 1].name == "leaky_relu" else \
            np.tanh(Z) if net.activations[l - 1].name == "tanh" else 1 / (1 + np.exp(-Z))
    return Zs


def crosses_a_kink(net: gn.Network, X, where: str, epsilon: float) -> bool:
    """Whether a step of ±ε in the parameter ``where`` (e.g. "W2[1, 0]") changes the sign of a ReLU-type Z."""
    name, index = re.fullmatch(r"(\w+)\[([\d, ]+)\]", where).groups()
    flat = 0
    for other, shape in net.parameter_shapes().items():
        if other == name:
            flat += int(np.ravel_multi_index(tuple(int(i) for i in index.split(",")), shape))
            break
        flat += int(np.prod(shape))
    theta = net.parameters_to_vector()
    kinked = [l for l in range(1, net.L) if net.activations[l - 1].name in ("relu", "leaky_relu")]
    base = forward_Z(net, X, theta)
    for h in (epsilon, -epsilon):
        moved = theta.copy()
        moved[flat] += h
        if any((np.sign(forward_Z(net, X, moved)[l - 1]) != np.sign(base[l - 1])).any() for l in kinked):
            return True
    return False


def test_correct_networks_are_never_called_wrong():
    # one test for the whole corpus, so that two test processes do not build it twice
    reports = correct_reports()
    never_called_wrong(reports)
    every_set_aside_entry_has_its_reason_and_does_cross_a_kink(reports)
    the_notes_bands_are_kept(reports)


def never_called_wrong(reports):
    verdicts = Counter(r.verdict for *_, r in reports)
    summary = f"{len(reports)} nets: {dict(verdicts)}"
    assert len(reports) >= 200, summary
    wrong = [(case, str(r)) for case, *_, r in reports if r.failed or r.verdict in BUG_VERDICTS]
    assert not wrong, (summary, wrong[:2])
    assert verdicts["look closer"] <= 0.05 * len(reports), summary
    assert verdicts["correct"] >= 0.8 * len(reports), summary
    # the corpus holds what the check must not blame: kinks at initialization, noise floors after training
    assert sum(bool(r.set_aside) for *_, r in reports) >= 10, summary
    assert verdicts[NOISE_FLOOR] >= 3, summary
    for (_, _, _, trained), *_, r in reports:
        if r.verdict == NOISE_FLOOR:
            assert trained, str(r)
            advice = r.hints[0]
            assert advice.startswith("at the noise floor") and "not a bug" in advice
            assert all(what in advice for what in ("another ε", "other examples", "before convergence")), advice


def every_set_aside_entry_has_its_reason_and_does_cross_a_kink(reports):
    count = 0
    for (_, hidden, _, _), net, X, _, r in reports:
        for s in r.set_aside:
            count += 1
            assert hidden in ("relu", "leaky_relu")
            assert re.match(r"Z\[\d+\]\[\d+, \d+\] = \S+ at θ, \S+ at θ [+−] ε·e_i", s.reason), s.reason
            assert "kink at 0" in s.reason
            assert crosses_a_kink(net, X, s.where, EPSILON), (s.where, s.reason)
        assert r.n_checked + len(r.set_aside) == net.n_params  # every derivative is judged or set aside
    assert count >= 20


def the_notes_bands_are_kept(reports):
    # the verdict is the notes' band of the difference wherever the noise floor does not explain it
    for *_, r in reports:
        band = gn.gradcheck.verdict_for(r.difference)
        assert r.verdict == band or (r.verdict == NOISE_FLOOR and r.difference <= r.noise_floor), str(r)
        assert r.passed == (r.difference <= 1e-7)


# ---------------------------------------------------------------------------------- planted bugs
class ScaledW1(gn.Network):
    """dW1 multiplied by 2."""

    def cost_and_gradients(self, X, Y, training=True, reuse_masks=None, sample_weight=None):
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks, sample_weight=sample_weight)
        grads["dW1"] = 2.0 * grads["dW1"]
        return J, grads


NAMED = {
    "no_l2": "is missing from backprop for dW",
    "db_no_m": "= m: the 1/m is missing",
    "no_keep_prob": "the division by keep_prob is missing from dropout's backward",
    "dW1_x2": "dW1 is off by a factor 2.0",
}


def planted(case, bug):
    """The corpus network of ``case`` with ``bug``, or None where the bug changes nothing (dormant)."""
    if bug == "dW1_x2":
        return make(*case, cls=ScaledW1)
    net, X, Y = make(*case, cls=PlantedBugNetwork)
    net.bug = bug
    return None if net.dormant_reason() else (net, X, Y)


def effect(net, X, Y, fixed: bool) -> float:
    """How much the bug changes the gradient: ‖dθ_bug − dθ‖ / (‖dθ_bug‖ + ‖dθ‖), same point, same masks."""
    with net.fixed_dropout_masks() if fixed else contextlib.nullcontext():
        if fixed:
            net.cost_and_gradients(X, Y, training=True, reuse_masks=False)
        bug = net.cost_and_gradients(X, Y, training=fixed)[1]
        right = gn.Network.cost_and_gradients(net, X, Y, training=fixed)[1]
    a = np.concatenate([bug[k].ravel() for k in bug])
    b = np.concatenate([right[k].ravel() for k in bug])
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def test_every_planted_bug_is_caught_and_named():
    caught, unseen = Counter(), Counter()
    for case in cases()[::2]:
        for bug in NAMED:
            made = planted(case, bug)
            if made is None:
                continue
            net, X, Y = made
            fixed = bug == "no_keep_prob"  # the forgotten 1/keep_prob lives in dropout: checked with fixed masks
            if effect(net, X, Y, fixed) < 1e-3:  # the bug barely moves this gradient (a dead layer, db = 0)
                unseen[bug] += 1
                continue
            r = gradient_check(net, X, Y, EPSILON, dropout="fixed" if fixed else "off")
            assert r.failed and r.verdict in BUG_VERDICTS, (case, bug, str(r))
            assert any(NAMED[bug] in h for h in r.hints), (case, bug, r.hints)
            caught[bug] += 1
    assert sum(caught.values()) >= 200 and all(caught[bug] >= 10 for bug in NAMED), (caught, unseen)
    assert sum(unseen.values()) <= 0.05 * sum(caught.values()), (caught, unseen)
