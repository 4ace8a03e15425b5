"""The model carries its input pipeline: raw features in, original labels out, from Python and from a file."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.data.preprocessing import Standardizer, encode_labels, label_text
from glassnet.errors import HyperparameterError, ShapeError


@pytest.fixture(scope="module")
def raw_digits():
    return gn.load_dataset("digits", seed=0, scaled=False)


def digits_net(data, **kw):
    return gn.Network([64, 32, 10], output_activation="softmax", seed=0, input_scale=data.input_scale,
                      feature_names=data.feature_names, class_names=data.class_names, **kw)


def test_training_on_raw_features_with_input_scale_equals_training_on_scaled_ones(raw_digits):
    """X / 16 inside the network is the loader's X / 16: the same weights bit for bit, standardized or not."""
    scaled = gn.load_dataset("digits", seed=0)
    for normalize in (False, True):
        a = digits_net(raw_digits)
        a.fit(raw_digits.X_train, raw_digits.Y_train, epochs=3, batch_size=64, normalize=normalize, seed=1)
        b = gn.Network([64, 32, 10], output_activation="softmax", seed=0)
        b.fit(scaled.X_train, scaled.Y_train, epochs=3, batch_size=64, normalize=normalize, seed=1)
        assert np.array_equal(a.parameters_to_vector(), b.parameters_to_vector())
        assert np.array_equal(a.predict_proba(raw_digits.X_test), b.predict_proba(scaled.X_test))
        if normalize:  # the statistics are those of what the normalizer sees: X / 16
            assert np.array_equal(a.normalizer.mu, b.normalizer.mu)
            np.testing.assert_allclose(a.normalizer.sigma2, b.normalizer.sigma2, rtol=1e-12)


def test_transform_input_is_the_whole_pipeline(raw_digits):
    net = digits_net(raw_digits)
    net.fit(raw_digits.X_train, raw_digits.Y_train, epochs=1, normalize=True, seed=0)
    X = raw_digits.X_test[:, :5]
    expected = net.normalizer.transform((X / 16.0).astype(np.float32))
    assert np.array_equal(net.transform_input(X), expected)
    assert "/ 16" in net.summary() and "standardized" in net.summary()


def test_a_loaded_model_predicts_raw_features_in_the_original_labels(raw_digits, tmp_path):
    net = digits_net(raw_digits)
    net.fit(raw_digits.X_train, raw_digits.Y_train, epochs=15, batch_size=32, normalize=True, seed=0)
    gn.save(net, tmp_path / "digits.npz")
    same = gn.load(tmp_path / "digits.npz")
    assert same.input_scale == 16.0 and same.feature_names == list(raw_digits.feature_names)
    assert same.class_names == [str(d) for d in range(10)]
    X = raw_digits.X_test
    assert np.array_equal(same.predict(X), net.predict(X))
    labels = same.predict_labels(X)
    assert labels.shape == (1, X.shape[1]) and labels.dtype.kind == "U"
    assert np.mean(labels[0] == raw_digits.Y_test[0].astype(str)) > 0.9


def test_string_class_names_come_back(tmp_path):
    X, Y = gn.datasets.make_moons(200, noise=0.1, seed=0)
    net = gn.Network([2, 8, 1], seed=0, class_names=["left", "right"])
    net.fit(X, Y, epochs=100, batch_size=32, learning_rate=0.02, seed=0)
    words = net.predict_labels(X)
    assert set(np.unique(words)) <= {"left", "right"}
    assert np.array_equal(words == "right", net.predict(X) == 1)
    gn.save(net, tmp_path / "m.npz")
    assert np.array_equal(gn.load(tmp_path / "m.npz").predict_labels(X), words)


def test_names_are_checked():
    with pytest.raises(HyperparameterError, match="class_names needs 3 names"):
        gn.Network([2, 3], output_activation="softmax", class_names=["a", "b"])
    with pytest.raises(HyperparameterError, match="class_names is for classifiers"):
        gn.Network([2, 1], output_activation="linear", class_names=["a"])
    with pytest.raises(HyperparameterError, match="feature_names needs 2 names"):
        gn.Network([2, 1], feature_names=["only one"])
    with pytest.raises(HyperparameterError, match="input_scale"):
        gn.Network([2, 1], input_scale=0)
    with pytest.raises(HyperparameterError, match="predict_labels needs a classifier"):
        gn.Network([2, 1], output_activation="linear").predict_labels(np.zeros((2, 3)))


def test_without_names_predict_labels_are_the_indices_as_text():
    net = gn.Network([2, 3], output_activation="softmax", seed=0)
    X = np.random.default_rng(0).standard_normal((2, 7))
    assert np.array_equal(net.predict_labels(X), net.predict(X).astype(str))


def test_encode_labels():
    Y, names = encode_labels(np.array([["virginica", "setosa", "virginica"]]))
    assert Y.tolist() == [[1, 0, 1]] and names == ("setosa", "virginica")
    Y, names = encode_labels(np.array([[0.0, 1e6, 0.0, 1e6]]))
    assert Y.tolist() == [[0, 1, 0, 1]] and names == ("0", "1000000")  # two classes, not a million units
    Y, names = encode_labels(np.array([[10, 2, -1]]))
    assert names == ("-1", "2", "10") and Y.tolist() == [[2, 1, 0]]  # by value, not as text
    with pytest.raises(ShapeError):
        encode_labels(np.array([1, 2]))
    assert [label_text(v) for v in (3.0, "3.0", " cat ", 2.5, b"dog")] == ["3", "3", "cat", "2.5", "dog"]


def test_standardizer_fit_divide_by():
    X = np.random.default_rng(0).integers(0, 256, size=(5, 1000)).astype(np.float32)
    a = Standardizer().fit(X, divide_by=255.0)
    b = Standardizer().fit(X.astype(np.float64) / 255.0)
    np.testing.assert_allclose(a.mu, b.mu, rtol=1e-14)
    np.testing.assert_allclose(a.sigma2, b.sigma2, rtol=1e-12)


def test_copy_and_pickle_keep_the_pipeline(raw_digits):
    import pickle

    net = digits_net(raw_digits)
    for other in (net.copy(), net.copy(dtype="float64"), pickle.loads(pickle.dumps(net))):
        assert other.input_scale == 16.0 and other.class_names == net.class_names
        assert other.feature_names == net.feature_names
