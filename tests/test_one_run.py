"""One run described through every front end gives the same weights.

The same run — a CSV of two features and two classes, a 2-8-6-1 network with dropout and L2, Adam at
a constant rate, mini-batches of 16, 9 epochs, seed 5 — is described five ways:

    the command line      glassnet train --data runs.csv --layers 8,6 ... --out cli
    the Python API        gn.runs.train(gn.RunSpec(data="runs.csv", layers=(8, 6), ...))
    a one-trial sweep     gn.sweeps.run_sweep(spec, seeds=1) -> best_model.npz
    an estimator          GlassClassifier(hidden_layer_sizes=(8, 6), ...).fit(X_train.T, y_train)
    the playground        the page set up the same way, trained 9 epochs, its exported script run

and each must end with the same weights, bit for bit: every front end turns its input into a RunSpec
and the same code builds and trains the network. (The dev set is watched, not learned from, so the
estimator, which takes no dev set here, is trained on the same training split.)
"""

import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import glassnet as gn
from glassnet import runs, sweeps
from glassnet.cli import main
from glassnet.playground.session import Session
from glassnet.sklearn import GlassClassifier

EPOCHS = 9
SETTINGS = dict(layers=(8, 6), activation="tanh", initializer="he", keep_prob=(1.0, 0.9, 0.8), l2=0.01,
                optimizer="adam", learning_rate=0.01, schedule="constant", batch_size=16, epochs=EPOCHS,
                normalize=True, seed=5, test_fraction=0.2, dev_fraction=0.25)


def write_csv(path, X, y):
    """x1,x2,label rows with every float written exactly (repr), so every reader sees the same numbers."""
    rows = ["x1,x2,label", *(f"{float(a)!r},{float(b)!r},{int(c)}"
                             for a, b, c in zip(X[0], X[1], y[0], strict=True))]
    path.write_text("\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def one_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("one_run")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 200)) * [[3.0], [0.5]] + [[10.0], [-2.0]]  # far from standardized
    X = X.astype(np.float32).astype(np.float64)  # numbers a float32 holds exactly: the estimator casts its X
    y = ((X[0] - 10.0) / 3.0 + (X[1] + 2.0) / 0.5 > 0).astype(int).reshape(1, -1)
    write_csv(folder / "runs.csv", X, y)
    spec = gn.RunSpec(data=str(folder / "runs.csv"), **SETTINGS)
    weights = {}
    with threadpool_limits(1):  # the sweep's trials run with one BLAS thread; so does every front end here
        api = runs.train(spec)
        weights["api"] = api.net.parameters_to_vector()
        weights["cli"] = through_the_cli(spec, folder)
        weights["sweep"] = through_a_sweep(spec, folder)
        weights["estimator"] = through_an_estimator(api)
        weights["playground"] = through_the_playground(api, folder)
    return api, weights


def through_the_cli(spec, folder):
    s = spec
    argv = ["train", "--data", s.data, "--layers", "8,6", "--activation", s.activation, "--initializer",
            s.initializer, "--keep-prob", "1,0.9,0.8", "--l2", str(s.l2), "--optimizer", s.optimizer,
            "--learning-rate", str(s.learning_rate), "--schedule", s.schedule, "--batch-size", str(s.batch_size),
            "--epochs", str(s.epochs), "--normalize", "--seed", str(s.seed), "--test-fraction",
            str(s.test_fraction), "--dev-fraction", str(s.dev_fraction), "--quiet", "--out", str(folder / "cli")]
    assert main(argv) == 0
    saved = gn.load(folder / "cli" / "model.npz")
    assert gn.RunSpec.from_dict(gn.load_metadata(folder / "cli" / "model.npz")["extra"]["run_spec"]) == spec
    return saved.parameters_to_vector()


def through_a_sweep(spec, folder):
    result = sweeps.run_sweep(spec, seeds=1, out=folder / "sweep", backend="sequential", progress=False,
                              figures=False)
    assert not result.failed
    return gn.load(folder / "sweep" / "best_model.npz").parameters_to_vector()


def through_an_estimator(api):
    s = api.spec
    X_train, Y_train = api.data.splits["train"]
    est = GlassClassifier(hidden_layer_sizes=s.layers, activation=s.activation, initializer=s.initializer,
                          keep_prob=list(s.keep_prob), l2=s.l2, optimizer=s.optimizer,
                          learning_rate=s.learning_rate, batch_size=s.batch_size, epochs=s.epochs,
                          normalize=True, random_state=s.seed, dtype=np.float32)
    est.fit(X_train.T.astype(np.float32), Y_train.ravel())
    described = est.run_spec_.replace(data=s.data, task=s.task, dev_fraction=s.dev_fraction,
                                      test_fraction=s.test_fraction)
    assert described == s  # the estimator's parameters describe the same run
    return est.network_.parameters_to_vector()


def through_the_playground(api, folder):
    """The page gets the training and dev rows of the run (the test split is the command line's own), split
    as the run splits them; it trains EPOCHS epochs; its exported script, run, saves the weights."""
    s = api.spec
    X_tr, X_dev = api.data.splits["train"][0], api.data.splits["dev"][0]
    dataset = api.data.dataset
    page = Session()
    rows = folder / "page.csv"
    write_csv(rows, dataset.X_train, dataset.Y_train)  # the rows the run splits into train and dev
    page.set_upload("page.csv", rows.read_text())
    page.configure({"layers": list(s.layers), "activations": ["tanh", "tanh"], "init": s.initializer,
                    "keep_prob": list(s.keep_prob), "l2": s.l2, "optimizer": s.optimizer, "lr": s.learning_rate,
                    "batch": s.batch_size, "normalize": True, "seed": s.seed, "split": 1 - s.dev_fraction})
    np.testing.assert_array_equal(page.X_train, X_tr)  # the page splits as the run does
    np.testing.assert_array_equal(page.X_dev, X_dev)
    page.train_epochs(EPOCHS)
    export = page.export()
    (folder / "page").mkdir()
    (folder / "page" / "run.py").write_text(export["script"])
    subprocess.run([sys.executable, "run.py"], cwd=folder / "page", check=True, capture_output=True, timeout=60,
                   env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    repeated = gn.load(folder / "page" / "playground-model.npz").parameters_to_vector()
    np.testing.assert_array_equal(repeated, page.net.parameters_to_vector())
    return repeated


@pytest.mark.parametrize("front_end", ["cli", "sweep", "estimator", "playground"])
def test_every_front_end_trains_the_same_weights(one_run, front_end):
    api, weights = one_run
    assert len(api.history) == EPOCHS
    np.testing.assert_array_equal(weights[front_end], weights["api"])


def test_the_run_learned_something(one_run):
    api, _ = one_run
    results = api.results()
    assert results["train"]["accuracy"] > 0.9 and results["test"]["accuracy"] > 0.85
