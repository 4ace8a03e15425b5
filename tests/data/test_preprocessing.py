"""Splits, one-hot and the Standardizer, in the column layout."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from glassnet.data.preprocessing import (
    Standardizer,
    from_one_hot,
    one_hot,
    train_dev_test_split,
    train_test_split,
)
from glassnet.errors import (
    HyperparameterError,
    LabelError,
    NonFiniteError,
    NotFittedError,
    RankOneArrayError,
    ShapeError,
)

# ------------------------------------------------------------------------------ splits


def labelled(counts, n_x=3, seed=0):
    """X whose row 0 is the example's index (so columns can be traced), Y (1, m) with the given class counts."""
    Y = np.repeat(np.arange(len(counts)), counts).reshape(1, -1)
    rng = np.random.default_rng(seed)
    Y = Y[:, rng.permutation(Y.shape[1])]
    X = np.vstack([np.arange(Y.shape[1], dtype=np.float64), rng.standard_normal((n_x - 1, Y.shape[1]))])
    return X, Y


def check_partition(X, parts):
    """The X parts hold every column of X exactly once, unchanged."""
    ids = np.concatenate([p[0] for p in parts]).astype(int)
    assert sorted(ids.tolist()) == list(range(X.shape[1]))
    for p in parts:
        np.testing.assert_array_equal(p, X[:, p[0].astype(int)])


@pytest.mark.parametrize("counts", [[500, 500], [900, 100], [37, 211, 5, 64, 1], [3, 3, 3]])
@pytest.mark.parametrize("dev,test", [(0.1, 0.1), (0.2, 0.15), (0.0, 0.3), (7, 11)])
def test_stratified_split_keeps_proportions_within_one(counts, dev, test):
    X, Y = labelled(counts)
    m = Y.shape[1]
    n_dev = dev if isinstance(dev, int) else int(np.floor(dev * m + 0.5))
    n_test = test if isinstance(test, int) else int(np.floor(test * m + 0.5))
    if n_dev + n_test >= m:
        with pytest.raises(HyperparameterError, match="no training examples"):
            train_dev_test_split(X, Y, dev=dev, test=test, seed=1)
        return
    X_tr, Y_tr, X_dv, Y_dv, X_te, Y_te = train_dev_test_split(X, Y, dev=dev, test=test, seed=1)
    assert (Y_dv.shape[1], Y_te.shape[1], Y_tr.shape[1]) == (n_dev, n_test, m - n_dev - n_test)
    for Y_part in (Y_tr, Y_dv, Y_te):
        share = Y_part.shape[1] / m
        got = np.bincount(Y_part[0], minlength=len(counts))
        assert np.all(np.abs(got - np.array(counts) * share) < 1 + 1e-9), (got, counts, share)
    check_partition(X, [X_tr, X_dv, X_te])
    for X_part, Y_part in [(X_tr, Y_tr), (X_dv, Y_dv), (X_te, Y_te)]:  # labels travel with their columns
        np.testing.assert_array_equal(Y_part, Y[:, X_part[0].astype(int)])


def test_split_seeded_and_shuffled():
    X, Y = labelled([60, 40])
    a = train_test_split(X, Y, test=0.25, seed=7)
    b = train_test_split(X, Y, test=0.25, seed=7)
    c = train_test_split(X, Y, test=0.25, seed=8)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    assert not np.all(np.diff(a[0][0]) > 0)  # random order, not sorted
    assert a[0].T.flags.c_contiguous  # example-major, fast to gather mini-batches from


def test_split_without_stratify_and_with_one_hot():
    X, Y = labelled([50, 30, 20])
    X_tr, Y_tr, X_te, Y_te = train_test_split(X, Y, test=0.3, stratify=False, seed=0)
    assert X_te.shape == (3, 30)
    check_partition(X, [X_tr, X_te])
    hot = one_hot(Y)
    _, H_tr, _, H_te = train_test_split(X, hot, test=0.3, seed=0)
    assert H_te.shape == (3, 30) and np.bincount(from_one_hot(H_te)[0]).tolist() == [15, 9, 6]
    Y_real = np.linspace(0, 1, 100).reshape(1, -1)
    with pytest.raises(LabelError, match="stratify=False"):
        train_test_split(X, Y_real, seed=0)
    assert train_test_split(X, Y_real, stratify=False, seed=0)[3].shape == (1, 20)


def test_split_errors():
    X, Y = labelled([5, 5])
    with pytest.raises(HyperparameterError, match="empty"):
        train_test_split(X, Y, test=0.01)
    with pytest.raises(HyperparameterError, match="no training examples"):
        train_dev_test_split(X, Y, dev=5, test=5)
    with pytest.raises(HyperparameterError, match="test"):
        train_test_split(X, Y, test=1.5)
    with pytest.raises(ShapeError, match="same number of columns"):
        train_test_split(X, Y[:, :9])
    with pytest.raises(RankOneArrayError, match="reshape"):
        train_test_split(X, Y[0])


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(1, 60), min_size=2, max_size=8), dev=st.integers(0, 40),
       test=st.integers(1, 40), seed=st.integers(0, 2**31))
def test_stratified_split_property(counts, dev, test, seed):
    X, Y = labelled(counts, n_x=2, seed=seed % 1000)
    m = Y.shape[1]
    if dev + test >= m:
        return
    _, Y_tr, _, Y_dv, _, Y_te = train_dev_test_split(X, Y, dev=dev, test=test, seed=seed)
    assert (Y_tr.shape[1], Y_dv.shape[1], Y_te.shape[1]) == (m - dev - test, dev, test)
    for Y_part in (Y_tr, Y_dv, Y_te):
        got = np.bincount(Y_part[0], minlength=len(counts))
        assert np.all(np.abs(got - np.array(counts) * (Y_part.shape[1] / m)) < 1)


# ------------------------------------------------------------------------------ one-hot


def test_one_hot_round_trip():
    Y = np.array([[2, 0, 1, 2, 3]])
    hot = one_hot(Y)
    assert hot.shape == (4, 5) and hot.dtype == np.float32
    np.testing.assert_array_equal(hot[:, 0], [0, 0, 1, 0])
    np.testing.assert_array_equal(hot.sum(axis=0), np.ones(5))
    back = from_one_hot(hot)
    assert back.dtype == np.int64 and back.shape == (1, 5)
    np.testing.assert_array_equal(back, Y)
    assert one_hot(Y, n_classes=6, dtype=np.float64).shape == (6, 5)


@given(labels=hnp.arrays(np.int64, st.integers(1, 50), elements=st.integers(0, 9)))
def test_one_hot_round_trip_property(labels):
    Y = labels.reshape(1, -1)
    np.testing.assert_array_equal(from_one_hot(one_hot(Y, n_classes=10)), Y)


def test_one_hot_errors():
    with pytest.raises(LabelError, match="n_classes >= 4"):
        one_hot(np.array([[0, 3]]), n_classes=2)
    with pytest.raises(LabelError, match="integer labels"):
        one_hot(np.array([[0.5, 1.0]]))
    with pytest.raises(LabelError, match="integer labels"):
        one_hot(np.array([[-1, 1]]))
    with pytest.raises(ShapeError, match="already one-hot"):
        one_hot(np.eye(3))
    with pytest.raises(RankOneArrayError):
        one_hot(np.array([0, 1, 2]))
    with pytest.raises(ShapeError, match="already holds labels"):
        from_one_hot(np.array([[0, 1, 1]]))


# ------------------------------------------------------------------------------ Standardizer


def test_standardizer_fits_on_training_data_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5.0, 3.0, size=(4, 200))
    X_test = rng.normal(-2.0, 0.5, size=(4, 50))
    norm = Standardizer().fit(X_train)
    mu = X_train.sum(axis=1, keepdims=True) / 200  # the notes: mu = (1/m) sum x(i)
    sigma2 = ((X_train - mu) ** 2).sum(axis=1, keepdims=True) / 200  # sigma2 = (1/m) sum (x(i) - mu)^2
    np.testing.assert_allclose(norm.mu, mu, rtol=1e-12)
    np.testing.assert_allclose(norm.sigma2, sigma2, rtol=1e-12)
    assert norm.mu.shape == (4, 1) and norm.sigma2.shape == (4, 1)
    Z_train = norm.transform(X_train)
    np.testing.assert_allclose(Z_train.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Z_train.var(axis=1), 1, rtol=1e-12)
    # other data get the training statistics, unchanged: its mean is not 0 and the stats did not move
    Z_test = norm.transform(X_test)
    np.testing.assert_allclose(Z_test, (X_test - mu) / np.sqrt(sigma2), rtol=1e-12)
    assert np.all(Z_test.mean(axis=1) < -1)
    np.testing.assert_allclose(norm.mu, mu, rtol=1e-12)


def test_standardizer_matches_scikit_learn():
    from sklearn.preprocessing import StandardScaler

    X = np.random.default_rng(1).gamma(2.0, 10.0, size=(7, 300))
    norm = Standardizer().fit(X)
    ref = StandardScaler().fit(X.T)
    np.testing.assert_allclose(norm.mu[:, 0], ref.mean_, rtol=1e-12)
    np.testing.assert_allclose(norm.sigma2[:, 0], ref.var_, rtol=1e-10)
    np.testing.assert_allclose(norm.transform(X), ref.transform(X.T).T, rtol=1e-9, atol=1e-12)


def test_standardizer_constant_feature_maps_to_zero():
    X = np.vstack([np.full((1, 30), 0.1), np.arange(30.0).reshape(1, -1), np.full((1, 30), -7.3)])
    norm = Standardizer(floor=1e-8).fit(X)
    Z = norm.transform(X)
    assert np.isfinite(Z).all()
    assert np.array_equal(Z[0], np.zeros(30)) and np.array_equal(Z[2], np.zeros(30))
    assert norm.sigma2[0, 0] == 0.0 and norm.mu[0, 0] == 0.1
    np.testing.assert_array_equal(norm.inverse_transform(Z)[[0, 2]], X[[0, 2]])
    # other data keep their offset from the training constant: never multiplied by 1 / floor
    other = X[:, :2] + 0.5
    np.testing.assert_allclose(norm.transform(other)[[0, 2]], np.full((2, 2), 0.5), rtol=1e-12)
    # a feature with a real (if small) spread is standardized as usual
    tiny = Standardizer(floor=1e-8).fit(np.array([[0.0, 1e-6]]))
    np.testing.assert_allclose(tiny.transform(np.array([[0.0, 1e-6]])), [[-1.0, 1.0]], rtol=1e-9)


def test_standardizer_keeps_dtype_and_input():
    X = np.random.default_rng(2).normal(size=(5, 40)).astype(np.float32) * 10 + 3
    before = X.copy()
    norm = Standardizer().fit(X)
    Z = norm.transform(X)
    assert Z.dtype == np.float32 and Z is not X
    np.testing.assert_array_equal(X, before)
    back = norm.inverse_transform(Z)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, X, rtol=1e-5, atol=1e-5)
    assert norm.mu.dtype == np.float64  # statistics in float64 whatever the input
    assert norm.transform(X.astype(np.float64)).dtype == np.float64
    assert norm.transform(np.ones((5, 2), dtype=np.int32)).dtype == np.float64
    # example-major input stays example-major
    assert norm.transform(np.ascontiguousarray(X.T).T).T.flags.c_contiguous


def test_standardizer_chunked_fit_matches(monkeypatch):
    import glassnet.data.preprocessing as pre

    X = np.random.default_rng(3).normal(4.0, 2.0, size=(6, 1001)).astype(np.float32)
    whole = Standardizer().fit(X)
    monkeypatch.setattr(pre, "_CHUNK_VALUES", 6 * 7)  # 7 examples per chunk
    chunked = Standardizer().fit(X)
    np.testing.assert_allclose(chunked.mu, whole.mu, rtol=1e-12)
    np.testing.assert_allclose(chunked.sigma2, whole.sigma2, rtol=1e-10)


def test_standardizer_refuses_a_variance_beyond_float64_in_words():
    """Values near 1e307 have a variance no float64 holds: one NonFiniteError, not NumPy's overflow warnings."""
    import warnings

    X = np.array([[1e307, -1e307, 5e306], [1.0, 2.0, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning would fail here
        with pytest.raises(NonFiniteError, match=r"feature 0 \(row 0\) spans values up to 1e\+307: its variance is "
                                                 r"beyond float64"):
            Standardizer().fit(X)
        assert Standardizer().fit(X[1:]).sigma2[0, 0] == pytest.approx(2 / 3)


def test_standardizer_save_load_dict():
    X = np.random.default_rng(4).normal(size=(3, 20))
    norm = Standardizer(floor=1e-6).fit(X)
    state = norm.to_dict()
    assert state["mu"].shape == (3, 1) and state["floor"] == 1e-6
    as_json = json.loads(json.dumps(norm.to_dict(as_lists=True)))
    for restored in (Standardizer.from_dict(state), Standardizer.from_dict(as_json)):
        assert restored.floor == 1e-6
        np.testing.assert_array_equal(restored.transform(X), norm.transform(X))
    # the saving code sets the attributes directly
    manual = Standardizer(floor=1e-6)
    manual.mu, manual.sigma2 = state["mu"], state["sigma2"]
    np.testing.assert_array_equal(manual.transform(X), norm.transform(X))


def test_standardizer_errors():
    with pytest.raises(NotFittedError, match="fit"):
        Standardizer().transform(np.ones((2, 2)))
    with pytest.raises(HyperparameterError, match="floor"):
        Standardizer(floor=0)
    with pytest.raises(RankOneArrayError, match="reshape"):
        Standardizer().fit(np.arange(5.0))
    norm = Standardizer().fit(np.ones((3, 10)))
    with pytest.raises(ShapeError, match=r"pass X.T"):
        norm.transform(np.ones((10, 3)))
    with pytest.raises(ShapeError, match="no examples"):
        Standardizer().fit(np.ones((3, 0)))
    with pytest.raises(HyperparameterError, match="missing sigma2"):
        Standardizer.from_dict({"mu": [1.0]})
    with pytest.raises(ShapeError, match="same length"):
        Standardizer.from_dict({"mu": [1.0, 2.0], "sigma2": [1.0]})
    with pytest.raises(HyperparameterError, match="sigma2 >= 0"):
        Standardizer.from_dict({"mu": [1.0], "sigma2": [-1.0]})


@settings(max_examples=50, deadline=None)
@given(
    X=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 40)),
        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    ),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_standardizer_property(X, dtype):
    X = X.astype(dtype)
    before = X.copy()
    norm = Standardizer().fit(X)
    Z = norm.transform(X)
    assert Z.shape == X.shape and Z.dtype == X.dtype
    np.testing.assert_array_equal(X, before)
    assert np.isfinite(Z).all()
    Z64 = Z.astype(np.float64)
    spread = np.sqrt(norm.sigma2[:, 0])
    tol = 1e-3 if dtype == np.float32 else 1e-7
    wide = spread > 1e-2 * (np.abs(norm.mu[:, 0]) + 1)  # features with a real spread: mean 0, variance 1
    np.testing.assert_allclose(Z64[wide].mean(axis=1), 0, atol=tol)
    np.testing.assert_allclose(Z64[wide].var(axis=1), 1, atol=10 * tol)
    constant = (X == X[:, :1]).all(axis=1)
    assert np.array_equal(Z[constant], np.zeros_like(Z[constant]))
    back = norm.inverse_transform(Z).astype(np.float64)
    np.testing.assert_allclose(back, X.astype(np.float64), rtol=tol, atol=tol * (1 + np.abs(X).max()))
