"""Network behaviours that the mutation run of network.py found untested by the core tests (bench/README.md).

Each test checks what a user sees: the training step drops units, a large evaluation sums every batch,
a model rebuilt from its config is the same model, a copy in another dtype keeps the weights, an overflow
is said once with the right advice, and the constructor's refusals name the argument and its hint.
"""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import NonFiniteWarning


def data(m=64, n_x=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    return X, (X[:1] + X[1:2] > 0).astype(np.int64)


def test_the_training_step_drops_units_and_batch_cost_does_not():
    X, Y = data()
    net = gn.Network([3, 50, 1], keep_prob=[1.0, 0.5], seed=0, dtype="float64")
    A0 = net.input_pipeline(X)
    clean = net.batch_cost(A0, Y).cost
    assert net.batch_cost(A0, Y).cost == clean  # no dropout: the same cost each time
    dropped = [net.train_step(A0, Y).cost for _ in range(3)]
    assert all(J != clean for J in dropped) and len(set(dropped)) == 3  # fresh masks each step
    # the training step's gradient is the dropped network's: the same as cost_and_gradients(training=True)
    with net.fixed_dropout_masks():
        J, grads = net.cost_and_gradients(X, Y, training=True)
        step = net.train_step(A0, Y)
        np.testing.assert_allclose(step.cost + net.l2_cost(64), J)
        np.testing.assert_allclose(net.dtheta[: 150], grads["dW1"].ravel())


def test_the_training_step_leaves_its_result_valid_until_the_next_step():
    X, Y = data()
    net = gn.Network([3, 4, 1], seed=0, dtype="float64")
    A0 = net.input_pipeline(X)
    first = net.train_step(A0, Y)
    kept = first.AL.copy()
    net.train_step(A0[:, :32], Y[:, :32])  # another batch size: other buffers
    np.testing.assert_array_equal(first.AL, kept)


def test_batch_cost_with_l2_and_weights_is_the_cost():
    X, Y = data()
    w = np.linspace(0.5, 2.0, 64).reshape(1, -1)
    net = gn.Network([3, 4, 1], l2=0.3, seed=0, dtype="float64")
    A0 = net.input_pipeline(X)
    assert net.batch_cost(A0, Y, w, with_l2=True).cost == pytest.approx(net.cost(X, Y, sample_weight=w))
    unweighted = net.batch_cost(A0, Y, with_l2=True).cost
    assert unweighted == pytest.approx(net.cost(X, Y)) and unweighted != pytest.approx(net.cost(X, Y, w))
    data_only = net.batch_cost(A0, Y, w).cost
    assert data_only == pytest.approx(net.cost(X, Y, w) - net.l2_cost(float(w.sum())))


@pytest.mark.parametrize("output", ["softmax", "linear"])
def test_evaluate_sums_every_batch(output):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 9000))
    Y = rng.integers(0, 3, (1, 9000)) if output == "softmax" else rng.standard_normal((1, 9000))
    net = gn.Network([2, 5, 3 if output == "softmax" else 1], output_activation=output, seed=0, dtype="float64")
    whole = net.evaluate(X, Y, batch_size=9000)
    for batch in (4096, 1000):  # 9000 examples in 3 and 9 batches
        parts = net.evaluate(X, Y, batch_size=batch)
        assert parts == pytest.approx(whole, rel=1e-12)


def test_evaluate_reports_regression_in_the_targets_units():
    X, _ = data(m=200)
    Y = 300.0 + 40.0 * X[:1]
    net = gn.Network([3, 1], output_activation="linear", seed=0, dtype="float64")
    net.fit(X, Y, epochs=30, standardize_targets=True, seed=0)
    result = net.evaluate(X, Y)
    residual = net.predict(X) - Y
    assert result["rmse"] == pytest.approx(float(np.sqrt(np.mean(residual ** 2))))
    assert result["cost"] == pytest.approx(float(np.mean(residual ** 2) / 2))


def test_a_network_rebuilt_from_its_config_is_the_same_architecture():
    net = gn.Network([3, 6, 2], activations=[gn.LeakyReLU(0.2), "softmax"], initializer="xavier", init_scale=0.5,
                     keep_prob=[0.9, 0.7], l2=0.25, dtype="float32", seed=3)
    again = gn.Network.from_config(net.config(), seed=3)
    assert again.config() == net.config()
    assert (again.init_scale, again.l2, again.keep_prob, again.dtype) == (0.5, 0.25, [0.9, 0.7], np.float32)
    np.testing.assert_array_equal(again.parameters_to_vector(), net.parameters_to_vector())  # same seed, same draw
    assert gn.Network.from_config(net.config()).seed is None


def test_a_copy_in_another_dtype_keeps_the_weights_and_a_same_dtype_copy_is_independent():
    net = gn.Network([3, 4, 1], seed=0, dtype="float64")
    single = net.copy(dtype="float32")
    assert single.dtype == np.float32 and single.theta.dtype == np.float32
    np.testing.assert_array_equal(single.parameters_to_vector(), net.parameters_to_vector().astype(np.float32))
    same = net.copy(dtype="float64")
    same.theta[:] += 1.0
    assert not np.shares_memory(same.theta, net.theta) and same.dtype == net.dtype


def test_an_overflow_is_said_once_with_the_advice_that_fits_the_dtype():
    X, Y = data()
    for dtype, advice in (("float32", True), ("float64", False)):
        net = gn.Network([3, 4, 1], output_activation="linear", seed=0, dtype=dtype)
        net.params["W1"] = np.full((4, 3), 1e30 if dtype == "float32" else 1e300)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            net.forward(X * 1e8)
        said = [w for w in caught if issubclass(w.category, NonFiniteWarning)]
        assert len(said) == 1 and ("dtype='float64'" in str(said[0].message)) == advice
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.Network([3, 4, 1], seed=0).forward(X)  # finite: nothing said


def test_the_constructor_keeps_its_seed_and_names_what_it_refuses():
    assert gn.Network([2, 1], seed=7).seed == 7
    defaults = gn.Network([2, 3, 1])
    assert [a.name for a in defaults.activations] == ["relu", "sigmoid"] and defaults.initializer == "he"
    with pytest.raises(gn.HyperparameterError, match=r"init_scale must be a number in \[0.0, inf\)"):
        gn.Network([2, 1], init_scale=-1.0)
    with pytest.raises(gn.HyperparameterError, match="l2 = 0 turns the L2 term off"):
        gn.Network([2, 1], l2=-1.0)
    with pytest.raises(gn.HyperparameterError, match=r"input_scale must be a number in \(0.0, inf\).*divided by it"):
        gn.Network([2, 1], input_scale=0.5 - 0.5)
    assert gn.Network([2, 1], input_scale=0.5).input_scale == 0.5  # below 1 is fine
    with pytest.raises(gn.HyperparameterError, match=r"class_names needs 2 names \(the network's classes\)"):
        gn.Network([2, 1], class_names=["a", "b", "c"])
    with pytest.raises(gn.HyperparameterError, match="init_scale=1e\\+300"):
        gn.Network([2, 3, 1], init_scale=1e300)  # checked with the scale before allocating


def test_repr_names_every_activation():
    text = repr(gn.Network([2, 3, 4, 1], activations=["tanh", "relu", "sigmoid"]))
    assert "activations=[tanh, relu, sigmoid]" in text


def test_vector_to_parameters_casts_to_the_networks_dtype():
    net = gn.Network([2, 3, 1], seed=0, dtype="float32")
    theta = np.full(net.n_params, 1e39)  # finite in float64, infinite in float32: refused, not set to inf
    with pytest.raises(gn.GlassnetError, match="float32"):
        net.vector_to_parameters(theta)
    net.vector_to_parameters(np.arange(net.n_params, dtype=np.float64) / 7)
    np.testing.assert_array_equal(net.theta, (np.arange(net.n_params) / 7).astype(np.float32))


def test_pickling_keeps_no_views_and_rebinds_them():
    import pickle

    net = gn.Network([2, 3, 1], seed=0)
    state = net.__getstate__()
    assert not {"layers", "_params", "_grads"} & set(state)
    again = pickle.loads(pickle.dumps(net))
    again.theta[:] = 0.0
    assert float(np.abs(again.params["W1"]).sum()) == 0.0 and float(np.abs(again.layers[0].W).sum()) == 0.0


# ---------------------------------------------------------------------------------- the second pass (survivors of
# the full run of network.py; the ones that cannot change behaviour are in bench/mutation-equivalent.txt)

def test_the_hints_of_the_constructors_refusals_are_said_whole():
    # the whole message: the argument, the range, the value received, and how to fix it
    with pytest.raises(gn.HyperparameterError) as refused:
        gn.Network([2, 1], l2=-1.0)
    assert str(refused.value) == "l2 must be a number in [0.0, inf), got -1.0; l2 = 0 turns the L2 term off"
    with pytest.raises(gn.HyperparameterError) as refused:
        gn.Network([2, 1], input_scale=0.0)
    assert str(refused.value) == ("input_scale must be a number in (0.0, inf), got 0.0; "
                                  "raw inputs are divided by it, e.g. 255")


def test_an_l2_whose_gradient_term_overflows_the_dtype_is_refused_by_the_constructor():
    with pytest.raises(gn.HyperparameterError, match=r"l2=1e\+20 is too large for float32.*usual values are 0 to 10"):
        gn.Network([2, 1], l2=1e20, dtype="float32")
    assert gn.Network([2, 1], l2=1e20, dtype="float64").l2 == 1e20  # below float64's ceiling


def test_the_overflow_warning_is_said_in_full_for_each_dtype():
    X, _ = data()
    for dtype, wider in (("float32", " or use dtype='float64'"), ("float64", "")):
        net = gn.Network([3, 4, 1], output_activation="linear", seed=0, dtype=dtype)
        net.params["W1"] = np.full((4, 3), 1e30 if dtype == "float32" else 1e300)
        with pytest.warns(NonFiniteWarning) as caught:
            net.forward(X * 1e8)
        assert str(caught[0].message) == (
            f"the output A[L] holds NaN or infinite values: the inputs or the weights are too large for {dtype} "
            f"(standardize the inputs, check the weights{wider})")


def _under_mutmut() -> bool:
    # mutmut runs the tests on its copy under mutants/, through trampolines that add frames to every call
    import pathlib

    return "mutants" in pathlib.Path(gn.network.__file__).parts


@pytest.mark.skipif(_under_mutmut(), reason="mutmut's trampolines add frames: stacklevel cannot be checked there")
def test_the_overflow_warning_points_at_the_callers_line():
    X, _ = data()
    net = gn.Network([3, 4, 1], output_activation="linear", seed=0, dtype="float32")
    net.params["W1"] = np.full((4, 3), 1e30)
    with pytest.warns(NonFiniteWarning) as caught:
        net.forward(X * 1e8)
    assert caught[0].filename == __file__


def test_forward_returns_the_callers_array_not_one_the_next_call_overwrites():
    X, _ = data()
    net = gn.Network([3, 4, 1], seed=0, dtype="float64")
    first = net.forward(X)
    kept = first.copy()
    net.forward(-X)  # the same batch size, other values
    np.testing.assert_array_equal(first, kept)


def test_backward_leaves_each_layers_dz_as_that_pass_computed_it():
    # Dense.dZ is read by diagnostics: one kept from a backward pass is not overwritten by the next pass
    X, Y = data()
    net = gn.Network([3, 4, 4, 1], seed=0, dtype="float64")
    net.forward(X)
    net.backward(Y)
    first = [layer.dZ for layer in net.layers]
    kept = [dZ.copy() for dZ in first]
    net.forward(-X)
    net.backward(1 - Y)
    for dZ, copy in zip(first, kept, strict=True):
        np.testing.assert_array_equal(dZ, copy)


def _allocated_during(call) -> int:
    """The most memory (bytes) NumPy and Python held at once during call(), above what was held before it."""
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        call()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_the_training_step_allocates_no_layer_sized_array_once_the_batch_size_is_known():
    # the fit loop's point of the reused buffers (layers.Dense._buffer): Z, A and dA_prev of a
    # (300, 256) hidden layer are 614 kB each in float64; a step writes into the ones of its batch size
    X, Y = data(m=256, n_x=20)
    net = gn.Network([20, 300, 1], seed=0, dtype="float64")
    A0 = net.input_pipeline(X)
    net.train_step(A0, Y)  # the first step of this batch size allocates them
    assert _allocated_during(lambda: net.train_step(A0, Y)) < 200_000
    assert _allocated_during(lambda: net.train_step(A0[:, :128], Y[:, :128])) > 300_000  # a new size: new arrays


def test_backward_does_not_compute_the_gradient_of_the_inputs():
    # dA[0] = W1^T dZ1 is an (n_x, m) product no one reads: with 500 inputs and m = 200, 800 kB per pass
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 200))
    net = gn.Network([500, 2, 1], seed=0, dtype="float64")
    net.forward(X)
    Y = np.ones((1, 200))
    net.backward(Y)
    assert _allocated_during(lambda: net.backward(Y)) < 200_000
    assert net.layers[0].dZ is not None  # the first layer's own gradients are computed


def test_a_copy_without_a_dtype_keeps_the_networks_dtype():
    for dtype in ("float32", "float64"):
        net = gn.Network([3, 4, 1], seed=0, dtype=dtype)
        twin = net.copy()
        assert twin.dtype == net.dtype and twin.theta.dtype == net.dtype
        np.testing.assert_array_equal(twin.theta, net.theta)



def test_from_config_keeps_a_dtype_other_than_the_default():
    net = gn.Network([3, 4, 1], seed=0, dtype="float64")  # the default is float32: a config without dtype would be
    again = gn.Network.from_config(net.config(), seed=0)
    assert again.dtype == np.float64 and again.theta.dtype == np.float64
    np.testing.assert_array_equal(again.theta, net.theta)
