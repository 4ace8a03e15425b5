"""Tests that kill the mutants mutmut found surviving in ``glassnet.layers`` and ``glassnet.data.preprocessing``
after tests/test_mutants_core.py (python -m bench.mutation; bench/README.md, "Mutation score"). Each test names the
behaviour a surviving mutant changed; the mutants that cannot change behaviour are listed, with the reason, in
bench/mutation-equivalent.txt.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from glassnet import activations
from glassnet.data import preprocessing
from glassnet.errors import NonFiniteError, NotFittedError, ShapeError
from glassnet.layers import Dense

# --------------------------------------------------------------------------------------------------- layers


def _layer(n_prev=3, n=2, keep_prob=1.0, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    layer = Dense(n_prev, n, activations.Tanh(), keep_prob=keep_prob)
    W = rng.standard_normal((n, n_prev)).astype(dtype)
    b = rng.standard_normal((n, 1)).astype(dtype)
    layer.bind(W, b, np.zeros_like(W), np.zeros_like(b))
    return layer


def test_a_new_layer_has_no_parameters_gradients_or_mask_yet():
    """Before bind and the first passes: W, b, dW, db and dZ are None and no mask was applied (False, not None)."""
    layer = Dense(3, 2, activations.ReLU())
    assert layer.W is None and layer.b is None and layer.dW is None and layer.db is None
    assert layer.dZ is None and layer.D is None and layer.cache is None
    assert layer.mask_applied is False


def test_forward_by_default_returns_a_new_array_each_call():
    """Without reuse_buffers, an A kept from one forward pass is not overwritten by the next (same batch size)."""
    layer = _layer()
    rng = np.random.default_rng(1)
    X1, X2 = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    A1 = layer.forward(X1, training=False, rng=rng)
    kept = A1.copy()
    A2 = layer.forward(X2, training=False, rng=rng)
    np.testing.assert_array_equal(A1, kept)
    np.testing.assert_allclose(A1, np.tanh(layer.W @ X1 + layer.b))
    np.testing.assert_allclose(A2, np.tanh(layer.W @ X2 + layer.b))
    assert not np.shares_memory(A1, A2) and not np.shares_memory(layer.cache.Z, A1)


def test_backward_by_default_returns_a_new_dA_prev_each_call():
    """Without reuse_buffers, a dA_prev kept from one backward pass is not overwritten by the next."""
    layer = _layer()
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 4))
    layer.forward(X, training=False, rng=rng)
    dZ1, dZ2 = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    d1 = layer.backward(None, 4, dZ=dZ1.copy())
    kept = d1.copy()
    d2 = layer.backward(None, 4, dZ=dZ2.copy())
    np.testing.assert_array_equal(d1, kept)
    np.testing.assert_allclose(d1, layer.W.T @ dZ1)
    np.testing.assert_allclose(d2, layer.W.T @ dZ2)


def test_reused_dA_prev_buffer_keeps_a_float32_layers_dtype():
    """The fit loop's reused dA_prev of a float32 layer is float32 (not a float64 buffer)."""
    layer = _layer(dtype=np.float32)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3, 4)).astype(np.float32)
    layer.forward(X, training=True, rng=rng, reuse_buffers=True)
    dZ = rng.standard_normal((2, 4)).astype(np.float32)
    for _ in range(2):
        dA_prev = layer.backward(None, 4, dZ=dZ.copy(), reuse_buffers=True)
        assert dA_prev.dtype == np.float32
        np.testing.assert_allclose(dA_prev, layer.W.T @ dZ, rtol=1e-6)


def test_forward_by_default_draws_a_new_dropout_mask_each_call():
    """Without reuse_mask, each training forward pass draws a fresh mask (not the last one again)."""
    layer = _layer(n_prev=20, keep_prob=0.5)
    rng = np.random.default_rng(4)
    X = np.ones((20, 30))
    layer.forward(X, training=True, rng=rng)
    D1 = layer.D.copy()
    layer.forward(X, training=True, rng=rng)
    assert not np.array_equal(D1, layer.D)
    layer.forward(X, training=True, rng=rng, reuse_mask=True)  # asked for: the same mask
    D3 = layer.D.copy()
    layer.forward(X, training=True, rng=rng, reuse_mask=True)
    np.testing.assert_array_equal(D3, layer.D)


def test_a_unit_whose_draw_equals_keep_prob_is_dropped():
    """The mask keeps a unit when its uniform draw u < keep_prob, so P(keep) = keep_prob exactly: a draw equal to
    keep_prob drops the unit (with u <= keep_prob every float32 draw would keep with 2**-24 too much)."""
    u = np.random.default_rng(5).random((4, 1), dtype=np.float32)
    layer = _layer(n_prev=4, keep_prob=float(u[0, 0]), dtype=np.float32)
    layer.forward(np.ones((4, 1), dtype=np.float32), training=True, rng=np.random.default_rng(5))
    assert not layer.D[0, 0]
    np.testing.assert_array_equal(layer.D, u < np.float32(u[0, 0]))


# -------------------------------------------------------------------------------------------- preprocessing


def test_encode_labels_of_no_examples_is_int64():
    """encode_labels of (1, 0) labels: Y (1, 0) int64 (as documented), not float64, and no classes."""
    Y, classes = preprocessing.encode_labels(np.empty((1, 0)))
    assert Y.shape == (1, 0) and Y.dtype == np.int64 and classes == ()


@pytest.mark.parametrize("text", ["Infinity", "1e999", "-1E400", "NaN "])
def test_label_text_keeps_non_finite_numbers_as_written(text):
    """A label that parses to inf or nan stays as written (stripped), whatever its spelling."""
    assert preprocessing.label_text(text) == text.strip()
    assert preprocessing.label_text(text.encode()) == text.strip()


@pytest.mark.parametrize("call", [preprocessing.one_hot, preprocessing.from_one_hot], ids=["one_hot", "from_one_hot"])
def test_one_hot_refusals_name_Y(call):
    with pytest.raises(ShapeError, match=r"^Y has shape \(3,\)"):
        call(np.arange(3))


def test_split_refusals_name_X_and_Y():
    X, Y = np.zeros((2, 6)), np.zeros((1, 6))
    with pytest.raises(ShapeError, match=r"^X has shape \(6,\)"):
        preprocessing.train_dev_test_split(np.zeros(6), Y, dev=1, test=1)
    with pytest.raises(ShapeError, match=r"^Y has shape \(6,\)"):
        preprocessing.train_dev_test_split(X, np.zeros(6), dev=1, test=1)


def test_standardizer_refusals_name_the_argument():
    s = preprocessing.Standardizer()
    with pytest.raises(ShapeError, match=r"^X has shape \(4,\)"):
        s.fit(np.zeros(4))
    s.fit(np.arange(8.0).reshape(2, 4))
    with pytest.raises(ShapeError, match=r"^X has shape \(4,\)"):
        s.transform(np.zeros(4))
    with pytest.raises(ShapeError, match=r"^X_norm has shape \(4,\)"):
        s.inverse_transform(np.zeros(4))


def test_standardizer_transposed_hint_only_when_it_looks_transposed():
    s = preprocessing.Standardizer().fit(np.arange(12.0).reshape(3, 4))
    with pytest.raises(ShapeError) as wrong:
        s.transform(np.zeros((2, 5)))
    assert ".T" not in str(wrong.value) and "(m, n_x)" not in str(wrong.value)
    with pytest.raises(ShapeError, match=r"pass X\.T"):
        s.transform(np.zeros((5, 3)))


def test_an_unfitted_standardizer_has_no_statistics():
    s = preprocessing.Standardizer()
    assert s.mu is None and s.sigma2 is None


def test_a_standardizer_with_only_mu_set_is_not_fitted():
    """Statistics set by hand but half of them: transform says "not fitted", not a TypeError from inside."""
    s = preprocessing.Standardizer()
    s.mu = np.zeros((2, 1))
    with pytest.raises(NotFittedError):
        s.transform(np.zeros((2, 3)))


def _overflowing_row(n=1024):
    """Half +1.7e308, half -1.7e308 (first value 0): its sums overflow to +inf and -inf, and inf - inf is nan."""
    half = n // 2
    return np.array([0.0] + [1.7e308] * (half - 1) + [-1.7e308] * half)


def test_fit_beyond_float64_names_the_feature_and_warns_nothing():
    """A feature whose variance is beyond float64: NonFiniteError naming that feature (row 1 here), and no
    RuntimeWarning (overflow, invalid value) from NumPy on the way: the error says it in words."""
    X = np.vstack([np.linspace(0, 1, 1024), _overflowing_row()])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(NonFiniteError, match=r"feature 1 \(row 1\)"):
            preprocessing.Standardizer().fit(X)
    assert [str(w.message) for w in seen if issubclass(w.category, RuntimeWarning)] == []


def test_fit_divide_by_below_one():
    """divide_by may be any positive number, 0.5 included: the statistics of X / 0.5."""
    X = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 1.0, 0.0, 1.0]])
    s = preprocessing.Standardizer().fit(X, divide_by=0.5)
    ref = preprocessing.Standardizer().fit(X / 0.5)
    np.testing.assert_allclose(s.mu, ref.mu)
    np.testing.assert_allclose(s.sigma2, ref.sigma2)


@pytest.mark.parametrize("state", [{"mu": [0, 1], "sigma2": [1, 4]},
                                   {"mu": np.zeros(2, np.float32), "sigma2": np.ones(2, np.float32)}],
                         ids=["int lists", "float32 arrays"])
def test_from_dict_stores_float64_statistics(state):
    """from_dict stores mu and sigma2 as (n_x, 1) float64, as fit does, whatever the state's number type."""
    s = preprocessing.Standardizer.from_dict(state)
    assert s.mu.dtype == np.float64 and s.sigma2.dtype == np.float64
    assert s.mu.shape == s.sigma2.shape == (2, 1)


def test_forward_by_default_leaves_a_kept_cache_alone():
    """Without reuse_buffers, the cache (A_prev, Z, A) kept from one forward pass still holds that pass's Z after
    the next pass of the same batch size."""
    layer = _layer()
    rng = np.random.default_rng(6)
    X1, X2 = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    layer.forward(X1, training=False, rng=rng)
    first = layer.cache
    layer.forward(X2, training=False, rng=rng)
    np.testing.assert_allclose(first.Z, layer.W @ X1 + layer.b)
    np.testing.assert_allclose(first.A, np.tanh(first.Z))


def test_stratified_split_gives_each_class_the_floor_or_ceil_of_its_share():
    """Classes of 5, 3 and 2 examples into train 5, dev 3, test 2: every class gets floor or ceil of its exact
    share of every split, an integral share (class 0's 5 * 2 / 10 = 1 of test) exactly, whatever the seed."""
    Y = np.array([[0] * 5 + [1] * 3 + [2] * 2])
    X = np.arange(10.0).reshape(1, 10)
    sizes = np.array([5, 3, 2])
    for seed in range(20):
        _, Y_tr, _, Y_dev, _, Y_te = preprocessing.train_dev_test_split(X, Y, dev=3, test=2, seed=seed)
        for part in (Y_tr, Y_dev, Y_te):
            got = np.bincount(part[0], minlength=3)
            share = sizes * part.shape[1] / 10
            assert ((got == np.floor(share)) | (got == np.ceil(share))).all(), (seed, part.shape[1], got)
