import json

import numpy as np
import pytest

import glassnet as gn
from glassnet.diagnostics import (
    CostDecreaseResult,
    Diagnosis,
    check_cost_decreases,
    diagnose,
    epoch_record,
    layer_statistics,
)

from .test_gradcheck import assert_same, snapshot


def deep_linear(scale, depth=10, width=4):
    net = gn.Network([width] * (depth + 1), activations=["linear"] * depth, dtype="float64", seed=0)
    for l in range(1, depth + 1):
        net.params[f"W{l}"] = scale * np.eye(width)
        net.params[f"b{l}"] = np.zeros((width, 1))
    return net


def data(n_x, m, seed=0, n_y=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = rng.standard_normal((n_y, m)) if n_y else None
    return X, Y


@pytest.mark.parametrize("with_labels", [False, True])
@pytest.mark.parametrize("scale,verdict", [(1.5, "exploding"), (0.5, "vanishing"), (1.0, "healthy")])
def test_deep_linear_network_grows_like_scale_to_the_l(scale, verdict, with_labels):
    X, Y = data(4, 30, seed=1, n_y=4)
    d = diagnose(deep_linear(scale), X, Y if with_labels else None)
    assert isinstance(d, Diagnosis) and d.verdict == verdict
    # A[l] = scale^l X exactly: every layer-by-layer ratio of RMS(A) is the scale
    np.testing.assert_allclose(d.activation_ratios(), scale, rtol=1e-12)
    rms_x = np.sqrt(np.mean(X ** 2))
    np.testing.assert_allclose([s.rms_a for s in d.layers], rms_x * scale ** np.arange(1, 11), rtol=1e-12)
    assert d.activation_growth == pytest.approx(scale ** 8)  # RMS(A[9]) / RMS(A[1])
    assert d.gradient_growth == pytest.approx(scale ** 8)  # ĝ[1] / ĝ[9]: W^T scales by `scale` at each step
    assert d.steps == 8 and d.gradient_rate == pytest.approx(scale) and d.activation_rate == pytest.approx(scale)
    text = str(d)
    assert f"diagnosis: {verdict.upper()}" in text and "rule:" in text and "F_A" in text
    if verdict != "healthy":
        assert any(verdict in r for r in d.reasons)
        assert f"×{scale:g} per layer" in text


@pytest.mark.parametrize("with_labels", [False, True])
def test_fifty_layer_sigmoid_network_vanishes(with_labels):
    X, _ = data(20, 200, seed=2)
    Y = (X[:1] > 0).astype(float)
    net = gn.Network([20] + [50] * 49 + [1], hidden_activation="sigmoid", seed=2)
    d = diagnose(net, X, Y if with_labels else None)
    assert d.verdict == "vanishing"
    assert d.gradient_growth < 1e-6
    assert any("gradients" in r and "vanishing" in r for r in d.reasons)


def test_he_initialization_keeps_the_activation_scale_of_a_deep_relu_network():
    # He (std sqrt(2/n[l-1])) keeps E[A[l]^2] constant with depth. One network of finite width drifts
    # around that like a log-normal random walk (log-std of RMS(A[50]) / RMS(A[1]) about 0.4 for 200
    # units), so a single network can wander past a factor 2 for some seeds. So: every network is
    # healthy, and the mean square over 8 networks stays within a factor of 2 of layer 1's at every
    # layer (checked over 40 seeds while writing this test: 0.61 to 1.41).
    squares = []
    for seed in range(8):
        X, _ = data(100, 100, seed=seed)
        net = gn.Network([100] + [200] * 50 + [1], hidden_activation="relu", initializer="he", seed=seed)
        d = diagnose(net, X)
        assert d.verdict == "healthy", d.reasons
        rms = np.array([s.rms_a for s in d.layers[:-1]])
        squares.append((rms / rms[0]) ** 2)
    profile = np.sqrt(np.mean(squares, axis=0))
    assert profile.min() > 0.5 and profile.max() < 2.0, profile
    # the same network with xavier (half He's variance for ReLU) shrinks by about 1/sqrt(2) per layer
    X, _ = data(100, 100, seed=0)
    small = gn.Network([100] + [200] * 50 + [1], hidden_activation="relu", initializer="xavier", seed=0)
    d = diagnose(small, X)
    assert d.verdict == "vanishing" and d.activation_growth < 1e-5


def test_saturated_and_dead_units():
    X, _ = data(3, 40, seed=3)
    net = gn.Network([3, 6, 5, 4, 1], activations=["sigmoid", "tanh", "relu", "sigmoid"], dtype="float64", seed=3)
    net.params["W1"] = 100.0 * np.sign(net.params["W1"])  # |z| is huge: a < 0.01 or a > 0.99
    net.params["W2"] = 100.0 * np.abs(net.params["W2"])  # inputs in {0, 1}: z >= b2 = 5, tanh(z) > 0.9999
    net.params["b2"] = 5.0 * np.ones((5, 1))
    net.params["b3"] = -100.0 * np.ones((4, 1))  # Z <= 0 for every example: dead
    stats = layer_statistics(net, X)
    assert stats[0].saturated > 0.95 and stats[1].saturated == 1.0
    assert stats[2].dead == 1.0 and stats[2].saturated is None
    assert stats[0].dead is None and stats[3].dead is None
    d = diagnose(net, X)
    assert any("layer 3" in w and "dead" in w for w in d.warnings)
    assert any("layer 1" in w and "saturated" in w for w in d.warnings)
    # the rule, exactly: tanh |a| > 0.97 (Karpathy's), sigmoid a < 0.015 or a > 0.985 (the same 6 % of g''s peak)
    one = gn.Network([1, 2, 1], activations=["tanh", "sigmoid"], dtype="float64", seed=0)
    one.params["W1"] = [[1.0], [1.0]]
    one.params["b1"] = [[0.0], [0.0]]
    z = np.array([[np.arctanh(0.96), np.arctanh(0.975), -np.arctanh(0.975), 0.0]])
    assert layer_statistics(one, z)[0].saturated == pytest.approx(0.5)
    sig = gn.Network([1, 1, 1], activations=["sigmoid", "linear"], dtype="float64", seed=0)
    sig.params["W1"], sig.params["b1"] = [[1.0]], [[0.0]]
    logit = lambda a: np.log(a / (1 - a))  # noqa: E731
    z = np.array([[logit(0.98), logit(0.99), logit(0.01), logit(0.02)]])
    assert layer_statistics(sig, z)[0].saturated == pytest.approx(0.5)
    assert 1 - gn.diagnostics.SATURATION["tanh"] ** 2 == pytest.approx(0.0591)  # tanh' = 1 - a^2


def test_gradient_norms_match_backprop():
    X, _ = data(5, 12, seed=4)
    Y = (X[:1] > 0).astype(float)
    net = gn.Network([5, 7, 4, 1], hidden_activation="tanh", l2=0.3, dtype="float64", seed=4)
    stats = layer_statistics(net, X, Y)
    _, grads = net.cost_and_gradients(X, Y, training=False)
    for s in stats:
        dW = grads[f"dW{s.layer}"]
        assert s.grad_norm == pytest.approx(np.linalg.norm(dW), rel=1e-12)
        assert s.grad_ratio == pytest.approx(np.linalg.norm(dW) / np.linalg.norm(net.params[f"W{s.layer}"]),
                                             rel=1e-12)
    assert all(s.grad_norm is None for s in layer_statistics(net, X))


def test_diagnostics_do_not_change_the_network():
    X, _ = data(5, 20, seed=5)
    Y = (X[:1] > 0).astype(float)
    net = gn.Network([5, 6, 4, 1], keep_prob=0.7, seed=5)
    net.cost_and_gradients(X, Y, training=True)
    before = snapshot(net)
    diagnose(net, X, Y)
    diagnose(net, X)
    epoch_record(net, X, Y, prepared=False)
    check_cost_decreases(net, X, Y, iterations=3)
    assert_same(before, snapshot(net))


def test_epoch_record_is_compact_and_json_ready():
    X, _ = data(6, 32, seed=6)
    Y = np.random.default_rng(6).integers(0, 3, (1, 32))
    net = gn.Network([6, 8, 5, 3], output_activation="softmax", seed=6)
    record = epoch_record(net, X, Y)
    keys = {"grad_norm", "grad_ratio", "weight_norm", "signal_norm", "signal_rms", "activation_rms", "dead_fraction",
            "saturated_fraction", "gradient_rate", "activation_rate", "verdict"}
    assert set(record) == keys
    assert all(len(record[k]) == net.L for k in keys - {"verdict", "gradient_rate", "activation_rate"})
    assert record["verdict"] == gn.diagnostics.TOO_SHALLOW  # L = 3: one hidden-to-hidden step
    assert record["gradient_rate"] == pytest.approx(diagnose(net, X, Y).gradient_rate)
    assert json.loads(json.dumps(record)) == record
    assert record == epoch_record(net, X, Y, prepared=False)  # no normalizer: the same batch


def test_fit_records_diagnostics_every_epoch():
    X, _ = data(4, 64, seed=7)
    Y = (X[:1] + X[1:2] > 0).astype(float)
    net = gn.Network([4, 5, 1], hidden_activation="tanh", seed=7)
    history = gn.fit(net, X, Y, epochs=3, diagnostics=True, seed=0)
    assert len(history.diagnostics) == 3
    assert all(len(r["grad_norm"]) == 2 and r["grad_norm"][0] > 0 for r in history.diagnostics)


def test_cost_decreases_with_dropout_off():
    X, _ = data(5, 40, seed=8)
    Y = (X[:1] > 0).astype(float)
    net = gn.Network([5, 8, 8, 1], hidden_activation="tanh", keep_prob=0.5, seed=8)
    result = check_cost_decreases(net, X, Y, iterations=30, learning_rate=0.5)
    assert isinstance(result, CostDecreaseResult) and result.decreased and bool(result)
    assert len(result.costs) == 31 and not result.rises
    assert np.all(np.diff(result.costs) < 0)
    assert "fell at every one of 30" in str(result)


def test_cost_that_rises_is_reported():
    X, _ = data(5, 40, seed=8)
    Y = (X[:1] > 0).astype(float)
    net = gn.Network([5, 8, 8, 1], hidden_activation="tanh", seed=8)
    result = check_cost_decreases(net, X, Y, iterations=20, learning_rate=100.0)
    assert not result.decreased and result.rises
    assert "lower learning_rate" in result.message
    with pytest.raises(gn.HyperparameterError, match="learning_rate"):
        check_cost_decreases(net, X, Y, learning_rate=0)
    with pytest.raises(gn.HyperparameterError, match="iterations"):
        check_cost_decreases(net, X, Y, iterations=0)


# ---------------------------------------------------------------------------------- the rule's parts
def test_the_rates_are_per_unit_over_the_hidden_layers():
    # widths 64 -> 8 -> 1: the per-unit ĝ[l] = ‖dZ[l]‖/sqrt(n[l]·m) of hidden layers 1..L-1, never the output's
    X, Y = data(16, 40, seed=9, n_y=1)
    Y = (Y > 0).astype(int)
    net = gn.Network([16, 64, 32, 16, 8, 1], hidden_activation="relu", initializer="he", dtype="float64", seed=9)
    d = diagnose(net, X, Y)
    g = [s.signal_norm / np.sqrt(s.units * 40) for s in d.layers]
    a = [np.sqrt(np.mean(A ** 2)) for A in (s.rms_a for s in d.layers)]
    assert [s.signal_rms for s in d.layers] == pytest.approx(g, rel=1e-12)
    assert d.steps == 3
    assert d.gradient_growth == pytest.approx(g[0] / g[3], rel=1e-12)
    assert d.gradient_rate == pytest.approx((g[0] / g[3]) ** (1 / 3), rel=1e-12)
    assert d.activation_rate == pytest.approx((a[3] / a[0]) ** (1 / 3), rel=1e-12)
    assert d.verdict == "healthy"


@pytest.mark.parametrize("dims", [[3, 5, 1], [3, 5, 4, 1]])
def test_shallow_networks_get_the_numbers_and_no_verdict(dims):
    X, _ = data(3, 30, seed=10)
    Y = (X[:1] > 0).astype(int)
    net = gn.Network(dims, hidden_activation="tanh", initializer="random", init_scale=30.0, seed=10)
    d = diagnose(net, X, Y)
    assert d.verdict == gn.diagnostics.TOO_SHALLOW and not d.flagged and not d.healthy
    assert all(s.signal_rms is not None and s.rms_a > 0 for s in d.layers)
    assert (d.gradient_rate is None) == (len(dims) == 3)  # one hidden layer: no step between hidden layers
    assert "too shallow to call" in str(d) and any("nothing compounds" in r for r in d.reasons)
    net.params["W1"] = np.full(net.params["W1"].shape, 1e30)  # an overflow is named whatever the depth
    with np.errstate(all="ignore"):
        assert diagnose(net, X, Y).verdict == "exploding"


def test_a_network_that_has_learned_is_not_called_exploding_for_its_gain():
    # The notes' 1.5·I stack, 10 layers: exploding on targets it does not fit. Given targets it fits exactly
    # (its own outputs: J = 0 <= 0.9·J_const), the same gain of 1.5 per layer is the learned function's slope.
    X, Y = data(4, 30, seed=11, n_y=4)
    net = deep_linear(1.5)
    fitted = net.predict(X) + 1e-3 * Y  # a residual, so that there is a backprop signal to measure
    d = diagnose(net, X, fitted)
    assert d.gradient_rate == pytest.approx(1.5) and d.learned and d.cost < 1e-5 * d.constant_cost
    assert d.verdict == "healthy" and any("not called exploding" in r for r in d.reasons)
    assert diagnose(net, X, Y).verdict == "exploding" and diagnose(net, X, Y).learned is False
    assert diagnose(net, X).learned is None and diagnose(net, X).verdict == "exploding"  # no Y, no cost to tell
    with_const = diagnose(net, X, Y)
    assert with_const.constant_cost == pytest.approx(net.loss.constant_cost(Y))


def test_change_since_initialization_and_the_update_ratio():
    X, _ = data(5, 50, seed=12)
    Y = (X[:1] > 0).astype(int)
    net = gn.Network([5, 8, 8, 8, 1], hidden_activation="tanh", dtype="float64", seed=12)
    start = net.copy()
    gn.fit(net, X, Y, epochs=30, batch_size=None, optimizer="gd", learning_rate=0.5, schedule="constant")
    d = diagnose(net, X, Y, initial=start, learning_rate=0.5)
    for s in d.layers:
        W, W0 = net.params[f"W{s.layer}"], start.params[f"W{s.layer}"]
        assert s.weight_change == pytest.approx(np.linalg.norm(W - W0) / np.linalg.norm(W0), rel=1e-12)
        assert s.update_ratio == pytest.approx(0.5 * s.grad_ratio, rel=1e-12)
    at_start = diagnose(start, X, Y)
    assert d.initial["verdict"] == at_start.verdict
    assert d.initial["gradient_rate"] == pytest.approx(at_start.gradient_rate, rel=1e-12)
    assert any(r.startswith("at initialization:") for r in d.reasons)
    assert json.loads(json.dumps(d.to_dict(), allow_nan=False))["initial"]["steps"] == 2
    # a step of more than 10x CS231n's 1e-3 of the weights is worth a warning
    assert any("smaller learning rate" in w for w in diagnose(net, X, Y, learning_rate=1e3).warnings)
    assert all(s.update_ratio is None for s in diagnose(net, X).layers)  # no Y: no dW


def test_first_layers_that_never_moved_are_named():
    X, _ = data(5, 50, seed=13)
    Y = (X[:1] > 0).astype(int)
    start = gn.Network([5, 8, 8, 8, 1], hidden_activation="tanh", dtype="float64", seed=13)
    net = start.copy()
    for l in (2, 3, 4):
        net.params[f"W{l}"] = 1.3 * start.params[f"W{l}"]
    d = diagnose(net, X, Y, initial=start)
    assert d.layers[0].weight_change == 0.0 and d.layers[1].weight_change == pytest.approx(0.3)
    assert any("layer 1 has moved 0" in w and "hardly learning" in w for w in d.warnings)


def test_diagnose_refuses_a_bad_initial_or_learning_rate():
    X, _ = data(5, 10, seed=14)
    net = gn.Network([5, 4, 1], seed=14)
    with pytest.raises(gn.HyperparameterError, match="initial must be a glassnet Network"):
        diagnose(net, X, initial=net.params)
    with pytest.raises(gn.ShapeError, match=r"initial must have the network's layers \[5, 4, 1\]"):
        diagnose(net, X, initial=gn.Network([5, 3, 1], seed=0))
    with pytest.raises(gn.HyperparameterError, match="learning_rate"):
        diagnose(net, X, learning_rate=0)


def test_regression_targets_are_diagnosed_as_fit_trains_on_them():
    # fit(standardize_targets=True) trains on (y - μ_y)/σ_y; the diagnosis' dZ[L] and cost are that objective's
    X, _ = data(3, 60, seed=15)
    Y = 200.0 + 50.0 * X[:1] - 30.0 * X[1:2]
    net = gn.Network([3, 6, 6, 6, 1], hidden_activation="tanh", output_activation="linear", dtype="float64",
                     seed=15)
    gn.fit(net, X, Y, epochs=40, batch_size=None, learning_rate=0.01, schedule="constant", standardize_targets=True)
    d = diagnose(net, X, Y)
    assert d.cost == pytest.approx(net.cost(X, Y), rel=1e-12)
    assert d.constant_cost == pytest.approx(net.loss.constant_cost(net.standardize_targets(Y)), rel=1e-12)
    record = epoch_record(net, X, Y, prepared=False)
    assert record["signal_norm"] == epoch_record(net, X, net.standardize_targets(Y))["signal_norm"]


def test_the_cli_prints_and_saves_the_final_diagnosis(tmp_path, capsys):
    from glassnet import cli

    out = tmp_path / "run"
    code = cli.main(["train", "--data", "moons", "--layers", "8,8,8", "--activation", "tanh", "--epochs", "60",
                     "--optimizer", "gd", "--schedule", "constant", "--learning-rate", "0.5", "--diagnostics",
                     "--out", str(out), "--quiet"])
    text = capsys.readouterr().out
    assert code == 0 and "diagnosis: " in text and "per-layer rate over k = 2 hidden steps" in text
    saved = json.loads((out / "diagnosis.json").read_text())
    assert saved["verdict"] in ("healthy", "vanishing", "exploding") and saved["steps"] == 2
    assert saved["initial"]["steps"] == 2 and f"diagnosis: {saved['verdict'].upper()}" in text
    assert all(layer["weight_change"] > 0 for layer in saved["layers"])  # compared with the initial weights
    assert saved["layers"][0]["update_ratio"] == pytest.approx(0.5 * saved["layers"][0]["grad_ratio"])
    net = gn.load(out / "model.npz")
    X, Y = gn.datasets.make_moons(100, seed=0)
    assert diagnose(net, X, Y).steps == 2  # the saved model diagnoses like any network
