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
