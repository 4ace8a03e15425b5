"""A run says what happened: divergence is named, regression targets are learned and reported in their units."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import cli
from glassnet.errors import DivergenceError, HyperparameterError


def _data(m=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, m))
    return X, (X[:1] + X[1:2] > 0).astype(float)


# ---------------------------------------------------------------------- divergence
def test_a_finite_blow_up_is_called_diverged_in_history_and_warning():
    X, Y = _data()
    net = gn.Network([4, 16, 1], seed=0)
    with pytest.warns(gn.DivergenceWarning, match="diverged"):
        history = net.fit(X, Y, epochs=5, batch_size=32, optimizer="gd", learning_rate=50.0, schedule="constant")
    assert history.diverged
    assert "diverged" in history.stop_reason and "learning rate" in history.stop_reason
    assert history.to_dict()["diverged"] is True
    assert gn.History.from_dict(json.loads(json.dumps(history.to_dict()))).diverged


def test_a_nan_cost_is_called_diverged():
    X, Y = _data()
    net = gn.Network([4, 16, 1], seed=0)
    with pytest.warns(gn.DivergenceWarning):
        history = net.fit(X, Y, epochs=30, batch_size=32, optimizer="gd", learning_rate=1e30)
    assert history.diverged and history.stop_reason.startswith("diverged")


def test_raise_on_divergence_raises_for_a_finite_blow_up_too():
    X, Y = _data()
    with pytest.raises(DivergenceError, match="diverged"):
        gn.Network([4, 16, 1], seed=0).fit(X, Y, epochs=5, batch_size=32, optimizer="gd", learning_rate=50.0,
                                           schedule="constant", on_divergence="raise")


@pytest.mark.parametrize("optimizer, rate", [("adam", 0.01), ("gd", 0.5), ("momentum", 0.1), ("rmsprop", 0.005)])
def test_healthy_runs_are_not_called_diverged(optimizer, rate):
    X, Y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", gn.DivergenceWarning)
        for keep in (1.0, 0.5):
            history = gn.Network([4, 16, 16, 1], seed=1, keep_prob=keep).fit(
                X, Y, epochs=20, batch_size=16, optimizer=optimizer, learning_rate=rate)
            assert not history.diverged


def test_a_lucky_start_near_zero_cost_is_not_called_diverged():
    """A start below the constant guess's cost: noise above it is not a divergence."""
    X, Y = _data()
    net = gn.Network([4, 16, 1], seed=0)
    net.fit(X, Y, epochs=60, batch_size=32, learning_rate=0.01)  # near a minimum already
    with warnings.catch_warnings():
        warnings.simplefilter("error", gn.DivergenceWarning)
        history = net.fit(X, Y, epochs=3, batch_size=32, learning_rate=0.003)
    assert not history.diverged


def test_train_with_a_huge_learning_rate_exits_3_and_records_it(tmp_path, capsys):
    # the command's own main in this process (python -m glassnet.cli is sys.exit(main()); a subprocess would
    # spend its seconds importing); a DivergenceWarning that escaped main would be printed by Python beside
    # glassnet's line, so every warning is recorded here and none may be one
    out = tmp_path / "run"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = cli.main(["train", "--learning-rate", "1e9", "--epochs", "3", "--layers", "32", "--quiet",
                         "--out", str(out)])
    stdout, stderr = capsys.readouterr()
    assert code == 3, stdout + stderr
    assert "diverged" in stdout and "learning rate" in stdout
    assert "diverged" in stderr
    assert "DivergenceWarning" not in stderr  # said once, in glassnet's words
    assert not [w for w in caught if issubclass(w.category, gn.DivergenceWarning)], [str(w.message) for w in caught]
    results = json.loads((out / "results.json").read_text())
    assert results["training"]["diverged"] is True
    assert json.loads((out / "history.json").read_text())["diverged"] is True


# ---------------------------------------------------------------------- regression targets
def _regression(m=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, m))
    Y = 150.0 + 60.0 * np.tanh(X[:1]) + 20.0 * X[1:2] + rng.normal(0, 5, (1, m))  # raw targets far from 0
    return X, Y


def test_standardized_targets_learn_what_raw_ones_cannot_in_the_same_steps():
    X, Y = _regression()
    Xt, Yt = _regression(200, seed=1)
    rmse = {}
    for standardize in (False, True):
        net = gn.Network([3, 32, 1], output_activation="linear", seed=0, dtype="float64")
        net.fit(X, Y, epochs=40, batch_size=32, learning_rate=0.01, standardize_targets=standardize)
        rmse[standardize] = net.evaluate(Xt, Yt)["rmse"]
    baseline = float(np.sqrt(np.mean((Yt - Y.mean()) ** 2)))
    assert rmse[True] < 0.25 * baseline
    assert rmse[True] < 0.5 * rmse[False]


def test_standardized_targets_report_in_their_own_units(tmp_path):
    X, Y = _regression()
    Xd, Yd = _regression(100, seed=2)
    net = gn.Network([3, 16, 1], output_activation="linear", seed=0, dtype="float64")
    history = net.fit(X, Y, epochs=10, batch_size=400, learning_rate=0.01, standardize_targets=True,
                      X_dev=Xd, Y_dev=Yd)
    mu, sd = Y.mean(), Y.std()
    a = net.forward(Xd)  # the network's own output: standardized units
    predictions = net.predict(Xd)
    np.testing.assert_allclose(predictions, mu + sd * a, rtol=1e-12)
    assert history["dev_rmse"][-1] == pytest.approx(float(np.sqrt(np.mean((predictions - Yd) ** 2))), rel=1e-12)
    assert history["dev_cost"][-1] == pytest.approx(float(np.mean((predictions - Yd) ** 2) / 2), rel=1e-12)
    # full batch: the recorded training cost is that of the weights before the epoch's step, in y's units
    before = gn.Network([3, 16, 1], output_activation="linear", seed=0, dtype="float64")
    assert history["cost"][0] == pytest.approx(float(np.mean((mu + sd * before.forward(X) - Y) ** 2) / 2), rel=1e-12)
    # the objective the gradients are of stays the standardized one, so the gradient check holds
    assert net.cost(Xd, Yd) == pytest.approx(float(np.mean((a - (Yd - mu) / sd) ** 2) / 2), rel=1e-12)
    assert gn.gradient_check(net, Xd[:, :20], Yd[:, :20]).passed
    gn.save(net, tmp_path / "m.npz")
    loaded = gn.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.predict(Xd), predictions)
    assert "targets standardized" in loaded.describe_input()


def test_standardize_targets_is_refused_for_a_classifier():
    X, Y = _data()
    with pytest.raises(HyperparameterError, match="linear output"):
        gn.Network([4, 3, 1], seed=0).fit(X, Y, epochs=1, standardize_targets=True)


def test_a_resumed_regression_keeps_its_target_pipeline(tmp_path):
    X, Y = _regression()
    net = gn.Network([3, 8, 1], output_activation="linear", seed=0, dtype="float64")
    net.fit(X, Y, epochs=2, batch_size=64, standardize_targets=True, checkpoint_dir=tmp_path, checkpoint_every=1)
    fresh = gn.Network([3, 8, 1], output_activation="linear", seed=0, dtype="float64")
    fresh.fit(X, Y, epochs=3, batch_size=64, resume_from=tmp_path / "checkpoint-last.npz")
    assert fresh.target_normalizer is not None
    assert float(fresh.target_normalizer.mu[0, 0]) == pytest.approx(Y.mean())
