"""One test per silent wrong answer found by the hostile-input review (issue 13): each used to return a
number that looked right, or nothing at all, and now raises a clear GlassnetError or warns."""

import json

import numpy as np
import pytest

import glassnet as gn


@pytest.fixture(scope="module")
def moons():
    return gn.datasets.make_moons(200, noise=0.2, seed=0)


# ---------------------------------------------------------------- finite float64 beyond float32's range


@pytest.mark.parametrize("call", ["predict_proba", "predict", "evaluate", "cost", "forward"])
def test_float64_beyond_float32_range_is_refused_not_turned_into_nan(moons, call):
    X, Y = moons
    net = gn.Network([2, 5, 1], seed=0)
    args = (X * 1e39,) if call in ("predict_proba", "predict", "forward") else (X * 1e39, Y)
    with pytest.raises(gn.NonFiniteError, match=r"up to .*e\+39.*float32.*dtype='float64'"):
        getattr(net, call)(*args)


def test_fit_refuses_float64_beyond_float32_range_instead_of_blaming_the_learning_rate(moons):
    X, Y = moons
    net = gn.Network([2, 5, 1], seed=0)
    before = net.parameters_to_vector()
    with pytest.raises(gn.NonFiniteError, match="float32"):
        net.fit(X * 1e39, Y, epochs=2)
    np.testing.assert_array_equal(net.parameters_to_vector(), before)
    # the same data is fine where it fits: float64
    assert np.isfinite(gn.Network([2, 5, 1], dtype="float64", seed=0).predict_proba(X * 1e39)).all()


# ---------------------------------------------------------------- the divergence guard


def test_divergence_keeps_only_weights_whose_cost_was_finite(moons):
    X, Y = moons
    net = gn.Network([2, 8, 1], seed=0)
    with pytest.warns(gn.DivergenceWarning):
        net.fit(X, Y, epochs=20, optimizer="gd", learning_rate=1e30)
    assert np.isfinite(net.parameters_to_vector()).all()
    assert np.isfinite(net.cost(X, Y))


def test_a_single_epoch_run_is_guarded_too(moons):
    X, Y = moons
    net = gn.Network([2, 8, 1], seed=0)
    with pytest.warns(gn.DivergenceWarning):
        net.fit(X, Y, epochs=1, optimizer="gd", learning_rate=1e30)
    assert np.isfinite(net.parameters_to_vector()).all()


def test_a_cost_growing_a_thousandfold_warns_before_it_overflows(moons):
    X, Y = moons
    net = gn.Network([2, 8, 1], seed=0)
    with pytest.warns(gn.DivergenceWarning):
        net.fit(X, Y, epochs=30, optimizer="adam", learning_rate=1e6)


# ---------------------------------------------------------------- evaluate's batch size


@pytest.mark.parametrize("batch_size", [-1, 0, 2.5, None, "64"])
def test_evaluate_refuses_a_batch_size_that_is_not_a_positive_integer(moons, batch_size):
    X, Y = moons
    net = gn.Network([2, 5, 1], seed=0)
    with pytest.raises(gn.HyperparameterError, match="batch_size must be an integer >= 1"):
        net.evaluate(X, Y, batch_size=batch_size)


# ---------------------------------------------------------------- model files


def _edit_metadata(path, edit):
    with np.load(path, allow_pickle=False) as content:
        arrays = {k: content[k] for k in content.files}
    meta = json.loads(arrays["__metadata__"].tobytes())
    edit(meta)
    arrays["__metadata__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


def test_editing_the_activations_in_the_metadata_is_refused(tmp_path, moons):
    X, Y = moons
    net = gn.Network([2, 8, 1], seed=0)
    net.fit(X, Y, epochs=5)
    path = gn.save(net, tmp_path / "model.npz")

    def relu_to_tanh(meta):
        meta["network"]["activations"][0] = {"name": "tanh"}

    _edit_metadata(path, relu_to_tanh)
    with pytest.raises(gn.ModelFileError, match="metadata.*fails its checksum"):
        gn.load(path)


# ---------------------------------------------------------------- initialization


@pytest.mark.parametrize("dtype,scale", [("float32", 1e300), ("float32", 1e38), ("float64", 1e308)])
def test_an_init_scale_giving_infinite_weights_is_refused(dtype, scale):
    with pytest.raises(gn.HyperparameterError, match="init_scale"):
        gn.Network([2, 5, 1], init_scale=scale, dtype=dtype, seed=0)


def test_a_large_but_finite_init_scale_still_builds():
    net = gn.Network([2, 5, 1], init_scale=1e10, seed=0)
    assert np.isfinite(net.parameters_to_vector()).all()


# ---------------------------------------------------------------- explicit byte order


@pytest.mark.parametrize("order", ["<", ">"])
def test_float64_with_an_explicit_byte_order_trains_and_predicts_like_plain_float64(moons, order):
    X, Y = moons
    explicit = X.astype(np.dtype("f8").newbyteorder(order))
    assert explicit.dtype.byteorder == order
    results = []
    for data in (X, explicit):
        net = gn.Network([2, 8, 1], dtype="float64", seed=0)
        net.fit(data, Y, epochs=3, batch_size=64, seed=0)
        results.append((net.parameters_to_vector(), net.predict_proba(data)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_a_layer_given_float64_with_explicit_byte_order_runs_the_relu_kernel_path(moons):
    X, _ = moons
    explicit = np.ascontiguousarray(X).astype(np.dtype("f8").newbyteorder("<"))
    net = gn.Network([2, 8, 1], dtype="float64", seed=0)
    # a fresh layer: its reused Z buffer takes the input's dtype, '<f8', which the kernel used to refuse
    other = net.layers[0].forward(explicit, training=False, rng=None, reuse_buffers=True).copy()
    plain = net.copy().layers[0].forward(np.ascontiguousarray(X), training=False, rng=None)
    np.testing.assert_array_equal(plain, other)


# ---------------------------------------------------------------- quiet acceptance of wrong arguments


@pytest.mark.parametrize("value", ["1", 2.5, -1, 0, True])
def test_checkpoint_every_must_be_a_positive_integer(moons, tmp_path, value):
    X, Y = moons
    with pytest.raises(gn.HyperparameterError, match="checkpoint_every"):
        gn.Network([2, 3, 1], seed=0).fit(X, Y, epochs=1, checkpoint_dir=tmp_path, checkpoint_every=value)


def test_setting_a_parameter_to_nan_is_refused():
    net = gn.Network([2, 3, 1], seed=0)
    with pytest.raises(gn.NonFiniteError):
        net.params["W1"] = np.full((3, 2), np.nan)
    assert np.isfinite(net.parameters_to_vector()).all()


def test_saving_a_diverged_network_is_refused(tmp_path):
    net = gn.Network([2, 3, 1], seed=0)
    net._theta[0] = np.nan  # what a run without the guard would leave
    with pytest.raises(gn.NonFiniteError, match="W1"):
        gn.save(net, tmp_path / "model.npz")
    assert not (tmp_path / "model.npz").exists()



def test_an_l2_whose_gradient_term_overflows_is_refused():
    """l2=1e300 in float32 gave dW = inf with no word (found by tests/test_fuzz.py)."""
    with pytest.raises(gn.HyperparameterError, match=r"l2=1e\+300 is too large for float32"):
        gn.Network([3, 2], output_activation="softmax", l2=1e300, seed=0)
    assert gn.Network([3, 2], output_activation="softmax", l2=1e100, dtype="float64", seed=0).l2 == 1e100


# ---------------------------------------------------------------- found by tests/test_fuzz.py, now refused or said


def test_a_vector_of_nan_or_beyond_the_dtype_is_refused_by_vector_to_parameters():
    net = gn.Network([2, 3, 1], seed=0)
    before = net.parameters_to_vector()
    for bad in (np.full(net.n_params, np.nan), np.full(net.n_params, 1e200)):
        with pytest.raises(gn.NonFiniteError, match="theta"):
            net.vector_to_parameters(bad)
    np.testing.assert_array_equal(net.parameters_to_vector(), before)


@pytest.mark.parametrize("call", ["cost", "evaluate", "cost_and_gradients"])
def test_zero_examples_are_refused_where_a_cost_averages_over_them(call):
    net = gn.Network([2, 3, 1], seed=0)
    with pytest.raises(gn.ShapeError, match="0 examples"):
        getattr(net, call)(np.zeros((2, 0)), np.zeros((1, 0)))


def test_a_dev_set_of_zero_examples_is_refused_before_training(moons):
    X, Y = moons
    net = gn.Network([2, 3, 1], seed=0)
    before = net.parameters_to_vector()
    with pytest.raises(gn.ShapeError, match="0 examples"):
        net.fit(X, Y, epochs=1, X_dev=np.zeros((2, 0)), Y_dev=np.zeros((1, 0)))
    np.testing.assert_array_equal(net.parameters_to_vector(), before)


def test_a_mini_batch_whose_weights_are_all_zero_is_skipped_not_divided_by():
    X = np.arange(14.0).reshape(2, 7) / 14
    Y = np.array([[0, 1, 0, 1, 0, 1, 1]])
    weights = np.array([[0, 0, 0, 0, 0, 0, 1.0]])
    net = gn.Network([2, 3, 1], seed=0)
    history = net.fit(X, Y, epochs=2, batch_size=2, sample_weight=weights, optimizer="gd", learning_rate=0.1)
    assert len(history["cost"]) == 2 and np.isfinite(history["cost"]).all()
    # the only example that counts is the last one: its cost is the whole weighted cost
    only = gn.Network([2, 3, 1], seed=0)
    only.fit(X[:, 6:], Y[:, 6:], epochs=2, optimizer="gd", learning_rate=0.1)
    np.testing.assert_allclose(net.parameters_to_vector(), only.parameters_to_vector(), rtol=1e-6)


def test_weights_too_small_for_float32_are_refused_not_summed_to_zero(moons):
    X, Y = moons
    with pytest.raises(gn.HyperparameterError, match="sums to 0 in float32"):
        gn.Network([2, 3, 1], seed=0).fit(X, Y, epochs=1, sample_weight=np.full((1, X.shape[1]), 1e-300))


def test_an_output_that_overflows_warns_instead_of_returning_inf_without_a_word():
    net = gn.Network([1, 2, 1], output_activation="linear", dtype="float64", seed=0)
    net.params["W1"] = np.array([[1e10], [-1e10]])
    X, Y = np.array([[1e300, -1e300]]), np.zeros((1, 2))
    with pytest.warns(gn.NonFiniteWarning, match="A\\[L\\]"):
        net.forward(X)
    with pytest.warns(gn.NonFiniteWarning, match="cost"):
        net.cost(X, Y)
    with pytest.warns(gn.NonFiniteWarning, match="evaluate"):
        net.evaluate(X, Y)


def test_a_gradient_check_that_overflows_raises_instead_of_reporting_nan():
    net = gn.Network([1, 2, 1], output_activation="linear", dtype="float64", seed=0)
    with pytest.raises(gn.NonFiniteError):
        gn.gradient_check(net, np.array([[1e300, -1e300]]), np.zeros((1, 2)))


def test_gradients_of_1e200_are_compared_without_overflowing_the_norms():
    report = gn.check_gradients(lambda t: 1e200 * float(t @ t) / 2, lambda t: 1e200 * t, np.array([1.0, 2.0]),
                                epsilon=1e-4)
    assert np.isfinite(report.difference) and report.passed


@pytest.mark.parametrize("theta", [np.array(["1"] * 9), np.array([1 + 2j] * 9), np.array([None] * 9), [[1, 2], [3]]])
def test_vector_to_parameters_refuses_what_is_not_real_numbers(theta):
    """Text, complex numbers, objects and ragged lists: a glassnet error naming theta, not NumPy's TypeError."""
    net = gn.Network([2, 2, 1], seed=0)
    before = net.parameters_to_vector()
    with pytest.raises(gn.GlassnetError, match="theta"):
        net.vector_to_parameters(theta)
    np.testing.assert_array_equal(net.parameters_to_vector(), before)
