"""The diagnosis on a corpus of networks whose state is known: it never calls a healthy one sick, and names the sick.

* small nets (2-8-8-1, 2-16-1 and deeper 2-8-8-8-1, 2-8-8-8-8-1; tanh, relu, sigmoid) trained full-batch to a
  low cost on every 2-D set, two seeds, looked at after 300 and 1500 epochs: never vanishing or exploding
  (the shallow ones are "too shallow to call", the deeper ones have learned);
* deep He (ReLU) and xavier (tanh, linear) networks at initialization, 10 and 20 layers: healthy;
* the same at 1.5x and 0.5x the variance-keeping scale: exploding and vanishing (tanh at 1.5x is not:
  saturation caps its gain near 1.1 per layer, measured and stated below);
* randn·0.01 sigmoid stacks: vanishing; the notes' linear stacks with W = 1.5·I and 0.5·I: exploding, vanishing;
* the playground's badge while a deeper network trains on every built-in set.

Today's F_G = ‖dZ[1]‖/‖dZ[L]‖ rule called most of the trained nets exploding.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.backend import blas_threads
from glassnet.callbacks import Callback
from glassnet.diagnostics import TOO_SHALLOW, diagnose

SETS = {
    "moons": lambda seed: gn.datasets.make_moons(100, seed=seed),
    "circles": lambda seed: gn.datasets.make_circles(100, seed=seed),
    "spirals": lambda seed: gn.datasets.make_spirals(100, seed=seed),
    "flower": lambda seed: gn.datasets.make_flower(100, seed=seed),
    "xor": lambda seed: gn.datasets.make_xor(100, seed=seed),
    "blobs": lambda seed: gn.datasets.make_blobs(100, centers=2, seed=seed),
}
SHALLOW = [([2, 8, 8, 1], "tanh"), ([2, 16, 1], "relu"), ([2, 8, 8, 1], "sigmoid"),
           ([2, 8, 8, 1], "relu"), ([2, 16, 1], "tanh"), ([2, 16, 1], "sigmoid")]
DEEP = [([2, 8, 8, 8, 1], "relu"), ([2, 8, 8, 8, 8, 1], "tanh"), ([2, 8, 8, 8, 1], "sigmoid"),
        ([2, 8, 8, 8, 8, 1], "relu"), ([2, 8, 8, 8, 1], "tanh"), ([2, 8, 8, 8, 8, 1], "sigmoid")]
CASES = [(name, seed, i) for i, (name, seed) in enumerate((n, s) for n in SETS for s in (0, 1))]
LOOKS = (300, 1500)  # epochs after which the trained network is diagnosed
FLAGGED = ("vanishing", "exploding")


class LookAt(Callback):
    """Diagnoses the network on the training set after the epochs in LOOKS."""

    def __init__(self, X, Y):
        self.X, self.Y, self.epochs, self.seen = X, Y, 0, {}

    def on_epoch_end(self, net, epoch, record):
        self.epochs += 1
        if self.epochs in LOOKS:
            self.seen[self.epochs] = diagnose(net, self.X, self.Y)


def trained(dims, act, X, Y, seed) -> dict:
    net = gn.Network(dims, hidden_activation=act, initializer="he" if act == "relu" else "xavier", seed=seed)
    look = LookAt(X, Y)
    with blas_threads(1):
        gn.fit(net, X, Y, epochs=LOOKS[-1], batch_size=None, optimizer="adam", learning_rate=0.01,
               schedule="constant", callbacks=[look], seed=seed)
    return look.seen


@pytest.mark.parametrize("name,seed,i", CASES, ids=[f"{n}-{s}" for n, s, _ in CASES])
def test_small_nets_trained_on_the_2d_sets_are_never_called_vanishing_or_exploding(name, seed, i):
    X, Y = SETS[name](seed)
    for dims, act in (SHALLOW[i % len(SHALLOW)], DEEP[i % len(DEEP)]):
        seen = trained(dims, act, X, Y, seed)
        what = f"{name} seed {seed} {dims} {act}"
        # the premise: trained to a low cost (below a quarter of the best constant guess's) by the end
        assert seen[LOOKS[-1]].cost < 0.3 * seen[LOOKS[-1]].constant_cost, what
        for epochs, d in seen.items():
            assert d.verdict not in FLAGGED, (what, epochs, d.reasons)
            if len(dims) <= 4:  # L <= 3: the numbers, no verdict
                assert d.verdict == TOO_SHALLOW, (what, epochs)
            else:
                assert d.verdict == "healthy" and d.steps == len(dims) - 3, (what, epochs)
                assert d.gradient_rate is not None and d.activation_rate is not None


def deep_net(act, initializer, scale, depth, width, seed, n_x=16):
    return gn.Network([n_x] + [width] * (depth - 1) + [1], hidden_activation=act, initializer=initializer,
                      init_scale=scale, dtype="float64", seed=seed)


def inputs(n_x, m, seed):
    rng = np.random.default_rng([seed, 7])
    return rng.standard_normal((n_x, m)), (rng.random((1, m)) < 0.5).astype(np.int64)


KEEPING = [("relu", "he"), ("tanh", "xavier"), ("linear", "xavier")]


@pytest.mark.parametrize("act,initializer", KEEPING)
def test_deep_variance_keeping_networks_at_initialization_are_healthy(act, initializer):
    for depth in (10, 20):
        for width in (16, 32):
            rates = []
            for seed in range(4):
                X, Y = inputs(16, 64, seed)
                net = deep_net(act, initializer, 1.0, depth, width, seed)
                for d in (diagnose(net, X, Y), diagnose(net, X)):
                    assert d.verdict == "healthy", (act, depth, width, seed, d.reasons)
                    rates += [d.gradient_rate, d.activation_rate]
            # one finite-width network drifts (width 16: 0.76 per layer seen); the median keeps the scale
            assert 0.8 <= np.median(rates) <= 1.25, (act, depth, width, rates)


OFF_SCALE = [(act, init, scale, verdict) for act, init in KEEPING
             for scale, verdict in ((1.5, "exploding"), (0.5, "vanishing"))
             if (act, scale) != ("tanh", 1.5)]  # tanh at 1.5x: test_tanh_at_one_and_a_half_the_scale_...


@pytest.mark.parametrize("act,initializer,scale,verdict", OFF_SCALE)
def test_deep_networks_off_the_variance_keeping_scale_are_named(act, initializer, scale, verdict):
    for seed in range(4):
        X, Y = inputs(16, 64, seed)
        net = deep_net(act, initializer, scale, 20, 32, seed)
        for d in (diagnose(net, X, Y), diagnose(net, X)):
            assert d.verdict == verdict, (act, scale, seed, d.reasons)
            assert d.gradient_rate == pytest.approx(scale, rel=0.25), d.reasons  # the per-layer gain, measured
            assert any(verdict in r for r in d.reasons)


def test_tanh_at_one_and_a_half_the_scale_grows_too_little_to_call():
    # tanh saturates, so 1.5x xavier's std gives a backward gain of about 1.1 per layer (the forward signal
    # stays bounded): the gradients grow, but slower than the rate limit; measured, not called.
    for seed in range(4):
        X, Y = inputs(16, 64, seed)
        d = diagnose(deep_net("tanh", "xavier", 1.5, 20, 32, seed), X, Y)
        assert d.verdict == "healthy" and 1.0 < d.gradient_rate < 1.25, d.reasons
        assert 0.95 < d.activation_rate < 1.05


@pytest.mark.parametrize("depth", [6, 10])
def test_small_random_sigmoid_stacks_vanish(depth):
    for seed in range(3):
        X, Y = inputs(16, 64, seed)
        net = deep_net("sigmoid", "random", 0.01, depth, 16, seed)
        for d in (diagnose(net, X, Y), diagnose(net, X)):
            assert d.verdict == "vanishing", d.reasons
            assert d.gradient_rate < 0.02  # σ' <= 1/4 times weights of 0.01: ~ 0.25 · 0.01 · sqrt(16) per layer


def linear_stack(factor, L, seed=0):
    """The notes' deep linear network: [2, 2, ..., 2, 1], g(z) = z, W[l] = factor·I for l < L, b = 0."""
    net = gn.Network([2] * L + [1], activations=["linear"] * L, dtype="float64", seed=seed)
    for l in range(1, L):
        net.params[f"W{l}"] = factor * np.eye(2)
    return net


@pytest.mark.parametrize("factor,verdict", [(1.5, "exploding"), (0.5, "vanishing")])
def test_the_notes_linear_stacks(factor, verdict):
    X, _ = inputs(2, 50, 0)
    Y = np.random.default_rng(1).standard_normal((1, 50))
    for L in (10, 20, 50):
        for d in (diagnose(linear_stack(factor, L), X, Y), diagnose(linear_stack(factor, L), X)):
            assert d.verdict == verdict, (L, d.reasons)
            assert d.gradient_rate == pytest.approx(factor) and d.activation_rate == pytest.approx(factor)
            assert d.gradient_growth == pytest.approx(factor ** (L - 2))
    d = diagnose(linear_stack(factor, 3), X, Y)  # one hidden-to-hidden step: the numbers, no verdict
    assert d.verdict == TOO_SHALLOW and d.gradient_rate == pytest.approx(factor)


def test_the_playground_badge_while_deeper_networks_train():
    from glassnet.playground.session import Session

    for name in SETS:
        s = Session()
        s.configure({"data": name, "points": 200, "layers": [8, 8, 8], "activations": ["tanh"] * 3,
                     "init": "xavier"})
        costs = []
        for _ in range(6):
            s.train_epochs(10)
            frame = s.frame(units=False)
            costs.append(frame["train_cost"])
            assert frame["diagnosis"]["verdict"] not in FLAGGED, (name, s.epoch, frame["diagnosis"]["reasons"])
            assert frame["diagnosis"]["steps"] == 2
        assert costs[-1] < costs[0] and math.isfinite(costs[-1]), name
