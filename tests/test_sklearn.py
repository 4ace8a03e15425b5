"""glassnet.sklearn: scikit-learn's own estimator checks, the sklearn layout at the boundary, pipelines,
cross-validation, grid search, pickling, partial_fit, warm start, early stopping, errors, and test
accuracy against MLPClassifier on the same work."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_breast_cancer, load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

import glassnet as gn
from glassnet.network import Network
from glassnet.sklearn import DataTypeError, GlassClassifier, GlassRegressor

FAST = dict(hidden_layer_sizes=(16,), epochs=30, learning_rate=0.01, batch_size=32)
"""Small and quick: 30 epochs of mini-batches of 32 learn scikit-learn's check problems."""


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """These networks are tiny: one BLAS thread is as fast, immune to a busy machine, and reproducible."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# ---------------------------------------------------------------------- scikit-learn's estimator checks

# The defaults, as scikit-learn's check_estimator takes them, with no expected failure. The checks feed
# float64 data (float32 in check_estimators_dtypes), so they compute in the input's dtype.
@parametrize_with_checks([GlassClassifier(), GlassRegressor()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_importing_glassnet_does_not_import_sklearn():
    code = "import sys, glassnet; assert 'sklearn' not in sys.modules, 'glassnet imported sklearn'"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------- data


def blobs(m=200, n=5, classes=2, seed=0):
    X, y = make_classification(n_samples=m, n_features=n, n_informative=n, n_redundant=0, n_classes=classes,
                               n_clusters_per_class=1, class_sep=2.0, random_state=seed)
    return X, y


# ---------------------------------------------------------------------- layout and outputs


def test_the_core_gets_a_transposed_view_of_X(monkeypatch):
    captured = {}
    original = Network.fit

    def spy(self, X, Y, **kwargs):
        captured["X"], captured["Y"] = X, Y
        return original(self, X, Y, **kwargs)

    monkeypatch.setattr(Network, "fit", spy)
    X, y = blobs()
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    GlassClassifier(**FAST, random_state=0).fit(X32, y)
    assert captured["X"].shape == (5, 200)  # the notes' (n_x, m)
    assert np.shares_memory(captured["X"], X32)  # a view: no copy of the data set
    assert captured["Y"].shape == (1, 200)
    GlassClassifier(**FAST, random_state=0).fit(X, y)  # float64 is kept: a view too
    assert captured["X"].dtype == np.float64 and np.shares_memory(captured["X"], X)
    # dtype="float32" on float64 input: one conversion to float32, example-major, then the same view.
    GlassClassifier(**FAST, dtype="float32", random_state=0).fit(X, y)
    assert captured["X"].dtype == np.float32 and captured["X"].T.flags.c_contiguous
    # F-ordered float64 input: one example-major copy.
    GlassClassifier(**FAST, random_state=0).fit(np.asfortranarray(X), y)
    assert captured["X"].dtype == np.float64 and captured["X"].T.flags.c_contiguous


def test_binary_classifier_with_string_labels():
    X, y = blobs()
    labels = np.array(["spam", "ham"])[y]
    clf = GlassClassifier(**FAST, random_state=0).fit(X, labels)
    assert clf.classes_.tolist() == ["ham", "spam"]
    assert clf.network_.layer_dims == [5, 16, 1] and clf.network_.output_activation == "sigmoid"
    proba = clf.predict_proba(X)
    decision = clf.decision_function(X)
    assert proba.shape == (200, 2) and decision.shape == (200,)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(decision > 0).astype(int)])
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-decision)), atol=1e-6)  # p = sigmoid(z)
    np.testing.assert_allclose(clf.predict_log_proba(X[:5]), np.log(proba[:5]))
    assert clf.score(X, labels) > 0.9
    assert clf.n_features_in_ == 5 and clf.n_iter_ == 30 and len(clf.loss_curve_) == 30
    assert clf.validation_loss_curve_ is None and 1 <= clf.best_epoch_ <= 30
    assert isinstance(clf.history_, gn.History)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_multiclass_classifier_uses_softmax_and_keeps_label_values():
    X, y = blobs(m=300, classes=3)
    labels = np.array([10, 20, 30])[y]
    clf = GlassClassifier(**FAST, random_state=0).fit(X, labels)
    assert clf.classes_.tolist() == [10, 20, 30]
    assert clf.network_.layer_dims[-1] == 3 and clf.network_.output_activation == "softmax"
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 3)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    np.testing.assert_array_equal(clf.decision_function(X).argmax(axis=1), proba.argmax(axis=1))
    assert clf.score(X, labels) > 0.9


def test_regressor_single_and_multi_output():
    X, Y = make_regression(n_samples=300, n_features=6, n_targets=2, noise=1.0, random_state=0)
    Y = Y / Y.std(axis=0)
    reg = GlassRegressor(**FAST, random_state=0).fit(X, Y)
    assert reg.n_outputs_ == 2 and reg.network_.layer_dims[-1] == 2
    assert reg.network_.output_activation == "linear"
    assert reg.predict(X).shape == (300, 2) and reg.predict(X).dtype == np.float64
    assert reg.score(X, Y) > 0.9
    assert GlassRegressor(**FAST, random_state=0).fit(X, Y[:, 0]).predict(X).shape == (300,)
    assert GlassRegressor(**FAST, random_state=0).fit(X, Y[:, :1]).predict(X).shape == (300, 1)


def test_activation_and_keep_prob_per_layer():
    X, y = blobs()
    clf = GlassClassifier(hidden_layer_sizes=(8, 6), activation=("tanh", "logistic"), keep_prob=[1.0, 0.9, 0.8],
                          epochs=3, random_state=0).fit(X, y)
    assert [a.name for a in clf.network_.activations] == ["tanh", "sigmoid", "sigmoid"]
    assert clf.network_.keep_prob == [1.0, 0.9, 0.8]
    assert GlassClassifier(hidden_layer_sizes=(), epochs=2).fit(X, y).network_.layer_dims == [5, 1]


def test_random_state_makes_fits_reproducible():
    X, y = blobs()
    a = GlassClassifier(**FAST, keep_prob=0.8, random_state=3).fit(X, y).predict_proba(X)
    b = GlassClassifier(**FAST, keep_prob=0.8, random_state=3).fit(X, y).predict_proba(X)
    c = GlassClassifier(**FAST, keep_prob=0.8, random_state=4).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    rs = np.random.RandomState(0)
    GlassClassifier(**FAST, random_state=rs).fit(X, y)  # a RandomState is accepted (one draw)


def test_an_optimizer_object_is_copied_not_trained():
    X, y = blobs()
    adam = gn.Adam(learning_rate=0.01)
    clf = GlassClassifier(**{**FAST, "learning_rate": None}, optimizer=adam, random_state=0).fit(X, y)
    assert adam.t == 0 and clf.optimizer is adam
    assert clf.score(X, y) > 0.9


# ---------------------------------------------------------------------- the estimators are a front end of a RunSpec


@pytest.mark.parametrize("make, classes", [(GlassClassifier, 3), (GlassClassifier, 2), (GlassRegressor, 0)])
def test_a_fit_equals_runs_build_and_fit_of_its_run_spec(make, classes):
    if classes:
        X, y = blobs(m=120, classes=classes)
        Y = y.reshape(1, -1) if classes > 2 else y.reshape(1, -1).astype(np.float64)
        output = "softmax" if classes > 2 else "sigmoid"
    else:
        X, y = make_regression(n_samples=120, n_features=5, noise=1.0, random_state=0)
        y = y / y.std()
        Y, output = y.reshape(1, -1), "linear"
    est = make(hidden_layer_sizes=(8, 6), activation=("tanh", "logistic"), keep_prob=0.9, l2=0.01, epochs=7,
               batch_size="auto", learning_rate=0.01, normalize=True, random_state=5).fit(X, y)
    spec = est.run_spec(len(X), X.dtype)
    assert spec == est.run_spec_
    assert (spec.layers, spec.activation, spec.batch_size, spec.epochs) == ((8, 6), "tanh,sigmoid", 120, 7)
    assert spec.seed == 5
    assert (spec.optimizer, spec.learning_rate, spec.schedule, spec.initializer) == ("adam", 0.01, "constant", "glorot")
    n_out = classes if classes > 2 else 1
    net = gn.runs.build(spec, X.shape[1], n_out, output)
    history = gn.runs.fit(spec, net, X.T, Y)
    np.testing.assert_array_equal(est.network_.parameters_to_vector(), net.parameters_to_vector())
    assert est.loss_curve_ == history["cost"]


def test_run_spec_maps_the_parameters_and_names_them_in_its_errors():
    spec = GlassClassifier(learning_rate=None, batch_size=None, early_stopping=True, patience=4,
                           validation_fraction=0.2, random_state=1, dtype="float32").run_spec(50)
    assert (spec.learning_rate, spec.batch_size, spec.early_stopping, spec.dev_fraction) == (0.001, None, 4, 0.2)
    assert spec.dtype == "float32" and spec.task == "classification" and spec.activation == "relu"
    leaky = GlassRegressor(activation=gn.LeakyReLU(0.2), hidden_layer_sizes=(3, 3)).run_spec(10)
    assert (leaky.activation, leaky.leaky_alpha, leaky.task) == ("leaky_relu", 0.2, "regression")
    assert GlassClassifier(optimizer=gn.Momentum(0.05, beta=0.8), learning_rate=None).run_spec(10).learning_rate == 0.05
    with pytest.raises(gn.HyperparameterError, match="hidden_layer_sizes") as info:
        GlassClassifier(hidden_layer_sizes=(4, -1)).run_spec(10)
    assert "layers" not in str(info.value).replace("hidden_layer_sizes", "")
    with pytest.raises(gn.HyperparameterError, match="validation_fraction"):
        GlassClassifier(early_stopping=True, validation_fraction=-0.5).run_spec(10)
    with pytest.raises(gn.HyperparameterError, match="random_state"):
        GlassClassifier(random_state=-3).run_spec(10)


# ---------------------------------------------------------------------- dtype: the input's, as scikit-learn keeps it


@pytest.mark.parametrize("make", [lambda: GlassClassifier(**FAST, random_state=0),
                                  lambda: GlassRegressor(**FAST, random_state=0)], ids=["classifier", "regressor"])
def test_float64_in_float64_computed_float32_in_float32(make):
    X, y = blobs(m=120, classes=3)
    integers = np.round(X * 10).astype(int)
    for X_in, dtype in [(X, np.float64), (X.astype(np.float32), np.float32), (integers, np.float64)]:
        est = make().fit(X_in, y)
        assert est.network_.dtype == dtype
        assert est.network_.parameters_to_vector().dtype == dtype
        assert est.predict(X_in).dtype == (dtype if isinstance(est, GlassRegressor) else y.dtype)
        if isinstance(est, GlassClassifier):
            assert est.predict_proba(X_in).dtype == dtype and est.decision_function(X_in).dtype == dtype
    # Outputs come in the wider of the network's dtype and X's, as MLPClassifier's do.
    est = make().fit(X.astype(np.float32), y)
    out = est.predict_proba if isinstance(est, GlassClassifier) else est.predict
    assert out(X).dtype == np.float64 and out(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_array_equal(out(X.astype(np.float32)), out(X.astype(np.float32).astype(np.float64)))


def test_an_explicit_dtype_wins_and_a_fitted_network_keeps_its_own():
    X, y = blobs()
    assert GlassClassifier(**FAST, dtype="float32").fit(X, y).network_.dtype == np.float32
    assert GlassClassifier(**FAST, dtype="float64").fit(X.astype(np.float32), y).network_.dtype == np.float64
    clf = GlassClassifier(**FAST, random_state=0).partial_fit(X.astype(np.float32), y, classes=[0, 1])
    clf.partial_fit(X, y)  # float64 now: cast to the network's float32
    assert clf.network_.dtype == np.float32
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.network_.dtype == np.float32
    with pytest.raises(gn.NonFiniteError, match="float32") as info:  # not a silent infinity
        clf.predict(X * 1e39)
    assert "dtype='float64'" in str(info.value)


# ---------------------------------------------------------------------- sample weights


FULL_BATCH_GD = dict(hidden_layer_sizes=(8,), optimizer="gd", learning_rate=0.1, batch_size=None, epochs=50, l2=0.3)
"""Full-batch gradient descent: the gradient is the weighted mean over every example, nothing stochastic."""


@pytest.mark.parametrize("make, classes", [(GlassClassifier, 3), (GlassClassifier, 2), (GlassRegressor, 0)])
def test_integer_weights_equal_repeated_rows(make, classes):
    rng = np.random.default_rng(0)
    if classes:
        X, y = blobs(m=40, classes=classes)
    else:
        X, y = make_regression(n_samples=40, n_features=5, noise=1.0, random_state=0)
        y = y / y.std()
    w = rng.integers(0, 4, size=40)
    w[:classes or 1] = 1  # every class keeps a sample
    weighted = make(**FULL_BATCH_GD, random_state=0).fit(X, y, sample_weight=w)
    repeated = make(**FULL_BATCH_GD, random_state=0).fit(X.repeat(w, axis=0), y.repeat(w))
    assert weighted.network_.dtype == np.float64
    # Same cost (data and L2 term, whose m is the sum of the weights), same steps, same network.
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(weighted.l2_cost_curve_, repeated.l2_cost_curve_, rtol=1e-12)
    np.testing.assert_allclose(weighted.network_.parameters_to_vector(), repeated.network_.parameters_to_vector(),
                               rtol=1e-10, atol=1e-12)
    unweighted = make(**FULL_BATCH_GD, random_state=0).fit(X, y)
    assert not np.allclose(unweighted.network_.parameters_to_vector(), weighted.network_.parameters_to_vector())


def test_zero_weights_leave_samples_out_even_with_mini_batches():
    X, y = blobs(m=300, classes=3)
    w = np.ones(300)
    w[::3] = 0.0
    est = GlassClassifier(**FAST, keep_prob=0.9, random_state=0)
    weighted = est.fit(X, y, sample_weight=w).predict_proba(X)
    removed = GlassClassifier(**FAST, keep_prob=0.9, random_state=0).fit(X[w > 0], y[w > 0]).predict_proba(X)
    np.testing.assert_array_equal(weighted, removed)
    part = GlassClassifier(**FAST, random_state=0).partial_fit(X, y, classes=[0, 1, 2], sample_weight=w)
    part_removed = GlassClassifier(**FAST, random_state=0).partial_fit(X[w > 0], y[w > 0], classes=[0, 1, 2])
    np.testing.assert_array_equal(part.predict_proba(X), part_removed.predict_proba(X))
    reg_X, reg_y = make_regression(n_samples=300, n_features=5, random_state=0)
    reg = GlassRegressor(**FAST, random_state=0).partial_fit(reg_X, reg_y / reg_y.std(), sample_weight=w)
    reg_removed = GlassRegressor(**FAST, random_state=0).partial_fit(reg_X[w > 0], reg_y[w > 0] / reg_y.std())
    np.testing.assert_array_equal(reg.predict(reg_X), reg_removed.predict(reg_X))


def test_weights_follow_their_rows_into_the_held_out_split(monkeypatch):
    captured = {}
    original = Network.fit

    def spy(self, X, Y, **kwargs):
        captured.update(X=X, w=kwargs["sample_weight"], X_dev=kwargs["X_dev"])
        return original(self, X, Y, **kwargs)

    monkeypatch.setattr(Network, "fit", spy)
    X, y = blobs(m=200)
    w = 1.0 + np.arange(200) % 7
    X[:, 0] = w * 1000 + np.arange(200)  # each row says its weight in its first feature
    GlassClassifier(**FAST, early_stopping=True, validation_fraction=0.25, random_state=0).fit(X, y, sample_weight=w)
    assert captured["X"].shape == (5, 150) and captured["X_dev"].shape == (5, 50)
    np.testing.assert_array_equal(captured["w"][0], np.floor(captured["X"][0] / 1000))


def test_loss_curve_is_the_data_cost_and_the_l2_term_is_beside_it():
    X, y = blobs(classes=3)
    clf = GlassClassifier(hidden_layer_sizes=(8,), l2=5.0, epochs=3, batch_size=None, learning_rate=1e-12,
                          random_state=0).fit(X, y)
    # A vanishing learning rate: every epoch scores the same weights, the fitted ones.
    assert clf.loss_curve_[-1] == pytest.approx(log_loss(y, clf.predict_proba(X)), rel=1e-9)
    squares = sum(float(np.sum(layer.W ** 2)) for layer in clf.network_.layers)
    assert clf.l2_cost_curve_[-1] == pytest.approx(5.0 / (2 * 200) * squares, rel=1e-9)
    assert clf.l2_cost_curve_[-1] > 0.01 and clf.loss_ == clf.loss_curve_[-1]
    assert len(clf.l2_cost_curve_) == len(clf.loss_curve_) == 3


@pytest.mark.parametrize("weights, error, words", [
    (np.ones(199), gn.ShapeError, ["sample_weight", "(200,)", "(199,)"]),
    (np.ones((200, 1)), gn.ShapeError, ["sample_weight", "(200, 1)", "ravel"]),
    (np.r_[np.nan, np.ones(199)], gn.NonFiniteError, ["sample_weight", "NaN"]),
    (np.r_[-1.0, np.ones(199)], gn.HyperparameterError, ["sample_weight", "-1", "index 0"]),
    (np.zeros(200), gn.HyperparameterError, ["sample_weight", "zero", "positive weight"]),
    (np.array(["a"] * 200), DataTypeError, ["sample_weight", "real numbers"]),
    (np.ones(200) + 1j, DataTypeError, ["sample_weight", "complex"]),
])
def test_bad_sample_weights_raise_glassnet_errors_naming_them(weights, error, words):
    X, y = blobs()
    with pytest.raises(error) as info:
        GlassClassifier(**FAST).fit(X, y, sample_weight=weights)
    assert all(word in str(info.value) for word in words), str(info.value)
    assert isinstance(info.value, ValueError)


def test_weights_that_leave_one_class_are_refused_naming_it():
    X, y = blobs()
    with pytest.raises(gn.LabelError, match=r"only one class \(1\)"):
        GlassClassifier(**FAST).fit(X, y, sample_weight=(y == 1).astype(float))
    GlassClassifier(**FAST).fit(X, y, sample_weight=3.0)  # a number weighs every sample alike


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize("params, name", [
    (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes[0]"),
    (dict(hidden_layer_sizes="100"), "hidden_layer_sizes"),
    (dict(hidden_layer_sizes=(4, 4), activation=("relu",)), "activation"),
    (dict(activation="swish"), "activation"),
    (dict(batch_size=0), "batch_size"),
    (dict(epochs=0), "epochs"),
    (dict(learning_rate=-1.0), "learning_rate"),
    (dict(optimizer="adamw"), "optimizer"),
    (dict(keep_prob=0.0), "keep_prob"),
    (dict(l2=-1.0), "l2"),
    (dict(random_state="seed"), "random_state"),
    (dict(dtype="float16"), "dtype"),
    (dict(early_stopping="yes"), "early_stopping"),
    (dict(early_stopping=True, validation_fraction=1.5), "validation_fraction"),
    (dict(early_stopping=True, validation_fraction=0.001), "validation_fraction"),
])
def test_bad_hyperparameters_raise_glassnet_errors_naming_them(params, name):
    X, y = blobs(m=50)
    with pytest.raises(gn.HyperparameterError) as info:
        GlassClassifier(**{**FAST, **params}).fit(X, y)
    assert name in str(info.value)
    assert isinstance(info.value, ValueError)  # what scikit-learn code catches


def test_unfitted_and_bad_input_errors():
    X, y = blobs()
    with pytest.raises(gn.NotFittedError, match="fit"):
        GlassClassifier().predict(X)
    with pytest.raises(SklearnNotFittedError):  # the same error, for scikit-learn code
        GlassRegressor().predict(X)
    clf = GlassClassifier(**FAST).fit(X, y)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(gn.NonFiniteError, match="NaN"):
        clf.predict(bad)
    with pytest.raises(gn.ShapeError, match="expecting 5 features"):
        clf.predict(X[:, :4])
    with pytest.raises(gn.RankOneArrayError, match="1D array"):
        clf.predict(X[0])
    with pytest.raises(gn.LabelError, match="at least 2 classes"):
        GlassClassifier(**FAST).fit(X, np.zeros(200))
    with pytest.raises(gn.LabelError, match="Unknown label type"):
        GlassClassifier(**FAST).fit(X, np.linspace(0, 1, 200))


def assert_glassnet_error(info, *words):
    """A GlassnetError that is also the built-in scikit-learn code expects, naming every one of ``words``."""
    assert isinstance(info.value, gn.GlassnetError) and isinstance(info.value, ValueError)
    assert all(word in str(info.value) for word in words), str(info.value)


def test_a_classifier_refuses_two_columns_of_y_and_ravels_one():
    X, y = blobs()
    with pytest.raises(gn.ShapeError) as info:
        GlassClassifier(**FAST).fit(X, np.column_stack([y, 1 - y]))
    assert_glassnet_error(info, "y", "(200, 2)", "argmax(axis=1)", "GlassRegressor")
    with pytest.warns(DataConversionWarning):  # a column is one label per sample: scikit-learn's warning
        clf = GlassClassifier(**FAST, random_state=0).fit(X, y.reshape(-1, 1))
    assert clf.score(X, y) > 0.9
    with pytest.raises(gn.ShapeError) as info:
        clf.fit(X, y, X_dev=X, y_dev=np.column_stack([y, y]))
    assert_glassnet_error(info, "y_dev", "(200, 2)")
    with pytest.raises(gn.ShapeError) as info:
        clf.fit(X, None)
    assert_glassnet_error(info, "requires y", "None")
    with pytest.raises(gn.ShapeError) as info:
        clf.fit(X, y[:150])
    assert_glassnet_error(info, "y has 150 targets", "200 rows")


@pytest.mark.parametrize("make", [GlassClassifier, GlassRegressor])
def test_complex_sparse_text_and_object_inputs_raise_data_type_errors(make):
    X, y = blobs()
    est = make(**FAST)
    cases = [
        (lambda: est.fit(X + 1j, y), ["Complex data not supported", "X holds complex", "X.real"]),
        (lambda: est.fit(X, y + 1j), ["Complex data not supported", "y holds complex"]),
        (lambda: est.fit(X.tolist() + [[1j] * 5], list(y) + [0]), ["Complex data not supported", "X"]),
        (lambda: est.fit(scipy.sparse.csr_matrix(X), y), ["X is a sparse matrix", "csr_matrix", "X.toarray()"]),
        (lambda: est.fit(X.astype(str).astype(object) + "a", y), ["could not convert", "X must hold real numbers"]),
        (lambda: est.fit(np.full((200, 5), {}, dtype=object), y), ["not 'dict'", "X must hold real numbers"]),
    ]
    for call, words in cases:
        with pytest.raises(DataTypeError) as info:
            call()
        assert_glassnet_error(info, *words)
        assert isinstance(info.value, TypeError) and isinstance(info.value, gn.ShapeError)
    fitted = make(**FAST).fit(X, y)
    with pytest.raises(DataTypeError) as info:
        fitted.predict(scipy.sparse.csr_array(X))
    assert_glassnet_error(info, "sparse", "toarray")
    with pytest.raises(DataTypeError) as info:
        fitted.predict(X + 0j)
    assert_glassnet_error(info, "Complex data not supported")
    with pytest.raises(gn.ShapeError) as info:
        fitted.predict(X.reshape(200, 5, 1))
    assert_glassnet_error(info, "dim 3")


def test_a_dataframe_with_other_columns_is_refused_naming_them():
    pd = pytest.importorskip("pandas")
    X, y = blobs()
    names = [f"f{i}" for i in range(5)]
    clf = GlassClassifier(**FAST).fit(pd.DataFrame(X, columns=names), y)
    with pytest.raises(gn.ShapeError) as info:
        clf.predict(pd.DataFrame(X, columns=[*names[:4], "extra"]))
    assert_glassnet_error(info, "X has other columns", "- extra", "- f4", "X[estimator.feature_names_in_]")
    with pytest.raises(gn.ShapeError) as info:
        clf.predict(pd.DataFrame(X[:, ::-1], columns=names[::-1]))
    assert_glassnet_error(info, "same order", "feature_names_in_")
    reordered = pd.DataFrame(X, columns=names)[names[::-1]]
    np.testing.assert_array_equal(clf.predict(reordered[clf.feature_names_in_]),
                                  clf.predict(pd.DataFrame(X, columns=names)))
    with pytest.raises(gn.ShapeError) as info:
        clf.fit(pd.DataFrame(X, columns=names), y, X_dev=pd.DataFrame(X, columns=[*names[:4], "g"]), y_dev=y)
    assert_glassnet_error(info, "X_dev has other columns", "- g")


# ---------------------------------------------------------------------- scikit-learn machinery


def test_pipeline_cross_val_score_and_grid_search_with_two_jobs():
    X, y = blobs(m=240, n=6, classes=3)
    X = X * 100 + 50  # the scaler matters
    pipe = make_pipeline(StandardScaler(), GlassClassifier(**FAST, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8
    grid = GridSearchCV(pipe, {"glassclassifier__l2": [0.0, 1.0], "glassclassifier__keep_prob": [1.0, 0.8]},
                        cv=3, n_jobs=2)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["glassclassifier__l2"] in (0.0, 1.0)
    assert grid.best_score_ > 0.8
    assert grid.best_estimator_[-1].network_.l2 == grid.best_params_["glassclassifier__l2"]
    assert grid.score(X, y) > 0.8
    # joblib keeps its two worker processes for the next parallel call; none comes, so let them go now, while
    # other tests run, instead of at this test process's exit
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=False)


@pytest.mark.parametrize("make", [
    lambda: (GlassClassifier(**FAST, keep_prob=0.9, normalize=True, random_state=0), *blobs(classes=3)),
    lambda: (GlassRegressor(**FAST, random_state=0), *make_regression(n_samples=200, n_features=5, random_state=0)),
])
@pytest.mark.parametrize("roundtrip", [lambda e: pickle.loads(pickle.dumps(e)), copy.deepcopy],
                         ids=["pickle", "deepcopy"])
def test_pickle_and_deepcopy_predict_the_same_and_keep_training_the_same(make, roundtrip):
    est, X, y = make()
    if isinstance(est, GlassRegressor):
        y = y / y.std()
    est.fit(X, y)
    twin = roundtrip(est)
    np.testing.assert_array_equal(twin.predict(X), est.predict(X))
    if hasattr(est, "predict_proba"):
        np.testing.assert_array_equal(twin.predict_proba(X), est.predict_proba(X))
    net = twin.network_
    assert all(np.shares_memory(layer.W, net._theta) for layer in net.layers)  # still one flat vector
    # Training goes on identically: weights, optimizer state, normalizer and generator all survived.
    est.partial_fit(X, y)
    twin.partial_fit(X, y)
    np.testing.assert_array_equal(twin.predict(X), est.predict(X))
    assert twin.loss_curve_ == est.loss_curve_


# ---------------------------------------------------------------------- partial_fit and warm start


def test_partial_fit_needs_classes_first_then_learns_batch_by_batch():
    X, y = blobs(m=400, classes=3)
    clf = GlassClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, batch_size=32, random_state=0)
    with pytest.raises(gn.LabelError, match="classes"):
        clf.partial_fit(X[:50], y[:50])
    first = y[:100] != 2  # the first batch lacks class 2: classes= sizes the output layer
    clf.partial_fit(X[:100][first], y[:100][first], classes=[0, 1, 2])
    assert clf.network_.layer_dims[-1] == 3 and clf.n_iter_ == 1
    for _ in range(10):
        for start in range(0, 400, 100):
            clf.partial_fit(X[start:start + 100], y[start:start + 100])
    assert len(clf.loss_curve_) == 41 and clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.score(X, y) > 0.9
    with pytest.raises(gn.LabelError, match="not among the classes"):
        clf.partial_fit(X[:10], np.full(10, 7))
    with pytest.raises(gn.LabelError, match="differs"):
        clf.partial_fit(X[:10], y[:10], classes=[0, 1])
    with pytest.raises(gn.HyperparameterError, match="early_stopping"):
        GlassClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_regressor():
    X, y = make_regression(n_samples=300, n_features=4, noise=0.5, random_state=0)
    y = y / y.std()
    reg = GlassRegressor(hidden_layer_sizes=(16,), learning_rate=0.01, batch_size=32, random_state=0)
    for _ in range(30):
        reg.partial_fit(X, y)
    assert reg.n_outputs_ == 1 and len(reg.loss_curve_) == 30 and reg.score(X, y) > 0.9


def test_warm_start_continues_from_the_current_weights():
    X, y = blobs()
    clf = GlassClassifier(**{**FAST, "epochs": 5}, random_state=0).fit(X, y)
    net, theta = clf.network_, clf.network_.parameters_to_vector()
    # A vanishing learning rate leaves the weights where they were: training started from them.
    clf.set_params(warm_start=True, learning_rate=1e-12, epochs=3, l2=0.5)
    clf.fit(X, y)
    assert clf.network_ is net and clf.network_.l2 == 0.5
    np.testing.assert_allclose(clf.network_.parameters_to_vector(), theta, atol=1e-6)
    assert len(clf.loss_curve_) == 8 and clf.n_iter_ == 3
    # Without warm start the network starts over.
    clf.set_params(warm_start=False).fit(X, y)
    assert clf.network_ is not net and len(clf.loss_curve_) == 3
    clf.set_params(warm_start=True, hidden_layer_sizes=(8,))
    with pytest.raises(gn.HyperparameterError, match="warm_start"):
        clf.fit(X, y)
    clf.set_params(hidden_layer_sizes=(16,))
    with pytest.raises(gn.LabelError, match="not among the classes"):
        clf.fit(X, y + 5)


def test_normalize_standardizes_inside_and_warm_start_keeps_the_statistics():
    X, y = blobs()
    X = X * 1000 + 5000
    clf = GlassClassifier(**FAST, normalize=True, random_state=0).fit(X, y)
    normalizer = clf.network_.normalizer
    assert normalizer is not None and clf.score(X, y) > 0.9
    clf.set_params(warm_start=True, epochs=2).fit(X[:50] + 1e4, y[:50])
    assert clf.network_.normalizer is normalizer
    clf.partial_fit(X, y)
    assert clf.network_.normalizer is normalizer


# ---------------------------------------------------------------------- dev set and early stopping


def test_early_stopping_on_an_explicit_dev_set_keeps_the_best_epoch():
    X, y = make_classification(n_samples=600, n_features=20, n_informative=5, flip_y=0.2, random_state=0)
    X_tr, X_dev, y_tr, y_dev = train_test_split(X, y, test_size=0.3, random_state=0)
    clf = GlassClassifier(hidden_layer_sizes=(64,), learning_rate=0.01, batch_size=32, epochs=300,
                          early_stopping=True, patience=5, random_state=0)
    clf.fit(X_tr, y_tr, X_dev=X_dev, y_dev=y_dev)
    assert clf.n_iter_ < 300  # it stopped
    assert len(clf.validation_loss_curve_) == clf.n_iter_ == len(clf.loss_curve_)
    best = clf.validation_loss_curve_[clf.best_epoch_ - 1]
    assert best == min(clf.validation_loss_curve_) and clf.n_iter_ == clf.best_epoch_ + 5
    # The weights kept are the best epoch's: their dev cost is the best dev cost.
    assert log_loss(y_dev, clf.predict_proba(X_dev)) == pytest.approx(best, rel=1e-4)


def test_early_stopping_holds_out_validation_fraction():
    X, y = make_classification(n_samples=600, n_features=20, n_informative=5, flip_y=0.2, random_state=0)
    clf = GlassClassifier(hidden_layer_sizes=(64,), learning_rate=0.01, batch_size=32, epochs=300,
                          early_stopping=True, validation_fraction=0.2, patience=5, random_state=0).fit(X, y)
    assert clf.n_iter_ < 300 and len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.validation_loss_curve_[clf.best_epoch_ - 1] == min(clf.validation_loss_curve_)
    reg = GlassRegressor(**FAST, early_stopping=True, random_state=0)
    Xr, yr = make_regression(n_samples=200, n_features=5, random_state=0)
    assert len(reg.fit(Xr, yr / yr.std()).validation_loss_curve_) == reg.n_iter_


def test_a_dev_set_without_early_stopping_is_only_watched():
    X, y = blobs(m=300)
    clf = GlassClassifier(**FAST, random_state=0).fit(X[:200], y[:200], X_dev=X[200:], y_dev=y[200:])
    assert clf.n_iter_ == 30 and len(clf.validation_loss_curve_) == 30
    with pytest.raises(gn.HyperparameterError, match="X_dev and y_dev"):
        clf.fit(X, y, X_dev=X)
    with pytest.raises(gn.ShapeError, match="expecting 5 features"):
        clf.fit(X, y, X_dev=X[:, :3], y_dev=y)
    with pytest.raises(gn.LabelError, match="y_dev"):
        clf.fit(X, y, X_dev=X, y_dev=y + 2)
    with pytest.raises(gn.LabelError, match="y_dev"):
        clf.fit(X, y, X_dev=X, y_dev=np.array(["a", "b"])[y])


def test_feature_names_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    X, y = blobs()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    clf = GlassClassifier(**FAST).fit(frame, y)
    assert clf.feature_names_in_.tolist() == ["f0", "f1", "f2", "f3", "f4"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.predict(frame)


# ---------------------------------------------------------------------- accuracy against MLPClassifier

SEEDS = (0, 1, 2)
EPOCHS = 100
LOADERS = {"breast_cancer": load_breast_cancer, "digits": load_digits}


@pytest.fixture(scope="module")
def mlp_medians():
    """MLPClassifier's median test accuracy over SEEDS, per data set: hidden (100,), Adam at 0.001,
    batch 200, alpha 1e-4, every one of EPOCHS epochs run, StandardScaler, a stratified 75/25 split."""
    medians, splits = {}, {}
    for name, loader in LOADERS.items():
        X, y = loader(return_X_y=True)
        splits[name] = split = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
        X_tr, X_te, y_tr, y_te = split
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # every epoch is run on purpose
            scores = [make_pipeline(StandardScaler(), MLPClassifier(
                hidden_layer_sizes=(100,), learning_rate_init=0.001, batch_size=200, alpha=1e-4, max_iter=EPOCHS,
                n_iter_no_change=EPOCHS, random_state=seed)).fit(X_tr, y_tr).score(X_te, y_te) for seed in SEEDS]
        medians[name] = float(np.median(scores))
    return medians, splits


HE_ON_DIGITS = 0.01
"""He initialization (std sqrt(2/n_prev)) on digits may trail by up to 1 point (4.5 of 450 test images).
Measured, float32 and float64 alike: median over seeds 0-2 0.9689 against MLPClassifier's 0.9756 (3 images;
over 7 seeds 0.9711 against 0.9756). MLPClassifier draws Glorot-uniform weights (std sqrt(2/(n_prev + n)));
with initializer='glorot', the estimators' default, the same runs give 0.9778."""


@pytest.mark.parametrize("data_set, initializer, below", [
    ("breast_cancer", "he", 0.0),
    ("digits", "he", HE_ON_DIGITS),
    ("breast_cancer", "glorot", 0.0),
    ("digits", "glorot", 0.0),
])
def test_test_accuracy_is_at_least_mlpclassifiers(mlp_medians, data_set, initializer, below):
    medians, splits = mlp_medians
    X_tr, X_te, y_tr, y_te = splits[data_set]
    scores = [make_pipeline(StandardScaler(), GlassClassifier(
        hidden_layer_sizes=(100,), learning_rate=0.001, batch_size=200, l2=1e-4, epochs=EPOCHS,
        initializer=initializer, random_state=seed)).fit(X_tr, y_tr).score(X_te, y_te) for seed in SEEDS]
    assert np.median(scores) >= medians[data_set] - below, (scores, medians[data_set])
