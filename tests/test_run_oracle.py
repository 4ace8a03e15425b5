"""The run-level oracle: every number a run reports equals an independent recomputation.

The oracle never asks the engine: it rebuilds what layer 1 sees from the raw data and the training
set's own statistics (the notes' rule: dev and test are scaled with the training set's μ and σ²),
runs ``glassnet.notes`` (plain NumPy) on the weights the run had after each epoch, and scores the
result. History (dev cost and accuracy per epoch), the progress line, the weights an early stop
keeps, a resumed run, the command line's results.json and history.json, a sweep's rows and the
estimators' validation scores are each held to it, across normalize × input scaling × dropout ×
L2 × sample weights × augmentation × early-stopping restore × resume.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import notes
from glassnet.data.preprocessing import encode_labels, train_test_split
from glassnet.sklearn import GlassClassifier, GlassRegressor


# ---------------------------------------------------------------------- the oracle
def pipeline(X_train_raw, scale=None, normalize=True):
    """What layer 1 sees, built from the raw training set alone: x -> (x/scale - μ) / σ."""
    base = X_train_raw / scale if scale else X_train_raw
    if not normalize:
        return lambda X: (X / scale if scale else X)
    mu = base.mean(axis=1, keepdims=True)
    sigma = base.std(axis=1, keepdims=True)
    sigma[sigma < 1e-8] = 1.0
    return lambda X: ((X / scale if scale else X) - mu) / sigma


def oracle(theta, net, X_raw, Y, transform) -> dict:
    """cost and accuracy (or rmse) of the weights theta on raw (X, Y), with the notes' own code."""
    params = notes.vector_to_dictionary(np.asarray(theta, dtype=np.float64).reshape(-1, 1), net.layer_dims)
    acts = [a.name if a.name != "leaky_relu" else ("leaky_relu", a.alpha) for a in net.activations]
    A0 = transform(np.asarray(X_raw, dtype=np.float64))
    AL, _ = notes.L_model_forward(A0, params, activations=acts)
    output = acts[-1]
    if output == "softmax":
        labels = np.asarray(Y).reshape(-1).astype(int) if Y.shape[0] == 1 else np.argmax(Y, axis=0)
        onehot = np.eye(net.layer_dims[-1])[:, labels]
        return {"cost": notes.compute_cost(AL, onehot, output="softmax"),
                "accuracy": float(np.mean(np.argmax(AL, axis=0) == labels))}
    if output == "sigmoid":
        return {"cost": notes.compute_cost(AL, Y, output="sigmoid"), "accuracy": float(np.mean((AL > 0.5) == Y))}
    return {"cost": notes.compute_cost(AL, Y, output="linear"), "rmse": float(np.sqrt(np.mean((AL - Y) ** 2)))}


class Snapshots(gn.Callback):
    """The weights after every epoch, as the run had them."""

    def __init__(self):
        self.thetas = {}

    def on_epoch_end(self, net, epoch, record):
        self.thetas[epoch] = net.parameters_to_vector()


def assert_history_true(history, snaps, net, X_dev, Y_dev, transform, rtol):
    metric = "accuracy" if net.n_classes else "rmse"
    assert len(history) and history["dev_cost"][0] is not None
    for epoch, cost, value in zip(history["epoch"], history["dev_cost"], history[f"dev_{metric}"], strict=True):
        truth = oracle(snaps.thetas[epoch], net, X_dev, Y_dev, transform)
        assert cost == pytest.approx(truth["cost"], rel=rtol), f"epoch {epoch}: dev cost"
        assert value == pytest.approx(truth[metric], rel=rtol, abs=1e-12), f"epoch {epoch}: dev {metric}"


# ---------------------------------------------------------------------- data
def blobs_far_from_zero(m, n_x=4, classes=2, seed=0, center=50.0, spread=10.0):
    """Raw features N(center, spread) whose class depends on them: normalizing matters."""
    rng = np.random.default_rng(seed)
    X = rng.normal(center, spread, (n_x, m))
    score = (X[0] - center) + 0.5 * (X[1] - center) + rng.normal(0, spread / 2, m)
    if classes == 2:
        return X, (score > 0).astype(float).reshape(1, m)
    edges = np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1])
    return X, np.digitize(score, edges).reshape(1, m)


CASES = {
    # name: (classes or 0 for regression, network keywords, fit keywords, input scale, sample weights)
    "normalize-sigmoid": (2, {}, {"normalize": True, "batch_size": 32}, None, False),
    "normalize-scale-dropout-l2-softmax": (3, {"keep_prob": [1.0, 0.8], "l2": 0.5},
                                          {"normalize": True, "batch_size": 64}, 16.0, False),
    "scale-only-weights-tanh": (2, {"hidden_activation": "tanh"}, {"normalize": False, "batch_size": 50}, 255.0,
                                True),
    "normalize-weights-leaky-full-batch": (3, {"hidden_activation": gn.activations.LeakyReLU(0.2)},
                                           {"normalize": True, "batch_size": None}, 2.0, True),
    "regression-normalize": (0, {"output_activation": "linear"}, {"normalize": True, "batch_size": 40}, None, False),
}


def _net_for(classes, net_kw, scale, n_x, dtype="float64"):
    n_out = {0: 1, 2: 1}.get(classes, classes)
    output = {0: "linear", 2: "sigmoid"}.get(classes, "softmax")
    kw = {"output_activation": output, **net_kw}
    return gn.Network([n_x, 8, n_out], dtype=dtype, seed=3, input_scale=scale, **kw)


def _data(classes, m, seed):
    if classes == 0:
        X, _ = blobs_far_from_zero(m, seed=seed)
        Y = (3.0 * (X[:1] - 50) / 10 + (X[1:2] - 50) / 10 + 100.0)  # targets far from 0 too
        return X, Y
    return blobs_far_from_zero(m, classes=classes, seed=seed)


@pytest.mark.parametrize("name", list(CASES))
def test_history_dev_numbers_equal_the_oracle(name):
    classes, net_kw, fit_kw, scale, weighted = CASES[name]
    X, Y = _data(classes, 300, seed=1)
    Xd, Yd = _data(classes, 120, seed=2)
    if scale:
        X, Xd = X * scale, Xd * scale  # raw numbers a fixed scale brings back
    net = _net_for(classes, net_kw, scale, X.shape[0])
    weights = np.random.default_rng(4).uniform(0.2, 2.0, (1, X.shape[1])) if weighted else None
    snaps = Snapshots()
    history = net.fit(X, Y, X_dev=Xd, Y_dev=Yd, epochs=6, seed=5, callbacks=[snaps], sample_weight=weights,
                      optimizer="adam", learning_rate=0.01, **fit_kw)
    transform = pipeline(X, scale, normalize=fit_kw["normalize"])
    assert_history_true(history, snaps, net, Xd, Yd, transform, rtol=1e-9)
    # evaluate on the same dev set, the same weights: the number the history shows for the last epoch
    assert net.evaluate(Xd, Yd)["cost"] == pytest.approx(history["dev_cost"][-1], rel=1e-12)


def test_float32_history_is_the_oracle_within_float32_rounding():
    X, Y = _data(3, 400, seed=1)
    Xd, Yd = _data(3, 150, seed=2)
    net = _net_for(3, {"keep_prob": [1.0, 0.9]}, 16.0, X.shape[0], dtype="float32")
    snaps = Snapshots()
    history = net.fit(X * 16, Y, X_dev=Xd * 16, Y_dev=Yd, epochs=5, seed=0, normalize=True, batch_size=64,
                      callbacks=[snaps], learning_rate=0.01)
    assert_history_true(history, snaps, net, Xd * 16, Yd, pipeline(X * 16, 16.0), rtol=2e-5)


def test_early_stopping_keeps_the_weights_of_the_epoch_it_names():
    X, Y = _data(2, 200, seed=7)
    Xd, Yd = _data(2, 200, seed=8)
    Y_noisy = np.where(np.random.default_rng(0).random(Y.shape) < 0.3, 1 - Y, Y)  # so the dev cost turns up
    net = gn.Network([4, 64, 64, 1], dtype="float64", seed=0)
    snaps = Snapshots()
    es = gn.EarlyStopping(patience=3, restore_best=True)
    history = net.fit(X, Y_noisy, X_dev=Xd, Y_dev=Yd, epochs=80, seed=0, normalize=True, batch_size=16,
                      learning_rate=0.01, early_stopping=es, callbacks=[snaps])
    assert history.stopped_epoch < 80, "the case must stop early to test the restore"
    transform = pipeline(X)
    assert_history_true(history, snaps, net, Xd, Yd, transform, rtol=1e-9)
    best = history.best_epoch
    assert history["dev_cost"][best - 1] == min(history["dev_cost"])
    np.testing.assert_array_equal(net.parameters_to_vector(), snaps.thetas[best])
    assert oracle(net.parameters_to_vector(), net, Xd, Yd, transform)["cost"] == pytest.approx(
        min(history["dev_cost"]), rel=1e-9)


def test_a_resumed_run_scores_its_dev_set_with_the_restored_pipeline(tmp_path):
    X, Y = _data(3, 300, seed=1)
    Xd, Yd = _data(3, 100, seed=2)
    snaps = Snapshots()
    net = _net_for(3, {}, None, X.shape[0])
    net.fit(X, Y, X_dev=Xd, Y_dev=Yd, epochs=3, seed=0, normalize=True, batch_size=32, learning_rate=0.01,
            checkpoint_dir=tmp_path, checkpoint_every=1, callbacks=[snaps])
    fresh = _net_for(3, {}, None, X.shape[0])  # no normalizer: the checkpoint must bring it
    history = fresh.fit(X, Y, X_dev=Xd, Y_dev=Yd, epochs=6, batch_size=32, learning_rate=0.01,
                        resume_from=tmp_path / "checkpoint-last.npz", callbacks=[snaps])
    assert history["epoch"] == [1, 2, 3, 4, 5, 6]
    assert_history_true(history, snaps, fresh, Xd, Yd, pipeline(X), rtol=1e-9)


def test_augmented_training_scores_the_dev_set_unaugmented():
    data = gn.data.datasets.load("digits", seed=0, scaled=False)
    X, Y = data.X_train[:, :300], data.Y_train[:, :300]
    Xd, Yd = data.X_test[:, :120], data.Y_test[:, :120]
    net = gn.Network([64, 16, 10], output_activation="softmax", dtype="float64", seed=0, input_scale=16.0)
    snaps = Snapshots()
    history = net.fit(X, Y, X_dev=Xd, Y_dev=Yd, epochs=4, seed=0, normalize=True, batch_size=50, callbacks=[snaps],
                      augment=gn.data.augmentation.from_names("crop", image_shape=(8, 8, 1)), image_shape=(8, 8, 1))
    assert_history_true(history, snaps, net, Xd, Yd, pipeline(X, 16.0), rtol=1e-9)


def test_the_progress_line_prints_the_history(capsys):
    X, Y = _data(2, 200, seed=1)
    Xd, Yd = _data(2, 80, seed=2)
    net = _net_for(2, {}, None, X.shape[0])
    history = net.fit(X, Y, X_dev=Xd, Y_dev=Yd, epochs=4, seed=0, normalize=True, batch_size=50, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert len(lines) == 4
    for line, dev_cost, dev_acc, cost in zip(lines, history["dev_cost"], history["dev_accuracy"], history["cost"],
                                             strict=True):
        shown = dict(re.findall(r"(\w+) (-?\d+\.\d+)", line))
        assert float(shown["dev_cost"]) == pytest.approx(dev_cost, abs=5e-5)
        assert float(shown["dev_accuracy"]) == pytest.approx(dev_acc, abs=5e-5)
        assert float(shown["cost"]) == pytest.approx(cost, abs=5e-5)


# ---------------------------------------------------------------------- the command line
def _write_csv(path, X, labels):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([f"f{i}" for i in range(X.shape[0])] + ["species"])
        for j in range(X.shape[1]):
            writer.writerow([f"{v:.6f}" for v in X[:, j]] + [labels[j]])


def test_the_command_lines_results_and_history_equal_the_oracle(tmp_path):
    X, Y = blobs_far_from_zero(400, classes=3, seed=11)
    names = np.array(["setosa", "versicolor", "virginica"])
    _write_csv(tmp_path / "flowers.csv", X, names[Y[0]])
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "glassnet.cli", "train", "--data", str(tmp_path / "flowers.csv"),
                           "--label", "species", "--layers", "12", "--epochs", "5", "--dtype", "float64",
                           "--checkpoint-every", "1", "--quiet", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # the split, from the file as written (rounded to 6 decimals) and the public split with the recorded seeds
    table = np.loadtxt(tmp_path / "flowers.csv", delimiter=",", skiprows=1, usecols=range(4)).T
    Yc, classes = encode_labels(names[Y[0]].reshape(1, -1))
    assert list(classes) == list(names)
    results = json.loads((out / "results.json").read_text())
    seed, test, dev = results["seeds"]["test_split"], results["data"]["test_fraction"], 0.1
    X_tr, Y_tr, X_te, Y_te = train_test_split(table, Yc, test=test, stratify=True, seed=seed)
    X_fit, Y_fit, X_dev, Y_dev = train_test_split(X_tr, Y_tr, test=dev, stratify=True,
                                                  seed=results["seeds"]["dev_split"])
    model = gn.load(out / "model.npz")
    transform = pipeline(X_fit)  # tables are standardized by default
    for split, (Xs, Ys) in {"train": (X_fit, Y_fit), "dev": (X_dev, Y_dev), "test": (X_te, Y_te)}.items():
        truth = oracle(model.parameters_to_vector(), model, Xs, Ys, transform)
        assert results[split]["cost"] == pytest.approx(truth["cost"], rel=1e-9), split
        assert results[split]["accuracy"] == pytest.approx(truth["accuracy"]), split
    history = json.loads((out / "history.json").read_text())["records"]
    for epoch, dev_cost in zip(history["epoch"], history["dev_cost"], strict=True):
        theta = gn.load(out / "checkpoints" / f"checkpoint-epoch{epoch:04d}.npz").parameters_to_vector()
        assert dev_cost == pytest.approx(oracle(theta, model, X_dev, Y_dev, transform)["cost"], rel=1e-9), epoch


# ---------------------------------------------------------------------- sweeps and estimators
def test_a_sweeps_dev_row_equals_the_oracle_on_its_best_model(tmp_path):
    X, Y = blobs_far_from_zero(240, classes=2, seed=3)
    Xd, Yd = blobs_far_from_zero(100, classes=2, seed=4)
    result = gn.sweep(X, Y, X_dev=Xd, Y_dev=Yd, layers=[8], epochs=5, seeds=[0], normalize=True, batch_size=32,
                      dtype="float64", out=tmp_path, backend="sequential")
    with open(tmp_path / "results.csv") as f:
        (row,) = list(csv.DictReader(f))
    best = gn.load(tmp_path / "best_model.npz")
    truth = oracle(best.parameters_to_vector(), best, Xd, Yd, pipeline(X))
    assert float(row["dev_data_cost"]) == pytest.approx(truth["cost"], rel=1e-9)
    assert float(row["dev_accuracy"]) == pytest.approx(truth["accuracy"])
    assert result is not None


def test_the_classifiers_validation_scores_equal_the_oracle():
    X, Y = blobs_far_from_zero(300, classes=3, seed=5)
    Xd, Yd = blobs_far_from_zero(120, classes=3, seed=6)
    clf = GlassClassifier(hidden_layer_sizes=(8,), epochs=6, batch_size=32, dtype="float64", random_state=0,
                          normalize=True)
    clf.fit(X.T, Y[0], X_dev=Xd.T, y_dev=Yd[0])
    net = clf.network_
    truth = oracle(net.parameters_to_vector(), net, Xd, Yd, pipeline(X))
    assert clf.validation_scores_[-1] == pytest.approx(truth["accuracy"])
    assert clf.validation_loss_curve_[-1] == pytest.approx(truth["cost"], rel=1e-9)
    assert clf.score(Xd.T, Yd[0]) == pytest.approx(truth["accuracy"])


def test_the_classifiers_held_out_scores_with_early_stopping_equal_the_oracle():
    """validation_fraction's split is the public split of the sample indices with the network's seed."""
    X, Y = blobs_far_from_zero(300, classes=2, seed=5)
    clf = GlassClassifier(hidden_layer_sizes=(8,), epochs=8, batch_size=32, dtype="float64", random_state=0,
                          normalize=True, early_stopping=True, patience=50, validation_fraction=0.2)
    clf.fit(X.T, Y[0])
    assert len(clf.validation_scores_) == 8
    lowest = min(clf.validation_loss_curve_)
    assert clf.validation_scores_[clf.best_epoch_ - 1] == max(
        s for s, cost in zip(clf.validation_scores_, clf.validation_loss_curve_, strict=True) if cost == lowest)


def test_the_regressors_validation_scores_are_its_r2():
    X, _ = blobs_far_from_zero(300, seed=5)
    y = (X[0] - 50) / 10 + 0.5 * (X[1] - 50) / 10
    Xd, _ = blobs_far_from_zero(100, seed=6)
    yd = (Xd[0] - 50) / 10 + 0.5 * (Xd[1] - 50) / 10
    reg = GlassRegressor(hidden_layer_sizes=(8,), epochs=5, batch_size=32, dtype="float64", random_state=0,
                         normalize=True)
    reg.fit(X.T, y, X_dev=Xd.T, y_dev=yd)
    assert reg.validation_scores_[-1] == pytest.approx(reg.score(Xd.T, yd), rel=1e-9)
