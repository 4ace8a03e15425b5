"""Tests that kill the mutants mutmut found surviving in the core (python -m bench.mutation; bench/README.md,
"Mutation score"). Each test names the behaviour a surviving mutant changed; the mutants that cannot change
behaviour are listed, with the reason, in bench/mutation-equivalent.txt.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations, kernels, losses, notes
from glassnet.data import preprocessing
from glassnet.errors import LabelError
from glassnet.gradcheck import check
from glassnet.layers import Dense

# ----------------------------------------------------------------------------------------------- optimizers


def _problem(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((3, m))
    Y = (X[:1] + 0.5 * X[1:2] > 0).astype(float)
    return X, Y


@pytest.mark.parametrize("make", [lambda: gn.Adam(0.01), lambda: gn.Momentum(0.05), lambda: gn.RMSprop(0.01)],
                         ids=["adam", "momentum", "rmsprop"])
def test_a_second_fit_continues_the_optimizers_state(make):
    """fit twice for 3 epochs with one optimizer == fit once for 6: the second fit keeps Adam's/Momentum's state."""
    X, Y = _problem()
    once, twice = (gn.Network([3, 4, 1], seed=1) for _ in range(2))
    opt_once, opt_twice = make(), make()
    kw = dict(batch_size=None, schedule="constant", verbose=0)
    once.fit(X, Y, epochs=6, optimizer=opt_once, **kw)
    twice.fit(X, Y, epochs=3, optimizer=opt_twice, **kw)
    twice.fit(X, Y, epochs=3, optimizer=opt_twice, **kw)
    assert opt_twice.t == opt_once.t == 6
    np.testing.assert_array_equal(twice.parameters_to_vector(), once.parameters_to_vector())


def test_an_optimizer_is_reattached_only_when_the_network_changes():
    opt = gn.Adam(0.01)
    opt.attach({"W1": (2, 3), "b1": (2, 1)})
    assert opt.is_attached_to({"W1": (2, 3), "b1": (2, 1)}, np.float64)
    assert not opt.is_attached_to({"W1": (2, 3), "b1": (3, 1)}, np.float64)
    assert not opt.is_attached_to({"W1": (2, 3)}, np.float64)
    assert not opt.is_attached_to({"W1": (2, 3), "b1": (2, 1)}, np.float32)
    assert gn.GradientDescent(0.1).is_attached_to({"W1": (2, 3)}, np.float64)  # no state: always


# ----------------------------------------------------------------------------------------------- losses


def test_softmax_cross_entropy_of_large_logits_is_finite_and_right():
    """Logits of 1 000: the shift by each column's max keeps exp from overflowing."""
    Z = np.array([[1000.0, -1000.0, 0.0], [999.0, 1000.0, 0.0], [0.0, 0.0, 0.0]])
    Y = np.eye(3)[:, [0, 1, 2]]
    loss = losses.SoftmaxCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per_example = loss.example_losses(Z, None, Y)
        per_label = loss.example_losses(Z, None, np.array([[0, 1, 2]]))
    expected = [math.log1p(math.exp(-1.0)), 0.0, math.log(3.0)]
    np.testing.assert_allclose(per_example, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(per_label, expected, rtol=1e-12, atol=1e-300)


def test_the_one_hot_check_runs_for_a_single_example():
    loss = losses.SoftmaxCrossEntropy()
    with pytest.raises(LabelError):
        loss.check_targets(np.array([[0.5], [0.0], [0.0]]), 3, 1, np.float64)
    np.testing.assert_array_equal(loss.check_targets(np.array([[0.0], [1.0], [0.0]]), 3, 1, np.float64),
                                  [[0.0], [1.0], [0.0]])


# ----------------------------------------------------------------------------------------------- gradcheck


def test_norm_edge_cases():
    assert check.norm(np.zeros(4)) == 0.0
    assert check.norm(np.array([])) == 0.0
    assert check.norm(np.array([1.0, -np.inf])) == math.inf
    assert check.norm(np.array([3.0, -4.0])) == 5.0  # not s·‖v‖ = 20
    assert check.norm(np.array([3e-200, 4e-200])) == pytest.approx(5e-200, rel=1e-14)  # not max|v|
    assert check.norm(np.array([3e200, 4e200])) == pytest.approx(5e200, rel=1e-14)  # no overflow


def test_a_one_sided_difference_on_an_array_theta():
    f = lambda t: float(np.sum(t**3))  # noqa: E731
    theta = np.array([[1.0, 2.0]])
    one = check.numerical_derivative(f, theta, epsilon=0.01, two_sided=False)
    two = check.numerical_derivative(f, theta, epsilon=0.01)
    assert one.shape == theta.shape
    # (θ+ε)³ − θ³ over ε = 3θ² + 3θε + ε²
    np.testing.assert_allclose(one, [[3 + 0.03 + 1e-4, 12 + 0.06 + 1e-4]], rtol=1e-9)
    np.testing.assert_allclose(two, [[3 + 1e-4, 12 + 1e-4]], rtol=1e-9)
    np.testing.assert_array_equal(theta, [[1.0, 2.0]])  # θ restored


def test_a_list_or_0d_theta_takes_the_array_branch():
    f = lambda t: float(np.sum(np.asarray(t) ** 2))  # noqa: E731
    from_list = check.numerical_derivative(f, [1.0, 2.0], epsilon=1e-3)
    assert isinstance(from_list, np.ndarray) and from_list.shape == (2,)
    np.testing.assert_allclose(from_list, [2.0, 4.0], rtol=1e-9)
    zero_d = check.numerical_derivative(f, np.array(1.5), epsilon=1e-3)
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == ()
    assert float(zero_d) == pytest.approx(3.0, rel=1e-9)
    scalar = check.numerical_derivative(lambda t: t**3, 1.0, epsilon=0.01, two_sided=False)
    assert isinstance(scalar, float) and scalar == pytest.approx(3.0301, rel=1e-12)


# ----------------------------------------------------------------------------------------------- activations

@pytest.mark.parametrize("in_place", [False, True])
def test_relus_numpy_fallback_takes_g_prime_of_0_as_the_notes_do(monkeypatch, in_place):
    """The NumPy line of ReLU's backward (GLASSNET_PURE_NUMPY=1, or no compiler: ``kernels.compiled`` is None)
    against the notes' rule dZ = dA * g'(Z), at Z == 0 too (the notes and glassnet take g'(0) = 0)."""
    monkeypatch.setattr(kernels, "compiled", None)
    Z = np.array([[-1.0, 0.0, 2.0], [0.0, -0.0, 3.0]])
    dA = np.array([[5.0, 6.0, 7.0], [8.0, 9.0, 10.0]])
    expected = dA * notes.g_prime(Z, "relu")
    d = dA.copy()
    got = activations.ReLU().backward(d, Z, np.maximum(Z, 0), out=d if in_place else None)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(expected, [[0.0, 0.0, 7.0], [0.0, 0.0, 10.0]])


_ALL_ACTIVATIONS = [activations.Sigmoid(), activations.Tanh(), activations.ReLU(), activations.LeakyReLU(0.2),
                    activations.Linear(), activations.Softmax()]


@pytest.mark.parametrize("act", _ALL_ACTIVATIONS, ids=lambda a: a.name)
def test_each_activation_against_the_notes_g_and_g_prime(act):
    """forward, __call__, derivative (the diagonal for softmax) and backward against the notes' formulas, with
    and without ``out``; backward's dZ also against a finite difference of sum(dA * g(Z))."""
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((4, 5))
    Z[0, 0] = 0.0
    name = ("leaky_relu", 0.2) if act.name == "leaky_relu" else act.name
    A = notes.g(Z, name)
    np.testing.assert_allclose(act.forward(Z), A, rtol=1e-13)
    np.testing.assert_allclose(act(Z), A, rtol=1e-13)
    out = np.empty_like(Z)
    if act.name != "linear":
        assert act.forward(Z, out=out) is out
        np.testing.assert_allclose(out, A, rtol=1e-13)
    d = act.derivative(Z)
    assert d.dtype == Z.dtype and d.shape == Z.shape
    if act.name == "softmax":
        np.testing.assert_allclose(d, A * (1 - A), rtol=1e-13)
    else:
        np.testing.assert_allclose(d, notes.g_prime(Z, name), rtol=1e-13)
    dA = rng.standard_normal(Z.shape)
    numeric = check.numerical_derivative(lambda z: float(np.sum(dA * notes.g(z, name))), Z, epsilon=1e-6)
    mask = np.abs(Z) > 1e-4  # away from the kink of relu / leaky_relu
    dZ = act.backward(dA.copy(), Z, A.copy())
    np.testing.assert_allclose(dZ[mask], numeric[mask], rtol=1e-6, atol=1e-8)
    out = np.empty_like(Z)
    got = act.backward(dA.copy(), Z, A.copy(), out=out)
    if act.name != "linear":
        assert got is out
    np.testing.assert_allclose(got, dZ, rtol=1e-13)


def test_activation_equality_hash_repr_and_config():
    assert activations.LeakyReLU(0.2) == activations.LeakyReLU(0.2)
    assert activations.LeakyReLU(0.2) != activations.LeakyReLU(0.3)
    assert activations.ReLU() != activations.Linear()
    assert activations.ReLU() != "relu"
    assert activations.ReLU() == activations.ReLU()
    assert hash(activations.LeakyReLU(0.2)) == hash(activations.LeakyReLU(0.2))
    assert len({activations.ReLU(), activations.ReLU(), activations.Tanh()}) == 2
    assert hash(activations.ReLU()) == hash((activations.ReLU, (("name", "relu"),)))
    assert repr(activations.Tanh()) == "Tanh()"
    assert repr(activations.LeakyReLU(0.2)) == "LeakyReLU(alpha=0.2)"
    assert activations.LeakyReLU(0.2).config() == {"name": "leaky_relu", "alpha": 0.2}
    assert activations.Softmax().config() == {"name": "softmax"}
    assert activations.get_activation({"name": "leaky_relu", "alpha": 0.3}) == activations.LeakyReLU(0.3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_derivative_keeps_the_dtype(dtype):
    Z = np.array([[-1.0, 0.0, 2.0]], dtype=dtype)
    d = activations.ReLU().derivative(Z)
    assert d.dtype == dtype
    np.testing.assert_array_equal(d, [[0, 0, 1]])
    assert activations.LeakyReLU(0.25).derivative(Z).dtype == dtype


# ----------------------------------------------------------------------------------------------- layers


def _dense(keep_prob=None, activation=None):
    rng = np.random.default_rng(5)
    act = activation or activations.Tanh()
    layer = Dense(3, 2, act) if keep_prob is None else Dense(3, 2, act, keep_prob=keep_prob)
    W, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
    layer.bind(W, b, np.empty_like(W), np.empty_like(b))
    return layer, rng


def test_a_dense_layer_with_its_own_defaults_keeps_every_unit_and_adds_no_l2():
    layer, rng = _dense()
    assert layer.keep_prob == 1.0 and not layer.drops
    A_prev = rng.standard_normal((3, 4))
    A = layer.forward(A_prev, training=True, rng=np.random.default_rng(0))
    assert not layer.mask_applied and layer.D is None
    Z = layer.W @ A_prev + layer.b
    np.testing.assert_allclose(A, np.tanh(Z), rtol=1e-13)
    np.testing.assert_array_equal(layer.cache.A_prev, A_prev)
    dA = rng.standard_normal((2, 4))
    dA_prev = layer.backward(dA.copy(), m=4)  # l2 left at its default: no L2 term
    dZ = dA * (1 - np.tanh(Z) ** 2)
    np.testing.assert_allclose(layer.dW, dZ @ A_prev.T, rtol=1e-12)
    np.testing.assert_allclose(layer.db, dZ.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(dA_prev, layer.W.T @ dZ, rtol=1e-12)
    np.testing.assert_allclose(layer.dZ, dZ, rtol=1e-12)
    assert layer.backward(dA.copy(), m=4, need_dA_prev=False) is None


def test_a_dense_layers_l2_term_and_dropout_mask():
    layer, rng = _dense(keep_prob=0.5, activation=activations.Linear())
    assert layer.drops
    A_prev = rng.standard_normal((3, 6))
    layer.forward(A_prev, training=True, rng=np.random.default_rng(1))
    D = layer.D
    assert layer.mask_applied and D.shape == A_prev.shape and D.dtype == bool and 0 < D.sum() < D.size
    np.testing.assert_allclose(layer.cache.A_prev, A_prev * D / 0.5, rtol=1e-13)
    layer.forward(A_prev, training=True, rng=np.random.default_rng(2), reuse_mask=True)
    assert layer.D is D  # the same mask again
    dA = rng.standard_normal((2, 6))
    dA_prev = layer.backward(dA.copy(), m=6, l2=0.3)
    np.testing.assert_allclose(layer.dW, dA @ layer.cache.A_prev.T + (0.3 / 6) * layer.W, rtol=1e-12)
    np.testing.assert_allclose(dA_prev, (layer.W.T @ dA) * D / 0.5, rtol=1e-12)
    A = layer.forward(A_prev, training=False, rng=np.random.default_rng(1))
    assert not layer.mask_applied
    np.testing.assert_allclose(A, layer.W @ A_prev + layer.b, rtol=1e-13)


def test_a_dense_layers_reused_buffers_hold_the_same_numbers():
    layer, rng = _dense(activation=activations.ReLU())
    A_prev = rng.standard_normal((3, 5))
    fresh = layer.forward(A_prev, training=False, rng=None).copy()
    first = layer.forward(A_prev, training=False, rng=None, reuse_buffers=True)
    again = layer.forward(A_prev, training=False, rng=None, reuse_buffers=True)
    assert again is first and first.shape == (2, 5)
    np.testing.assert_array_equal(first, fresh)
    dA = rng.standard_normal((2, 5))
    plain = layer.backward(dA.copy(), m=5).copy()
    reused = layer.backward(dA.copy(), m=5, reuse_buffers=True)
    assert reused.shape == (3, 5)
    np.testing.assert_array_equal(reused, plain)
    assert layer.backward(dA.copy(), m=5, reuse_buffers=True) is reused
    f32 = layer.forward(A_prev.astype(np.float32), training=False, rng=None, reuse_buffers=True)
    assert f32.dtype == np.float32


# ----------------------------------------------------------------------------------------------- notes


@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear"])
def test_notes_compute_cost_with_l2_but_no_parameters_is_the_plain_cost(output):
    AL = np.array([[0.2, 0.7], [0.8, 0.3]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    plain = notes.compute_cost(AL, Y, output=output)
    assert notes.compute_cost(AL, Y, None, 0.7, output=output) == plain
    W1, W2 = np.array([[1.0, 2.0]]), np.array([[3.0], [-1.0]])
    params = {"W1": W1, "b1": np.zeros((1, 1)), "W2": W2, "b2": np.zeros((2, 1))}
    assert notes.compute_cost(AL, Y, params, 0.0, output=output) == plain
    with_l2 = notes.compute_cost(AL, Y, params, 0.7, output=output)
    assert with_l2 == pytest.approx(plain + 0.7 / (2 * 2) * (1 + 4 + 9 + 1), rel=1e-13)
    expected = {"sigmoid": -np.mean(np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), axis=0)),
                "softmax": -np.mean(np.sum(Y * np.log(AL), axis=0)),
                "linear": np.sum((AL - Y) ** 2) / (2 * 2)}[output]
    assert plain == pytest.approx(expected, rel=1e-13)


# ----------------------------------------------------------------------------------------------- preprocessing


@pytest.mark.parametrize("Y", [
    np.array([[1, 0, 1, 0, 1, 0], [1, 1, 0, 1, 0, 1]]),  # multi-hot: a column with two 1s
    np.array([[0, 0, 1, 0, 1, 0], [0, 1, 0, 1, 0, 1]]),  # a column with no 1
    np.array([[0.5, 0, 1, 0, 1, 0], [0.5, 1, 0, 1, 0, 1]]),  # not 0/1
], ids=["multi-hot", "all-zero", "fractions"])
def test_stratify_refuses_y_that_is_not_one_hot(Y):
    X = np.arange(12.0).reshape(2, 6)
    with pytest.raises(LabelError):
        preprocessing.train_test_split(X, Y, test=2, stratify=True, seed=0)


# ----------------------------------------------------------------------------------------------- optimizers, by hand


def _reference_steps(name, hp, W, grads, lr):
    """The notes' update rules, written out plainly (no folding of Adam's corrections)."""
    W = W.copy()
    v = np.zeros_like(W)
    s = np.zeros_like(W)
    for t, g in enumerate(grads, 1):
        if name == "gd":
            W = W - lr * g
        elif name == "momentum":
            v = hp["beta"] * v + (1 - hp["beta"]) * g
            W = W - lr * v
        elif name == "rmsprop":
            s = hp["beta"] * s + (1 - hp["beta"]) * g * g
            W = W - lr * g / (np.sqrt(s) + hp["epsilon"])
        else:
            v = hp["beta1"] * v + (1 - hp["beta1"]) * g
            s = hp["beta2"] * s + (1 - hp["beta2"]) * g * g
            v_hat, s_hat = v / (1 - hp["beta1"] ** t), s / (1 - hp["beta2"] ** t)
            W = W - lr * v_hat / (np.sqrt(s_hat) + hp["epsilon"])
    return W


_HYPER = {"gd": {}, "momentum": {"beta": 0.7}, "rmsprop": {"beta": 0.8, "epsilon": 1e-3},
          "adam": {"beta1": 0.8, "beta2": 0.95, "epsilon": 1e-3}}
_CLASSES = {"gd": gn.GradientDescent, "momentum": gn.Momentum, "rmsprop": gn.RMSprop, "adam": gn.Adam}


@pytest.mark.parametrize("compiled", [True, False], ids=["kernels", "numpy"])
@pytest.mark.parametrize("name", list(_HYPER))
def test_each_optimizer_step_and_update_follow_the_rules(name, compiled, monkeypatch):
    if not compiled:
        monkeypatch.setattr(kernels, "compiled", None)
    rng = np.random.default_rng(4)
    W0 = rng.standard_normal(6)
    grads = [rng.standard_normal(6) for _ in range(3)]
    hp = _HYPER[name]
    expected = _reference_steps(name, hp, W0, grads, 0.05)
    opt = _CLASSES[name](0.05, **hp)
    opt.attach({"W1": (2, 2), "b1": (2, 1)})
    theta = W0.copy()
    for g in grads:
        opt.step(theta, g)
    assert opt.t == 3
    np.testing.assert_allclose(theta, expected, rtol=1e-11)
    # the notes' dict form, and a learning rate given per call
    opt2 = _CLASSES[name](0.9, **hp)
    params = {"W1": W0[:4].reshape(2, 2).copy(), "b1": W0[4:].reshape(2, 1).copy()}
    for g in grads:
        opt2.update(params, {"dW1": g[:4].reshape(2, 2), "db1": g[4:].reshape(2, 1)}, learning_rate=0.05)
    assert opt2.t == 3
    np.testing.assert_allclose(np.concatenate([params["W1"].ravel(), params["b1"].ravel()]), expected, rtol=1e-11)
    theta3 = W0.copy()
    opt3 = _CLASSES[name](0.9, **hp)
    opt3.attach({"W1": (6,)})
    for g in grads:
        opt3.step(theta3, g, learning_rate=0.05)
    np.testing.assert_allclose(theta3, expected, rtol=1e-11)


def test_optimizer_defaults_config_repr_and_state():
    assert gn.GradientDescent().learning_rate == 0.01 and gn.Momentum().learning_rate == 0.01
    assert gn.RMSprop().learning_rate == 0.001 and gn.Adam().learning_rate == 0.001
    assert gn.Momentum().beta == 0.9
    r = gn.RMSprop()
    assert (r.beta, r.epsilon) == (0.9, 1e-8)
    a = gn.Adam()
    assert (a.beta1, a.beta2, a.epsilon) == (0.9, 0.999, 1e-8)
    assert gn.Adam(0.01).config() == {"name": "adam", "learning_rate": 0.01, "beta1": 0.9, "beta2": 0.999,
                                      "epsilon": 1e-8}
    assert gn.Momentum(0.1, beta=0.5).config() == {"name": "momentum", "learning_rate": 0.1, "beta": 0.5}
    assert gn.RMSprop(0.1).config() == {"name": "rmsprop", "learning_rate": 0.1, "beta": 0.9, "epsilon": 1e-8}
    assert gn.GradientDescent(0.1).config() == {"name": "gd", "learning_rate": 0.1}
    assert repr(gn.Momentum(0.1, beta=0.5)) == "Momentum(learning_rate=0.1, beta=0.5)"
    opt = gn.Adam(0.01)
    opt.attach({"W1": (2, 1), "b1": (2, 1)}, dtype=np.float32)
    assert opt.t == 0 and set(opt.state_arrays()) == {"v", "s"}
    assert opt.state_arrays()["v"].dtype == np.float32 and opt.state_arrays()["v"].shape == (4,)
    assert opt.state["b1"]["s"].shape == (2, 1)
    opt.load_state({"v": np.arange(4.0), "s": np.ones(4)}, t=7)
    assert opt.t == 7
    np.testing.assert_array_equal(opt.state["W1"]["v"], [[0.0], [1.0]])
    np.testing.assert_array_equal(opt.state["b1"]["v"], [[2.0], [3.0]])
    import pickle

    back = pickle.loads(pickle.dumps(opt))
    np.testing.assert_array_equal(back.state["b1"]["v"], [[2.0], [3.0]])
    assert back.t == 7
    assert optimizers_get("adam", 0.5).learning_rate == 0.5
    same = gn.Momentum(0.1)
    assert optimizers_get(same, 0.3) is same and same.learning_rate == 0.3
    assert optimizers_get(same).learning_rate == 0.3
    assert isinstance(optimizers_get("sgd"), gn.GradientDescent)


def optimizers_get(spec, lr=None):
    from glassnet.optimizers import get_optimizer

    return get_optimizer(spec, lr)


def test_schedules_by_hand():
    from glassnet import optimizers as o

    assert o.get_schedule(None)(0.1, 5) == 0.1 and isinstance(o.get_schedule(None), o.Constant)
    assert o.InverseTimeDecay(0.5)(0.1, 4) == pytest.approx(0.1 / 3)
    assert o.InverseTimeDecay()(0.1, 1) == pytest.approx(0.05)
    assert o.ExponentialDecay(0.5)(0.1, 3) == pytest.approx(0.0125)
    assert o.ExponentialDecay()(1.0, 2) == pytest.approx(0.95**2)
    assert o.StepDecay(3, 0.1)(1.0, 5) == pytest.approx(0.1) and o.StepDecay(3, 0.1)(1.0, 6) == pytest.approx(0.01)
    assert o.StepDecay()(1.0, 10) == pytest.approx(0.5) and o.StepDecay()(1.0, 9) == 1.0
    c = o.CosineDecay(0.1)
    assert c(2.0, 3) == 2.0  # not planned: α0
    c.planned(4)
    assert c(2.0, 0) == pytest.approx(2.0) and c(2.0, 4) == pytest.approx(0.2) and c(2.0, 9) == pytest.approx(0.2)
    assert c(2.0, 2) == pytest.approx(0.2 + 1.8 * 0.5)
    assert o.CosineDecay()(1.0, 1) == 1.0 and o.CosineDecay().planned(2)(1.0, 2) == pytest.approx(0.0)
    assert c.config() == {"name": "cosine", "final_fraction": 0.1} and repr(c) == "CosineDecay(final_fraction=0.1)"
    assert o.StepDecay(3, 0.1).config() == {"name": "step", "step_size": 3, "factor": 0.1}
    assert repr(o.ExponentialDecay(0.5)) == "ExponentialDecay(rate=0.5)"
    assert o.Constant().planned(3)(0.2, 7) == 0.2


# ----------------------------------------------------------------------------------------------- validation of
# the constructors: each bound, and the name and hint in the message


def _refused(make, name, hint=None):
    """make() raises a glassnet error whose message names ``name`` as written (and holds ``hint``)."""
    with pytest.raises(gn.GlassnetError) as caught:
        make()
    text = str(caught.value)
    assert re.search(rf"(^|[^\w]){re.escape(name)}([^\w]|$)", text) and "XX" not in text, (name, text)
    if hint is not None:
        assert hint in text, (hint, text)


def test_hyperparameters_are_checked_at_each_bound():
    from glassnet import optimizers as o

    _refused(lambda: gn.Adam(0.0), "learning_rate", "typical values: 0.1 to 1e-4")
    _refused(lambda: gn.Adam(-1.0), "learning_rate")
    _refused(lambda: gn.Adam(beta1=1.0), "beta1")
    _refused(lambda: gn.Adam(beta1=-0.1), "beta1")
    _refused(lambda: gn.Adam(beta2=1.0), "beta2")
    _refused(lambda: gn.Adam(beta2=-0.1), "beta2")
    _refused(lambda: gn.Adam(epsilon=0.0), "epsilon")
    _refused(lambda: gn.Momentum(beta=1.0), "beta")
    _refused(lambda: gn.Momentum(beta=-0.1), "beta")
    _refused(lambda: gn.RMSprop(beta=1.0), "beta")
    _refused(lambda: gn.RMSprop(beta=-0.1), "beta")
    _refused(lambda: gn.RMSprop(epsilon=0.0), "epsilon")
    _refused(lambda: o.InverseTimeDecay(-0.1), "decay_rate")
    _refused(lambda: o.ExponentialDecay(0.0), "rate")
    _refused(lambda: o.ExponentialDecay(1.1), "rate")
    _refused(lambda: o.StepDecay(0), "step_size")
    _refused(lambda: o.StepDecay(2, 0.0), "factor")
    _refused(lambda: o.StepDecay(2, 1.1), "factor")
    _refused(lambda: o.CosineDecay(-0.1), "final_fraction")
    _refused(lambda: o.CosineDecay(1.1), "final_fraction")
    _refused(lambda: activations.LeakyReLU(1.0), "LeakyReLU alpha", "the notes use 0.01")
    _refused(lambda: activations.LeakyReLU(-0.1), "LeakyReLU alpha")
    _refused(lambda: preprocessing.Standardizer(0.0), "floor", "only centred")
    # the bounds themselves, where they are closed
    assert gn.Adam(beta1=0.0, beta2=0.0).beta1 == 0.0 and gn.Momentum(beta=0.0).beta == 0.0
    assert gn.RMSprop(beta=0.0).beta == 0.0 and activations.LeakyReLU(0.0).alpha == 0.0
    assert o.InverseTimeDecay(0.0)(1.0, 5) == 1.0 and o.ExponentialDecay(1.0)(1.0, 5) == 1.0
    assert o.StepDecay(1, 1.0)(1.0, 5) == 1.0 and o.CosineDecay(1.0).planned(3)(1.0, 3) == 1.0


def test_unknown_names_are_refused_with_an_example():
    from glassnet import optimizers as o

    _refused(lambda: activations.get_activation(3), "activation", "gn.LeakyReLU(0.2)")
    _refused(lambda: o.get_optimizer(3), "optimizer", "gn.optimizers.Adam(0.001)")
    _refused(lambda: o.get_schedule(3), "learning-rate schedule", "gn.optimizers.ExponentialDecay(0.95)")
    _refused(lambda: o.get_schedule("nope"), "nope")
    assert isinstance(o.get_schedule("step"), o.StepDecay)
    assert o.get_schedule({"name": "exponential", "rate": 0.5}).rate == 0.5


# ----------------------------------------------------------------------------------------------- losses, the rest


def test_constant_costs_by_hand():
    bce, sce, mse = losses.BinaryCrossEntropy(), losses.SoftmaxCrossEntropy(), losses.MeanSquaredError()
    Y = np.array([[1, 0, 0, 0], [1, 1, 1, 1]])  # row 2 is constant: no entropy
    assert bce.constant_cost(Y) == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)), rel=1e-13)
    assert bce.constant_cost(np.zeros((1, 0))) == 0.0
    assert bce.constant_cost(np.array([[0, 0]])) == 0.0
    labels = np.array([[0, 2, 2, 2]])
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert sce.constant_cost(labels) == pytest.approx(h, rel=1e-13)
    assert sce.constant_cost(np.eye(3)[:, [0, 2, 2, 2]]) == pytest.approx(h, rel=1e-13)
    assert sce.constant_cost(np.eye(2)[:, [0, 1]]) == pytest.approx(math.log(2), rel=1e-13)
    assert sce.constant_cost(np.zeros((1, 0))) == 0.0 and sce.constant_cost(np.zeros((3, 0))) == 0.0
    assert sce.constant_cost(np.array([[1]])) == 0.0
    T = np.array([[1.0, 3.0], [2.0, 2.0]])
    assert mse.constant_cost(T) == pytest.approx(0.5, rel=1e-13)  # var 1 and 0, halved
    assert mse.constant_cost(np.zeros((2, 0))) == 0.0


@pytest.mark.parametrize("loss", [losses.BinaryCrossEntropy(), losses.SoftmaxCrossEntropy(), losses.MeanSquaredError()],
                         ids=lambda x: x.name)
def test_output_dz_writes_into_out(loss):
    AL = np.array([[0.2, 0.6], [0.3, 0.1], [0.5, 0.3]])
    Y = np.eye(3)[:, [1, 0]]
    out = np.empty_like(AL)
    assert loss.output_dZ(AL, Y, out=out) is out
    np.testing.assert_array_equal(out, AL - Y)
    if loss.name == "softmax_cross_entropy":
        out2 = np.empty_like(AL)
        got = loss.output_dZ(AL, np.array([[1, 0]]), out=out2)
        assert got is out2
        np.testing.assert_array_equal(got, AL - Y)
        np.testing.assert_array_equal(loss.output_dZ(AL, np.array([[1, 0]])), AL - Y)
        np.testing.assert_array_equal(AL, [[0.2, 0.6], [0.3, 0.1], [0.5, 0.3]])  # not written
        # one output row: (1, m) is the one-hot of nothing, A - Y
        one = np.array([[1.0, 1.0]])
        np.testing.assert_array_equal(loss.output_dZ(one, np.array([[1.0, 1.0]])), [[0.0, 0.0]])


def test_check_targets_return_the_loss_form_in_its_dtype():
    bce, sce, mse = losses.BinaryCrossEntropy(), losses.SoftmaxCrossEntropy(), losses.MeanSquaredError()
    assert bce.check_targets(np.array([[0, 1]]), 1, 2, np.float32).dtype == np.float32
    assert mse.check_targets(np.array([[0, 1]]), 1, 2, np.float32).dtype == np.float32
    assert sce.check_targets(np.eye(3)[:, [0, 1]].astype(int), 3, 2, np.float32).dtype == np.float32
    labels = sce.check_targets(np.array([[0.0, 2.0]]), 3, 2, np.float32)
    assert labels.dtype == np.intp
    with pytest.raises(LabelError):
        sce.check_targets(np.array([[-0.5, 0.5], [1.5, 0.5]]), 2, 2, np.float64)  # columns sum to 1, one < 0
    with pytest.raises(LabelError) as caught:
        bce.check_targets(np.array([[2, 3, 4, 5, 6, 7, 8]]), 1, 7, np.float64)
    assert "[2.0, 3.0, 4.0, 5.0, 6.0]" in str(caught.value)
    # a single class (n_y = 1) with (1, m) targets is a one-hot of one row, not labels
    assert sce.check_targets(np.array([[1.0, 1.0]]), 1, 2, np.float64).dtype == np.float64


def test_softmax_cross_entropy_with_labels_and_one_output_row():
    sce = losses.SoftmaxCrossEntropy()
    Z = np.array([[0.5, -0.5]])
    np.testing.assert_allclose(sce.example_losses(Z, None, np.array([[1.0, 1.0]])), [0.0, 0.0])
    Z3 = np.array([[1.0, 2.0], [0.0, 0.0], [3.0, -1.0]])
    y = np.array([[2, 0]])
    lse = np.log(np.exp(Z3).sum(axis=0))
    np.testing.assert_allclose(sce.example_losses(Z3, None, y), lse - Z3[[2, 0], [0, 1]], rtol=1e-13)
    np.testing.assert_array_equal(y, [[2, 0]])
    assert sce.cost(Z3, None, y) == pytest.approx(np.mean(lse - Z3[[2, 0], [0, 1]]), rel=1e-13)
    assert sce.cost(Z3, None, y, weights=np.array([[3.0, 1.0]])) == pytest.approx(
        (3 * (lse[0] - 3.0) + (lse[1] - 2.0)) / 4, rel=1e-13)


# ----------------------------------------------------------------------------------------------- gradcheck's pieces


class _Crossing:
    def __init__(self, text):
        self.text = text

    def describe(self, where):
        return f"{self.text} at {where}"


class _Watch:
    """A stand-in KinkWatch: crosses a kink on the calls listed in ``crossing_calls`` (counted from 1)."""

    def __init__(self, crossing_calls=()):
        self.crossing_calls, self.calls, self.based = set(crossing_calls), 0, 0

    def set_base(self):
        self.based += 1

    def crossing(self):
        self.calls += 1
        return _Crossing("kink") if self.calls in self.crossing_calls else None


def _evaluator(watch=None):
    theta = np.array([1.0, 2.0, 3.0, -1.0, 0.5])
    views = [theta[:3], theta[3:]]
    weights = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    ev = check.Evaluator(lambda: float(np.sum(weights * theta**2)), views, watch)
    return ev, theta, weights


def test_the_evaluator_moves_theta_and_puts_it_back():
    ev, theta, w = _evaluator()
    J0 = ev()
    assert J0 == ev.J0 == float(np.sum(w * theta**2)) and ev.evaluations == 1
    before = theta.copy()
    assert ev.at_coordinate(1, 0, 0.5) == pytest.approx(J0 - 4 * 1.0 + 4 * 0.25)
    np.testing.assert_array_equal(theta, before)
    v = np.array([1.0, -1.0])
    moved = before.copy()
    moved[3:] += 0.1 * v
    assert ev.along(1, v, 0.1) == pytest.approx(float(np.sum(w * moved**2)), rel=1e-14)
    np.testing.assert_array_equal(theta, before)
    vs = [np.array([1.0, 0.0, 2.0]), np.array([0.5, -1.0])]
    moved = before + 0.01 * np.concatenate(vs)
    assert ev.shifted(vs, 0.01) == pytest.approx(float(np.sum(w * moved**2)), rel=1e-14)
    np.testing.assert_array_equal(theta, before)
    assert ev.evaluations == 4 and ev.J0 == J0
    with pytest.raises(ValueError):
        ev.shifted([np.ones(3)], 0.1)  # one direction per block, checked


def test_measure_two_sided_differences_and_what_crosses_a_kink():
    ev, theta, w = _evaluator()
    ev()
    plan = check.Plan(coords=[np.array([0, 2]), np.array([1])],
                      directions=[[np.array([1.0, 0.0, 0.0])], [np.array([0.6, 0.8])]])
    got = check.measure(ev, plan, 1e-3)
    grad = 2 * w * theta
    np.testing.assert_allclose(got.partials[0], grad[[0, 2]], rtol=1e-9)
    np.testing.assert_allclose(got.partials[1], grad[[4]], rtol=1e-9)
    np.testing.assert_allclose(got.directional[0], [grad[0]], rtol=1e-9)
    np.testing.assert_allclose(got.directional[1], [0.6 * grad[3] + 0.8 * grad[4]], rtol=1e-9)
    assert got.aside == []
    blocks = [check.Block("W1", (3,), 0, 3), check.Block("b1", (2,), 3, 2)]
    parts = check.analytic_parts(grad, blocks, plan)
    np.testing.assert_array_equal(parts[0][0], grad[[0, 2]])
    assert parts[1][1].dtype == np.float64
    np.testing.assert_allclose(parts[1][1], [0.6 * grad[3] + 0.8 * grad[4]], rtol=1e-14)
    np.testing.assert_allclose(check.joined(parts), np.concatenate([grad[[0, 2]], [grad[0]], grad[[4]],
                                                                    [0.6 * grad[3] + 0.8 * grad[4]]]), rtol=1e-14)
    with pytest.raises(ValueError):
        check.joined(([np.ones(1)], [np.ones(1), np.ones(1)]))
    # a watch that sees a kink: on the + side of the 2nd coordinate, the - side of block 1's direction
    watch = _Watch(crossing_calls={3, 10})
    ev, theta, w = _evaluator(watch)
    ev()
    assert watch.based == 1
    got = check.measure(ev, plan, 1e-3)
    assert got.aside == [(0, "coordinate", 1, "kink at θ + ε·e_i"), (1, "direction", 0, "kink at θ − ε·v")]
    keep_p, keep_d = got.masks()
    assert [k.tolist() for k in keep_p] == [[True, False], [True]]
    assert [k.tolist() for k in keep_d] == [[True], [False]]


def test_relative_difference_edge_cases():
    assert check.relative_difference(np.zeros(3), np.zeros(3)) == 0.0
    assert check.relative_difference(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert check.relative_difference(np.array([1e200, 0.0]), np.array([0.0, 0.0])) == 1.0
    assert check.relative_difference(np.array([3.0]), np.array([1.0])) == pytest.approx(0.5)
    assert check.norm(np.array([0.5, 0.0])) == 0.5
    assert check.numerical_derivative(lambda t: t * t, 2.0) == pytest.approx(4.0)  # ε = 1e-2 by default, exact
    assert check.numerical_derivative(lambda t: t**3, 1.0) == pytest.approx(3.0001, rel=1e-12)


# ------------------------------------------------------------------------------------------ preprocessing, the rest


def test_an_unstratified_split_has_the_asked_sizes_and_covers_every_column_once():
    X = np.arange(40.0).reshape(2, 20)
    Y = np.arange(20.0).reshape(1, 20)  # real-valued: no classes
    Xtr, Ytr, Xdv, Ydv, Xte, Yte = preprocessing.train_dev_test_split(X, Y, dev=3, test=5, stratify=False, seed=1)
    assert (Xtr.shape[1], Xdv.shape[1], Xte.shape[1]) == (12, 3, 5)
    np.testing.assert_array_equal(np.sort(np.concatenate([Ytr[0], Ydv[0], Yte[0]])), np.arange(20.0))
    np.testing.assert_array_equal(Xdv[1], Ydv[0] + 20)  # columns travel together
    parts = preprocessing.train_dev_test_split(X, Y, stratify=False, seed=1)  # 10 % and 10 % by default
    assert [p.shape[1] for p in parts[::2]] == [16, 2, 2]
    parts = preprocessing.train_dev_test_split(X, Y, dev=0.25, test=0.0, stratify=False, seed=1)
    assert [p.shape[1] for p in parts[::2]] == [15, 5, 0]


def test_a_stratified_split_keeps_each_class_within_one_of_its_share():
    labels = np.array([[0] * 10 + [1] * 6 + [2] * 4])
    X = np.arange(20.0).reshape(1, 20)
    for seed in range(3):
        Xtr, Ytr, Xdv, Ydv, Xte, Yte = preprocessing.train_dev_test_split(X, labels, dev=5, test=5, seed=seed)
        assert (Ytr.shape[1], Ydv.shape[1], Yte.shape[1]) == (10, 5, 5)
        for part, n in ((Ytr, 10), (Ydv, 5), (Yte, 5)):
            counts = np.bincount(part[0].astype(int), minlength=3)
            share = np.array([10, 6, 4]) * n / 20
            assert np.all(np.abs(counts - share) < 1), (seed, counts, share)
        np.testing.assert_array_equal(np.sort(np.concatenate([Xtr[0], Xdv[0], Xte[0]])), X[0])
    onehot = np.eye(3)[:, labels[0]]
    parts = preprocessing.train_dev_test_split(X, onehot, dev=5, test=5, seed=0)
    assert [p.shape[1] for p in parts[1::2]] == [10, 5, 5]
    labels7 = np.array([[7] * 10 + [3] * 10])  # any integer values: classes by value
    parts = preprocessing.train_test_split(X, labels7, test=10, seed=0)
    assert sorted(np.bincount(parts[3][0].astype(int)).tolist()[3::4]) == [5, 5]


def test_split_sizes_are_checked():
    X, Y = np.zeros((1, 10)), np.zeros((1, 10))
    _refused(lambda: preprocessing.train_test_split(X, Y, test=1.0, stratify=False), "test", "a fraction of")
    _refused(lambda: preprocessing.train_test_split(X, Y, test=-0.1, stratify=False), "test")
    _refused(lambda: preprocessing.train_dev_test_split(X, Y, dev=-1, stratify=False), "dev")
    _refused(lambda: preprocessing.train_dev_test_split(X, Y, dev=0.01, stratify=False), "dev=0.01")
    _refused(lambda: preprocessing.train_test_split(np.zeros((1, 9)), Y, stratify=False), "Y")
    _refused(lambda: preprocessing.train_test_split(X, np.array([[0.5] * 10]), stratify=True), "non-integer")
    assert preprocessing.train_test_split(X, Y, test=0.05, stratify=False)[2].shape[1] == 1  # 0.5 rounds up


def test_labels_text_and_codes():
    lt = preprocessing.label_text
    assert lt(b" 3 ") == "3" and lt(b"\xff") == "\ufffd" and lt(" 2.50 ") == "2.5" and lt(3.0) == "3"
    assert lt("nan") == "nan" and lt("inf") == "inf" and lt("-INF") == "-INF" and lt("Inf ") == "Inf"
    assert lt(" setosa ") == "setosa" and lt(2.5) == "2.5" and lt(np.int64(7)) == "7"
    Y, classes = preprocessing.encode_labels(np.array([["b", "10", "2", "a", "2"]], dtype=object))
    assert classes == ("2", "10", "a", "b")
    assert Y.dtype == np.int64 and Y.tolist() == [[3, 1, 0, 2, 0]]
    _refused(lambda: preprocessing.encode_labels(np.array([1, 2])), "(1, m)")
    _refused(lambda: preprocessing.encode_labels(np.array([[1, 2], [3, 4]])), "(1, m)")
    assert preprocessing.from_one_hot(np.array([[0.2, 0.9], [0.8, 0.1]])).tolist() == [[1, 0]]
    assert preprocessing.from_one_hot(np.array([[0.2], [0.8]])).shape == (1, 1)
    _refused(lambda: preprocessing.from_one_hot(np.array([[1.0, 0.0]])), "C >= 2")
    hot = preprocessing.one_hot(np.array([[2, 0]]))
    assert hot.shape == (3, 2) and hot.dtype == np.float32 and hot[:, 0].tolist() == [0, 0, 1]
    assert preprocessing.one_hot(np.zeros((1, 0))).shape == (1, 0)
    assert preprocessing.one_hot(np.array([[0, 0]])).shape == (1, 2)
    assert preprocessing.one_hot(np.array([[1]]), n_classes=4).shape == (4, 1)
    _refused(lambda: preprocessing.one_hot(np.array([[1]]), n_classes=0), "n_classes")
    _refused(lambda: preprocessing.one_hot(np.array([[3]]), n_classes=2), "n_classes=2")


def test_the_standardizer_by_hand():
    S = preprocessing.Standardizer
    assert repr(S()) == "Standardizer(floor=1e-08, not fitted)"
    X = np.array([[1.0, 3.0, 5.0, 7.0], [2.0, 2.0, 2.0, 2.0]])
    s = S().fit(X)
    assert repr(s) == "Standardizer(floor=1e-08, n_features=2)"
    np.testing.assert_allclose(s.mu, [[4.0], [2.0]])
    np.testing.assert_allclose(s.sigma2, [[5.0], [0.0]])
    Xn = s.transform(X)
    np.testing.assert_allclose(Xn, [(X[0] - 4) / np.sqrt(5), [0, 0, 0, 0]], rtol=1e-13)
    np.testing.assert_allclose(S().fit_transform(X), Xn, rtol=1e-15)
    np.testing.assert_allclose(s.inverse_transform(Xn), X, rtol=1e-13)
    f32 = s.transform(X.astype(np.float32))
    assert f32.dtype == np.float32 and s.inverse_transform(f32).dtype == np.float32
    assert s.transform(X.astype(int)).dtype == np.float64
    scaled = S().fit(X, divide_by=2.0)
    np.testing.assert_allclose(scaled.mu, [[2.0], [1.0]]) and np.testing.assert_allclose(scaled.sigma2, [[1.25], [0]])
    _refused(lambda: S().fit(X, divide_by=0.0), "divide_by")
    _refused(lambda: S().fit(np.array([[1.0, np.nan]])), "X")
    _refused(lambda: S().transform(X), "not fitted")
    _refused(lambda: s.transform(X.T), "pass X.T")
    _refused(lambda: s.inverse_transform(X[:1]), "X_norm")
    one = S().fit(np.array([[5.0]]))
    np.testing.assert_array_equal(one.sigma2, [[0.0]])
    state = s.to_dict()
    assert state["type"] == "Standardizer" and state["floor"] == 1e-8
    assert state["mu"].dtype == np.float64 and state["sigma2"].dtype == np.float64
    back = S.from_dict(state)
    np.testing.assert_array_equal(back.mu, s.mu)
    np.testing.assert_array_equal(back.sigma2, s.sigma2)
    assert back.mu.shape == (2, 1) and back.mu.dtype == np.float64
    assert S.from_dict({"mu": [1, 2], "sigma2": [1, 0]}).floor == 1e-8
    assert S.from_dict({"mu": [1, 2], "sigma2": [1, 0]}).mu.dtype == np.float64
    assert S.from_dict(s.to_dict(as_lists=True)).sigma2.tolist() == [[5.0], [0.0]]
    _refused(lambda: S.from_dict({"mu": [np.inf], "sigma2": [1.0]}), "finite")
    _refused(lambda: S.from_dict({"mu": [0.0], "sigma2": [-1.0]}), "finite")
    _refused(lambda: S().fit(np.array([[0.0, 1e200, -1e200]])), "feature 0", "float64")
    near = S().fit(np.array([[1e9 + 1.0, 1e9 + 3.0]]))  # shifted by the first column: no cancellation
    assert near.sigma2[0, 0] == 1.0
