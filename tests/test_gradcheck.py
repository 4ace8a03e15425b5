import itertools
import json

import numpy as np
import pytest

import glassnet as gn
from glassnet.gradcheck import (
    AUTO_EXACT_LIMIT,
    GradCheckReport,
    check_gradients,
    gradient_check,
    numerical_derivative,
    verdict_for,
)

from .conftest import make_problem
from .test_gradcheck_corpus import make

HIDDEN = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]
OUTPUTS = ["sigmoid", "softmax", "linear"]


def problem(output, n_x=4, m=8, seed=0, n_y=None):
    """Small problems for the checks; softmax labels as integers (1, m)."""
    return make_problem(output, n_x=n_x, n_y=n_y, m=m, seed=seed, int_labels=True)


def with_random_biases(net, seed):
    # non-zero biases: with b = 0 a unit can sit exactly on the ReLU kink, where the two-sided
    # difference is not the derivative
    rng = np.random.default_rng(seed)
    for l in range(1, net.L + 1):
        net.params[f"b{l}"] = 0.1 * rng.standard_normal(net.params[f"b{l}"].shape)
    return net


# ---------------------------------------------------------------------------------- derivative
def test_numerical_derivative_of_cube_matches_the_notes():
    def f(t):
        return t ** 3

    assert numerical_derivative(f, 1.0, epsilon=0.01) == pytest.approx(3.0001, abs=1e-12)
    assert numerical_derivative(f, 1.0, epsilon=0.01, two_sided=False) == pytest.approx(3.0301, abs=1e-12)


def test_finite_difference_errors_fall_like_eps_squared_and_eps():
    def f(t):
        return t ** 3

    eps = np.logspace(-1, -4, 7)
    two = [abs(numerical_derivative(f, 1.0, e) - 3.0) for e in eps]
    one = [abs(numerical_derivative(f, 1.0, e, two_sided=False) - 3.0) for e in eps]
    slope_two = np.polyfit(np.log10(eps), np.log10(two), 1)[0]
    slope_one = np.polyfit(np.log10(eps), np.log10(one), 1)[0]
    assert slope_two == pytest.approx(2.0, abs=0.05)
    assert slope_one == pytest.approx(1.0, abs=0.05)


def test_numerical_derivative_of_an_array_is_the_gradient_with_its_shape():
    theta = np.array([[0.3, -1.2], [2.0, 0.5], [0.0, 1.0]])

    def f(t):
        return float(np.sum(np.sin(t) * t[:, :1]))

    grad = numerical_derivative(f, theta, epsilon=1e-6)
    expected = np.cos(theta) * theta[:, :1]
    expected[:, 0] += np.sin(theta).sum(axis=1)
    assert grad.shape == theta.shape
    np.testing.assert_allclose(grad, expected, rtol=1e-8, atol=1e-9)
    assert theta[0, 0] == 0.3  # the caller's array is not perturbed


def test_numerical_derivative_refuses_a_bad_epsilon():
    with pytest.raises(gn.HyperparameterError, match="epsilon"):
        numerical_derivative(lambda t: t, 1.0, epsilon=0.0)


def test_verdict_scale():
    assert [verdict_for(d) for d in (0.0, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 2e-3, float("nan"))] == [
        "correct", "correct", "look closer", "look closer", "suspicious", "suspicious", "likely a bug",
        "likely a bug"]
    # within the noise floor of the two-sided difference a difference above 1e-7 is not judged on the bands
    assert [verdict_for(d, floor=1e-3) for d in (5e-8, 5e-7, 1e-3, 2e-3)] == [
        "correct", "at the noise floor", "at the noise floor", "likely a bug"]


# ---------------------------------------------------------------------------------- any function
def quadratic(seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((7, 7))
    A = M @ M.T + np.eye(7)
    b = rng.standard_normal(7)
    return (lambda t: 0.5 * t @ A @ t + b @ t), (lambda t: A @ t + b), rng.standard_normal(7)


def test_check_gradients_of_a_correct_function():
    cost, grad, theta = quadratic()
    report = check_gradients(cost, grad, theta, names=[("u", (2, 2)), ("v", (3,))])
    assert report.difference < 1e-7 and report.passed and report.verdict == "correct"
    assert [b.name for b in report.blocks] == ["u", "v"]
    assert report.evaluations == 2 * 7 + 2  # J(θ) twice (the determinism check), then two per entry
    same = check_gradients(cost, grad, theta, names={"u": (2, 2), "v": 3})
    assert same.difference == report.difference


def test_check_gradients_locates_a_wrong_block():
    cost, grad, theta = quadratic()

    def wrong(t):
        g = grad(t)
        g[4:] *= -1.0
        return g

    report = check_gradients(cost, wrong, theta, names=[("u", (4,)), ("v", (3,))])
    assert report.verdict == "likely a bug" and not report.passed
    assert list(report.per_parameter)[0] == "v"
    assert any("sign is flipped" in h for h in report.hints)


def test_check_gradients_names_must_partition_theta():
    cost, grad, theta = quadratic()
    with pytest.raises(gn.ShapeError, match="theta has 7"):
        check_gradients(cost, grad, theta, names=[("u", (2, 2))])
    with pytest.raises(gn.ShapeError, match="grad_fn returned 3 values"):
        check_gradients(cost, lambda t: np.zeros(3), theta)


# ---------------------------------------------------------------------------------- correct nets
CASES = list(itertools.product(HIDDEN, OUTPUTS, [0.0, 0.7]))


@pytest.mark.parametrize("hidden,output,l2", CASES)
def test_correct_networks_pass(hidden, output, l2):
    seed = CASES.index((hidden, output, l2))
    X, Y, n_y = problem(output, seed=seed)
    net = gn.Network([4, 5, 3, n_y], hidden_activation=hidden, output_activation=output, l2=l2,
                     initializer="xavier", seed=seed)
    report = gradient_check(with_random_biases(net, seed), X, Y)
    assert report.difference < 1e-7, str(report)
    assert report.passed and report.verdict == "correct" and report.mode == "exact"
    # two per parameter, J(θ) once, and the noise floor's probes when a block's difference is above 1e-7
    assert report.evaluations == 2 * net.n_params + 1 + report.floor_evaluations
    assert report.floor_evaluations == 0 or max(b.difference for b in report.blocks) > 1e-7
    assert not report.hints


def test_fast_mode_on_a_small_correct_network():
    X, Y, _ = problem("softmax", n_x=6, m=10, seed=3)
    net = with_random_biases(gn.Network([6, 12, 9, 3], hidden_activation="tanh", output_activation="softmax",
                                        l2=0.2, seed=3), 3)
    report = gradient_check(net, X, Y, mode="fast", samples=4, directions=2)
    assert report.mode == "fast" and report.difference < 1e-7
    # W1, W2, W3 and b1 (12 > 4) are sampled: 4 coordinates + gradient direction + 2 random;
    # b2 (9 > 4) too; b3 (3 entries) is checked whole
    assert [b.directions for b in report.blocks] == [3, 3, 3, 3, 3, 0]
    assert report.evaluations == 2 * (5 * (4 + 3) + 3) + 1


# ---------------------------------------------------------------------------------- planted bugs
class ScaledBlock(gn.Network):
    """dW2 multiplied by 2."""

    def cost_and_gradients(self, X, Y, training=True, reuse_masks=None):
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks)
        grads["dW2"] = 2.0 * grads["dW2"]
        return J, grads


class MissingL2(gn.Network):
    """The L2 term left out of dW2."""

    def cost_and_gradients(self, X, Y, training=True, reuse_masks=None):
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks)
        grads["dW2"] = grads["dW2"] - self.l2 / X.shape[1] * self.params["W2"]
        return J, grads


class MissingOneOverM(gn.Network):
    """Backprop without the 1/m in dW and db."""

    def _backward(self, Y, **kwargs):
        super()._backward(Y, **kwargs)
        self._grad *= Y.shape[1]


class WrongTanhDerivative(gn.Network):
    """Layer 1 uses g'(z) = 1 - z^2 instead of 1 - tanh(z)^2."""

    def _backward(self, Y, **kwargs):
        m = Y.shape[1]
        dZ = self.loss.output_dZ(self.layers[-1].cache[2], Y)
        dA = None
        for i in range(self.L - 1, -1, -1):
            layer = self.layers[i]
            A_prev, Z, _ = layer.cache
            if i < self.L - 1:
                dZ = dA * (1.0 - Z * Z) if i == 0 else layer.activation.backward(dA, Z, layer.cache[2])
            layer.dW[...] = dZ @ A_prev.T / m + self.l2 / m * layer.W
            layer.db[...] = dZ.sum(axis=1, keepdims=True) / m
            dA = layer.W.T @ dZ


class TransposedBlock(gn.Network):
    """dW2 returned transposed (square layer)."""

    def cost_and_gradients(self, X, Y, training=True, reuse_masks=None):
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks)
        grads["dW2"] = grads["dW2"].T.copy()
        return J, grads


def buggy(cls, dims=(4, 5, 3, 1), l2=0.0, seed=1):
    return with_random_biases(cls(list(dims), hidden_activation="tanh", l2=l2, seed=seed), seed)


@pytest.mark.parametrize("mode", ["exact", "fast"])
def test_scaled_block_is_found_with_its_factor(mode):
    X, Y, _ = problem("sigmoid", seed=1)
    report = gradient_check(buggy(ScaledBlock), X, Y, mode=mode, samples=3)
    assert report.verdict == "likely a bug" and not report.passed
    assert list(report.per_parameter)[0] == "W2"
    assert any("dW2 is off by a factor 2.0" in h for h in report.hints), report.hints


@pytest.mark.parametrize("mode", ["exact", "fast"])
def test_missing_l2_term_is_found_and_named(mode):
    X, Y, _ = problem("sigmoid", seed=2)
    report = gradient_check(buggy(MissingL2, l2=1.0), X, Y, mode=mode, samples=3)
    assert report.verdict == "likely a bug"
    assert list(report.per_parameter)[0] == "W2"
    assert any("L2 term (l2/m)·W2 is missing" in h for h in report.hints), report.hints


def test_missing_one_over_m_is_named():
    X, Y, _ = problem("sigmoid", m=8, seed=3)
    report = gradient_check(buggy(MissingOneOverM), X, Y)
    assert report.verdict == "likely a bug"
    assert any("every block is off by a factor 8 = m: the 1/m is missing" in h for h in report.hints), report.hints


def test_wrong_activation_derivative_points_at_its_layer():
    X, Y, _ = problem("sigmoid", seed=4)
    report = gradient_check(buggy(WrongTanhDerivative, l2=0.3), X, Y)
    assert report.verdict == "likely a bug"
    assert list(report.per_parameter)[0] in ("W1", "b1")
    assert set(list(report.per_parameter)[:2]) == {"W1", "b1"}
    assert all(report.per_parameter[k] < 1e-7 for k in ("W2", "b2", "W3", "b3"))
    assert any("error enters in layer 1's backward" in h and "tanh" in h for h in report.hints), report.hints


def test_transposed_block_is_named():
    X, Y, _ = problem("sigmoid", seed=5)
    report = gradient_check(buggy(TransposedBlock, dims=(4, 5, 5, 1)), X, Y)
    assert report.verdict == "likely a bug" and list(report.per_parameter)[0] == "W2"
    assert any("dW2 looks transposed" in h for h in report.hints), report.hints


def test_relu_kink_entries_are_set_aside_with_their_reason():
    # a unit with W = 0 and b = 0 sits exactly on the kink for every example: a step of ε in its
    # W or b moves Z[1][0, :] off 0, where the two-sided difference averages two slopes
    X, Y, _ = problem("sigmoid", n_x=3, m=6, seed=6)
    net = gn.Network([3, 3, 1], hidden_activation="relu", seed=6)
    net.params["W1"][0] = 0.0
    net.params["b1"] = np.array([[0.0], [0.1], [0.2]])
    report = gradient_check(net, X, Y)
    assert report.passed and report.verdict == "correct" and not report.failed, str(report)
    assert sorted(s.where for s in report.set_aside) == ["W1[0, 0]", "W1[0, 1]", "W1[0, 2]", "b1[0, 0]"]
    for s in report.set_aside:
        assert s.reason.startswith("Z[1][0, 0] = 0.00e+00 at θ") and "crosses the ReLU kink at 0" in s.reason
        assert s.analytic == 0.0 and s.numeric != 0.0  # backprop's g'(0) = 0 against the average of two slopes
    assert report.n_checked == 12 and [b.set_aside for b in report.blocks] == [3, 1, 0, 0]
    assert "4 set aside at ReLU kinks" in str(report) and "set aside, not judged (4" in str(report)
    assert json.loads(json.dumps(report.to_dict()))["set_aside"][0]["reason"] == report.set_aside[0].reason


def test_a_dead_layer_at_initialization_is_not_called_a_bug():
    # He initialization with b = 0: an example for which every unit of layer 1 is off gives a whole
    # column of Z[2] = b[2] = 0 exactly, on the kink (the two "likely a bug" nets were such)
    X, Y, _ = problem("softmax", n_x=4, m=23, seed=4)
    net = gn.Network([4, 4, 5, 5, 3], hidden_activation="relu", output_activation="softmax", seed=4)
    A1 = np.maximum(net.params["W1"] @ X, 0)
    assert (A1 == 0).all(axis=0).any()  # the premise: some example switches every unit of layer 1 off
    report = gradient_check(net, X, Y)
    assert report.verdict == "correct" and report.passed, str(report)
    # the biases of the layers whose Z has such a column (b2, b3) move it off 0: set aside
    assert report.set_aside and all("kink" in s.reason and s.where[:2] in ("b2", "b3") for s in report.set_aside)


def test_leaky_relu_kinks_are_set_aside_and_near_misses_are_judged():
    X, Y, _ = problem("sigmoid", n_x=3, m=6, seed=7)
    net = gn.Network([3, 3, 1], hidden_activation="leaky_relu", seed=7)
    net.params["W1"][0] = 0.0
    net.params["b1"] = np.array([[0.0], [0.1], [0.2]])
    report = gradient_check(net, X, Y)
    assert report.verdict == "correct" and len(report.set_aside) == 4
    assert all("Leaky ReLU kink" in s.reason for s in report.set_aside)
    # Z = 1e-5 for every example: a step of ε = 1e-7 does not reach the kink, so nothing is set aside
    # (no tolerance around 0 is guessed; the sign of Z at θ ± ε decides)
    net.params["b1"] = np.array([[1e-5], [0.1], [0.2]])
    near = gradient_check(net, X, Y)
    assert not near.set_aside and near.verdict == "correct" and near.n_checked == net.n_params


# ---------------------------------------------------------------------------------- noise floor
def test_a_gradient_at_the_noise_floor_is_named_and_not_blamed():
    # tanh net with L2 = 1 after 300 Adam steps: ‖dθ‖ = 1.7e-5, so the rounding of J (1e-9 per
    # derivative at ε = 1e-7) makes a difference of 4.6e-5 ("suspicious" on the bands alone)
    net, X, Y = make(3, "tanh", "sigmoid", True)
    report = gradient_check(net, X, Y)
    assert report.verdict == "at the noise floor" and 1e-5 < report.difference <= report.noise_floor, str(report)
    assert not report.passed and not report.failed and report.status == "at the noise floor"
    advice = report.hints[0]
    assert advice.startswith("at the noise floor") and "not a bug" in advice
    assert all(w in advice for w in ("another ε", "other examples", "before convergence", "‖dθ‖ = 1.7e-05"))
    assert len(report.hints) == 1  # no pattern is read into noise: no derivative, layer or factor blamed
    assert all(b.verdict in ("correct", "at the noise floor") for b in report.blocks)
    assert "gradient check at the noise floor" in str(report) and "FAILED" not in str(report)
    assert report.to_dict()["noise_floor"] == report.noise_floor and report.to_dict()["failed"] is False
    # the same network with a planted bug is still called wrong, and named
    buggy = make(3, "tanh", "sigmoid", True, cls=MissingL2)[0]
    bad = gradient_check(buggy, X, Y)
    assert bad.failed and bad.verdict == "likely a bug"
    assert any("L2 term (l2/m)·W2 is missing" in h for h in bad.hints), bad.hints


def test_too_large_an_epsilon_is_named_as_truncation_and_the_sweep_shows_floors():
    net, X, Y = make(2, "tanh", "softmax", False)
    report = gradient_check(net, X, Y, epsilon=1e-2)
    assert report.verdict == "at the noise floor" and not report.failed, str(report)
    assert "ε = 0.01 is too large" in report.hints[0] and "truncation" in report.hints[0]
    assert gradient_check(net, X, Y).verdict == "correct"
    sweep = report.sweep()
    assert set(report.sweep_floors) == set(sweep) and sweep[1e-5] < 1e-7
    assert verdict_for(sweep[1e-3], report.sweep_floors[1e-3]) == "at the noise floor"
    assert "(floor " in str(report) and json.loads(json.dumps(report.to_dict()))["sweep_floors"]


# ---------------------------------------------------------------------------------- sweep
def test_epsilon_sweep_tells_a_bug_from_rounding():
    X, Y, _ = problem("sigmoid", seed=7)
    good = gradient_check(buggy(gn.Network), X, Y, sweep=True)
    assert list(good.epsilon_sweep) == [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]
    assert min(good.epsilon_sweep.values()) < 1e-8
    assert any(h.startswith("epsilon sweep") and "not a bug" in h for h in good.hints)
    # two per parameter and ε, and the noise floor's probes where a difference is above 1e-7 (large ε)
    assert good.sweep_evaluations == 6 * 2 * good.n_params + good.floor_evaluations

    bad = gradient_check(buggy(ScaledBlock), X, Y)
    sweep = bad.sweep()
    values = np.array(list(sweep.values()))
    assert values.min() > 1e-2 and values.max() < 2 * values.min()  # it does not shrink with ε
    assert any("real error in the gradient" in h for h in bad.hints)
    assert "epsilon sweep" in str(bad)


# ---------------------------------------------------------------------------------- dropout
def test_dropout_is_turned_off_by_default_and_said_so():
    X, Y, _ = problem("sigmoid", seed=8)
    net = with_random_biases(gn.Network([4, 6, 5, 1], hidden_activation="tanh", keep_prob=0.6, seed=8), 8)
    report = gradient_check(net, X, Y)
    assert report.difference < 1e-7
    assert any("dropout turned off" in n for n in report.notes)


def test_dropout_fixed_checks_the_dropped_network():
    X, Y, _ = problem("sigmoid", seed=9)
    net = with_random_biases(gn.Network([4, 6, 5, 1], hidden_activation="tanh", keep_prob=[0.8, 0.6, 0.7],
                                        l2=0.2, seed=9), 9)
    report = gradient_check(net, X, Y, dropout="fixed")
    assert report.difference < 1e-7 and report.passed
    assert any("fixed masks" in n for n in report.notes)
    # the dropped network differs from the whole one: a check with dropout off compares another cost
    assert report.sweep([1e-5])[1e-5] < 1e-7  # re-measuring keeps the masks fixed


class FreshMasksEveryCall(gn.Network):
    """Ignores fixed_dropout_masks(): draws new masks on every call."""

    def cost_and_gradients(self, X, Y, training=True, reuse_masks=None):
        return super().cost_and_gradients(X, Y, training, reuse_masks=False)


def test_masks_that_are_not_fixed_are_reported():
    X, Y, _ = problem("sigmoid", seed=10)
    net = FreshMasksEveryCall([4, 6, 1], keep_prob=[0.5, 0.5], seed=10)
    report = gradient_check(net, X, Y, dropout="fixed")
    assert not report.passed
    assert any("dropout masks are not fixed" in h for h in report.hints), report.hints
    # a cost that changes between two evaluations at the same θ has no noise floor to hide behind
    assert report.failed and report.verdict == "likely a bug" and report.noise_floor == 0.0


# ---------------------------------------------------------------------------------- isolation
def snapshot(net):
    return {
        "theta": net.parameters_to_vector(),
        "grad": net.gradients_to_vector(),
        "rng": json.dumps(net.rng.bit_generator.state, default=int),
        "caches": [None if layer.cache is None else [a.copy() for a in layer.cache] for layer in net.layers],
        "masks": [None if layer.D is None else layer.D.copy() for layer in net.layers],
        "dtype": net.dtype, "keep_prob": list(net.keep_prob), "fixed": net._masks_fixed,
    }


def assert_same(before, after):
    np.testing.assert_array_equal(before["theta"], after["theta"])
    assert before["theta"].dtype == after["theta"].dtype
    np.testing.assert_array_equal(before["grad"], after["grad"])
    assert before["rng"] == after["rng"]
    for a, b in zip(before["caches"], after["caches"], strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    for a, b in zip(before["masks"], after["masks"], strict=True):
        np.testing.assert_array_equal(a, b)
    assert (before["dtype"], before["keep_prob"], before["fixed"]) == (after["dtype"], after["keep_prob"],
                                                                       after["fixed"])


@pytest.mark.parametrize("kwargs", [{}, {"dropout": "fixed"}, {"mode": "fast", "samples": 2}, {"sweep": True}])
def test_the_callers_network_is_not_changed(kwargs):
    X, Y, _ = problem("softmax", seed=11)
    net = gn.Network([4, 6, 5, 3], output_activation="softmax", keep_prob=0.7, l2=0.1, seed=11)  # float32
    with_random_biases(net, 11)
    net.cost_and_gradients(X, Y, training=True)  # leaves caches, masks and gradients behind
    before = snapshot(net)
    report = gradient_check(net, X, Y, **kwargs)
    assert report.difference < 1e-7
    assert_same(before, snapshot(net))


class ExtraArguments(gn.Network):
    """A subclass whose __init__ takes another argument: from_config cannot rebuild it."""

    def __init__(self, layer_dims, factor, **kwargs):
        super().__init__(layer_dims, **kwargs)
        self.factor = factor

    def cost_and_gradients(self, X, Y, training=True, reuse_masks=None):
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks)
        grads["db1"] = self.factor * grads["db1"]
        return J, grads


def test_subclass_with_extra_init_arguments_is_checked_as_itself():
    X, Y, _ = problem("sigmoid", seed=12)
    net = with_random_biases(ExtraArguments([4, 5, 1], factor=3.0, hidden_activation="tanh", seed=12), 12)
    net.cost(X, Y)
    before = snapshot(net)
    report = gradient_check(net, X, Y)
    assert list(report.per_parameter)[0] == "b1" and report.verdict == "likely a bug"
    assert any("db1 is off by a factor 3" in h for h in report.hints), report.hints
    assert_same(before, snapshot(net))
    net.factor = 1.0
    assert gradient_check(net, X, Y).passed


# ---------------------------------------------------------------------------------- large networks
class ScaledW2(gn.Network):
    def cost_and_gradients(self, X, Y, training=True, reuse_masks=None):
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks)
        grads["dW2"] = 1.05 * grads["dW2"]
        return J, grads


def test_a_million_parameters_in_fast_mode():
    # 1000-800-250-10: 1,003,560 parameters; m = 16 examples. Takes a few seconds on two cores
    # (about 4.5 s per check on the development machine, 133 cost evaluations each).
    rng = np.random.default_rng(13)
    X = rng.standard_normal((1000, 16))
    Y = rng.integers(0, 10, (1, 16))
    dims = [1000, 800, 250, 10]
    net = ScaledW2(dims, output_activation="softmax", l2=0.1, seed=13)
    assert net.n_params > 1_000_000 > AUTO_EXACT_LIMIT
    report = gradient_check(net, X, Y)
    assert report.mode == "fast"
    # per block: 8 coordinates, 1 + 2 directions; J(θ); the noise floor's probes (the difference is above 1e-7)
    assert report.evaluations == 6 * 2 * (8 + 1 + 2) + 1 + report.floor_evaluations
    assert report.floor_evaluations == 1 + 2 * 8  # J(θ) again and a tiny step each way at 8 coordinates
    assert f"{report.evaluations:,} cost evaluations" in str(report)
    assert not report.passed and report.verdict == "likely a bug"
    assert list(report.per_parameter)[0] == "W2"
    assert all(d < 1e-7 for name, d in report.per_parameter.items() if name != "W2")
    assert any("dW2 is off by a factor 1.05" in h for h in report.hints), report.hints


# ---------------------------------------------------------------------------------- report and errors
def test_report_text_and_dict():
    X, Y, _ = problem("sigmoid", seed=14)
    report = gradient_check(buggy(ScaledBlock), X, Y, worst=3)
    assert isinstance(report, GradCheckReport)
    text = str(report)
    assert "gradient check FAILED" in text and "likely a bug" in text and "hints:" in text
    for name, shape in buggy(ScaledBlock).parameter_shapes().items():
        assert name in text and str(shape) in text
    assert len(report.worst) == 3 and all(e.name == "W2" for e in report.worst)
    assert report.worst[0].difference >= report.worst[1].difference
    name, index, analytic, numeric = report.worst[0]
    assert name == "W2" and len(index) == 2 and analytic == pytest.approx(2 * numeric, rel=1e-6)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["verdict"] == "likely a bug" and data["passed"] is False
    assert data["per_parameter"][0]["name"] == "W2" and data["evaluations"] == report.evaluations
    assert "passed=False" in repr(report)


def test_arguments_are_checked():
    X, Y, _ = problem("sigmoid")
    net = gn.Network([4, 3, 1], seed=0)
    with pytest.raises(gn.UnknownNameError, match="dropout.*fixed"):
        gradient_check(net, X, Y, dropout="on")
    with pytest.raises(gn.UnknownNameError, match="mode"):
        gradient_check(net, X, Y, mode="slow")
    with pytest.raises(gn.HyperparameterError, match="epsilon must be a number in"):
        gradient_check(net, X, Y, epsilon=-1e-7)
    with pytest.raises(gn.ShapeError, match="X"):
        gradient_check(net, X.T, Y)
    with pytest.raises(gn.HyperparameterError, match="check_gradients"):
        gradient_check(object(), X, Y)
    with pytest.raises(gn.ShapeError, match="no examples"):
        gradient_check(net, X[:, :0], Y[:, :0])


def test_a_non_deterministic_cost_is_named_first():
    rng = np.random.default_rng(0)
    theta = np.array([1.0, 2.0])

    def noisy_cost(t):
        return float((t**2).sum() + 1e-3 * rng.standard_normal())

    report = gn.check_gradients(noisy_cost, lambda t: 2 * t, theta)
    assert report.hints and report.hints[0].startswith("cost_fn is not deterministic")
    assert report.verdict != "at the noise floor" and report.failed
