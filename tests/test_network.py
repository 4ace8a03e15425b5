import itertools

import numpy as np
import pytest

import glassnet as gn

from .conftest import make_problem, relative_difference, two_sided_gradient

HIDDEN = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]
OUTPUTS = ["sigmoid", "softmax", "linear"]


def random_net(n_x, n_y, hidden, output, n_hidden, l2, seed, **kwargs):
    rng = np.random.default_rng(seed)
    dims = [n_x] + list(rng.integers(2, 6, n_hidden)) + [n_y]
    net = gn.Network(dims, hidden_activation=hidden, output_activation=output, l2=l2,
                     dtype="float64", seed=seed, initializer="xavier", **kwargs)
    # non-zero biases: with b = 0 a dead layer feeds Z = 0 exactly to the next ReLU, a kink where
    # the two-sided difference is not the derivative (the notes check after some training, too)
    for l in range(1, net.L + 1):
        net.params[f"b{l}"] = 0.1 * rng.standard_normal((dims[l], 1))
    return net


def net_gradient_difference(net, X, Y):
    J, grads = net.cost_and_gradients(X, Y, training=False)
    analytic = np.concatenate([g.ravel() for g in grads.values()])
    theta0 = net.parameters_to_vector()

    def cost(theta):
        net.vector_to_parameters(theta)
        return net.cost(X, Y)

    numeric = two_sided_gradient(cost, theta0, epsilon=1e-6)
    net.vector_to_parameters(theta0)
    return relative_difference(analytic, numeric)


CASES = list(itertools.product(HIDDEN, OUTPUTS, [1, 2, 3, 4], [0.0, 0.7]))


@pytest.mark.parametrize("hidden,output,n_hidden,l2", CASES)
def test_gradients_match_finite_differences(hidden, output, n_hidden, l2):
    seed = CASES.index((hidden, output, n_hidden, l2))
    X, Y, n_y = make_problem(output, seed=seed, int_labels=seed % 2 == 0)
    net = random_net(X.shape[0], n_y, hidden, output, n_hidden, l2, seed)
    assert net_gradient_difference(net, X, Y) < 1e-7


def torch_cost_and_gradients(net, X, Y):
    torch = pytest.importorskip("torch")
    params = {k: torch.tensor(np.array(v), dtype=torch.float64, requires_grad=True)
              for k, v in net.params.items()}
    A = torch.tensor(X, dtype=torch.float64)
    m = X.shape[1]
    funcs = {
        "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda z: z,
        "softmax": lambda z: torch.softmax(z, dim=0),
    }
    for l, act in enumerate(net.activations, start=1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = torch.nn.functional.leaky_relu(Z, act.alpha) if act.name == "leaky_relu" else funcs[act.name](Z)
    out = net.output_activation
    Yt = torch.tensor(np.asarray(Y, dtype=float), dtype=torch.float64)
    if out == "sigmoid":
        J = torch.nn.functional.binary_cross_entropy_with_logits(Z, Yt, reduction="sum") / m
    elif out == "softmax":
        labels = Yt[0].long() if Yt.shape[0] == 1 else Yt.argmax(dim=0)
        J = torch.nn.functional.cross_entropy(Z.T, labels, reduction="sum") / m
    else:
        J = ((A - Yt) ** 2).sum() / (2 * m)
    J = J + net.l2 / (2 * m) * sum((params[f"W{l}"] ** 2).sum() for l in range(1, net.L + 1))
    J.backward()
    return float(J.detach()), {"d" + k: v.grad.numpy() for k, v in params.items()}


@pytest.mark.parametrize("hidden,output,n_hidden,l2", CASES[::3])
def test_cost_and_gradients_match_pytorch_autograd(hidden, output, n_hidden, l2):
    pytest.importorskip("torch")
    seed = 100 + CASES.index((hidden, output, n_hidden, l2))
    X, Y, n_y = make_problem(output, seed=seed, int_labels=seed % 2 == 0)
    net = random_net(X.shape[0], n_y, hidden, output, n_hidden, l2, seed)
    J, grads = net.cost_and_gradients(X, Y, training=False)
    J_torch, grads_torch = torch_cost_and_gradients(net, X, Y)
    assert abs(J - J_torch) <= 1e-9 * abs(J_torch)
    for name, g in grads.items():
        assert relative_difference(g, grads_torch[name]) <= 1e-9, name


def test_leaky_relu_object_in_activations_list():
    X, Y, _ = make_problem("sigmoid")
    net = gn.Network([5, 4, 3, 1], activations=[gn.LeakyReLU(0.2), "tanh", "sigmoid"],
                     dtype="float64", seed=3)
    assert net.activations[0].alpha == 0.2
    assert net_gradient_difference(net, X, Y) < 1e-7


def test_cost_is_finite_when_sigmoid_saturates():
    net = gn.Network([1, 1], output_activation="sigmoid", dtype="float64", seed=0)
    net.params["W1"] = [[1000.0]]
    X = np.array([[1.0, -1.0]])
    Y = np.array([[0.0, 1.0]])  # both confidently wrong: the cost is about 1000, not inf
    J = net.cost(X, Y)
    assert np.isfinite(J) and J == pytest.approx(1000.0, rel=1e-6)


def test_parameter_vector_order_and_roundtrip():
    net = gn.Network([3, 2, 1], seed=0, dtype="float64")
    theta = net.parameters_to_vector()
    expected = np.concatenate([net.params[k].ravel() for k in ["W1", "b1", "W2", "b2"]])
    np.testing.assert_array_equal(theta, expected)
    assert theta.size == net.n_params == 3 * 2 + 2 + 2 + 1
    net.vector_to_parameters(np.arange(theta.size, dtype=float))
    np.testing.assert_array_equal(net.params["W1"], [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(net.params["b1"], [[6], [7]])
    np.testing.assert_array_equal(net.params["W2"], [[8, 9]])
    theta_copy = net.parameters_to_vector()
    theta_copy[0] = 99  # a copy, not a view
    assert net.params["W1"][0, 0] == 0


def test_params_are_live_views():
    net = gn.Network([3, 2, 1], seed=0)
    net.params["W1"][0, 0] = 5.0
    assert net.parameters_to_vector()[0] == 5.0
    net.params["b2"] = np.array([[2.0]])
    assert net.layers[1].b[0, 0] == 2.0
    with pytest.raises(gn.ShapeError, match=r"b2 must have shape \(1, 1\)"):
        net.params["b2"] = np.zeros((2, 1))


def test_predictions():
    X, Y, _ = make_problem("softmax", n_y=4, int_labels=True)
    net = gn.Network([5, 6, 4], output_activation="softmax", seed=1)
    proba = net.predict_proba(X)
    assert proba.shape == (4, 12)
    np.testing.assert_allclose(proba.sum(axis=0), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(net.predict(X), proba.argmax(axis=0).reshape(1, -1))
    binary = gn.Network([5, 3, 1], seed=1)
    p = binary.predict(X)
    assert p.shape == (1, 12) and set(np.unique(p)) <= {0, 1}
    np.testing.assert_array_equal(p, (binary.predict_proba(X) > 0.5).astype(int))
    reg = gn.Network([5, 3, 2], output_activation="linear", seed=1)
    np.testing.assert_array_equal(reg.predict(X), reg.predict_proba(X))


def test_float32_forward_agrees_with_float64():
    X, Y, _ = make_problem("softmax", n_x=20, m=50)
    net64 = gn.Network([20, 30, 10, 3], output_activation="softmax", dtype="float64", seed=4)
    net32 = net64.copy(dtype="float32")
    assert net32.dtype == np.float32 and net32.parameters_to_vector().dtype == np.float32
    A64 = net64.forward(X)
    A32 = net32.forward(X)
    assert A32.dtype == np.float32
    np.testing.assert_allclose(A32, A64, rtol=1e-5, atol=1e-6)
    J32, g32 = net32.cost_and_gradients(X, Y, training=False)
    J64, g64 = net64.cost_and_gradients(X, Y, training=False)
    assert J32 == pytest.approx(J64, rel=1e-5)
    for k in g64:
        assert g32[k].dtype == np.float32
        np.testing.assert_allclose(g32[k], g64[k], rtol=1e-3, atol=1e-5)


def test_same_seed_same_weights_other_seed_other_weights():
    a = gn.Network([4, 3, 1], seed=7).parameters_to_vector()
    b = gn.Network([4, 3, 1], seed=7).parameters_to_vector()
    c = gn.Network([4, 3, 1], seed=8).parameters_to_vector()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # float32 and float64 with one seed start from the same weights
    d = gn.Network([4, 3, 1], seed=7, dtype="float64").parameters_to_vector()
    np.testing.assert_allclose(a, d, rtol=1e-6)


def test_zero_initialization_keeps_hidden_units_identical():
    """The notes' warning: with W = 0, every unit of a layer computes the same function forever."""
    X, Y, _ = make_problem("sigmoid", n_x=4, m=40, seed=2)
    net = gn.Network([4, 5, 3, 1], hidden_activation="tanh", initializer="zeros",
                     dtype="float64", seed=0)
    # zeros gives W = 0 exactly; give the first layer identical non-zero rows so gradients flow
    net.params["W1"] = np.tile(np.array([[0.3, -0.2, 0.1, 0.5]]), (5, 1))
    for _ in range(20):
        _, grads = net.cost_and_gradients(X, Y, training=False)
        for name, g in grads.items():
            net.params[name[1:]] = net.params[name[1:]] - 0.5 * g
    for l in (1, 2):
        W = net.params[f"W{l}"]
        assert np.allclose(W, W[0:1, :]), f"rows of W{l} diverged"
        assert np.allclose(net.params[f"b{l}"], net.params[f"b{l}"][0, 0])
    assert not np.allclose(net.params["W1"], 0.0)  # it did train, it just stayed symmetric


@pytest.mark.parametrize("name,factor", [
    ("he", lambda n0, n1: np.sqrt(2 / n0)), ("xavier", lambda n0, n1: np.sqrt(1 / n0)),
    ("glorot", lambda n0, n1: np.sqrt(2 / (n0 + n1))), ("random", lambda n0, n1: 1.0),
])
@pytest.mark.parametrize("scale", [1.0, 0.01])
def test_initializer_standard_deviations(name, factor, scale):
    net = gn.Network([400, 300, 1], initializer=name, init_scale=scale, seed=0, dtype="float64")
    W = net.params["W1"]
    assert W.std() == pytest.approx(scale * factor(400, 300), rel=0.02)
    assert abs(W.mean()) < 0.02 * scale * factor(400, 300)
    assert np.all(net.params["b1"] == 0)
    zeros = gn.Network([4, 3, 1], initializer="zeros", seed=0)
    assert np.all(zeros.parameters_to_vector() == 0)


@pytest.mark.parametrize("how", ["pickle", "deepcopy", "copy"])
def test_a_copied_network_trains_like_the_original(how):
    """Copies keep params, layers and theta as one set of views (not separate arrays)."""
    import copy
    import pickle

    X, Y, _ = make_problem("sigmoid", m=40)
    net = gn.Network([5, 6, 1], seed=0, dtype="float64", keep_prob=0.9)
    clone = {"pickle": lambda n: pickle.loads(pickle.dumps(n)), "deepcopy": copy.deepcopy,
             "copy": lambda n: n.copy()}[how](net)
    assert np.shares_memory(clone.params["W1"], clone.theta)
    assert clone.layers[0].W is clone.params["W1"]
    h1 = net.fit(X, Y, epochs=5, batch_size=8, seed=1)
    h2 = clone.fit(X, Y, epochs=5, batch_size=8, seed=1)
    assert h1["cost"] == h2["cost"]
    np.testing.assert_array_equal(net.parameters_to_vector(), clone.parameters_to_vector())


def test_copy_of_a_subclass_keeps_its_type_and_extra_arguments():
    class Scaled(gn.Network):
        def __init__(self, factor, **kwargs):
            super().__init__([3, 2, 1], **kwargs)
            self.factor = factor

    net = Scaled(2.5, seed=0)
    clone = net.copy(dtype="float64")
    assert type(clone) is Scaled and clone.factor == 2.5 and clone.dtype == np.float64
    np.testing.assert_allclose(clone.parameters_to_vector(), net.parameters_to_vector(), rtol=1e-7)


def test_keep_prob_set_between_fits_reaches_the_layers_and_keeps_the_weights():
    X, Y = gn.datasets.make_moons(40, seed=0)
    net = gn.Network([2, 5, 5, 1], seed=0, dtype="float64")
    net.fit(X, Y, epochs=2, batch_size=8, optimizer="gd", schedule=None)
    theta = net.parameters_to_vector()
    net.keep_prob = [1.0, 0.5, 0.8]
    assert net.keep_prob == [1.0, 0.5, 0.8] and [layer.keep_prob for layer in net.layers] == [1.0, 0.5, 0.8]
    np.testing.assert_array_equal(net.parameters_to_vector(), theta)
    net.forward(X, training=True)
    assert net.layers[1].mask_applied and not net.layers[0].mask_applied
    # the same as a network built with that keep_prob from the start
    built = gn.Network([2, 5, 5, 1], seed=0, dtype="float64", keep_prob=[1.0, 0.5, 0.8])
    assert built.config()["keep_prob"] == net.config()["keep_prob"]
    with pytest.raises(gn.HyperparameterError, match="keep_prob"):
        net.keep_prob = [1.0, 1.5, 1.0]
    assert net.keep_prob == [1.0, 0.5, 0.8]


# ---------------------------------------------------------------------- the public training step
def test_train_step_is_forward_data_cost_and_backward_of_the_prepared_batch():
    X, Y, _ = make_problem("softmax", n_x=5, n_y=3, m=12, seed=3)
    net = gn.Network([5, 4, 3], output_activation="softmax", l2=0.1, dtype="float64", seed=0)
    twin = net.copy()
    A0 = net.input_pipeline(net.check_X(X, raw=True).astype(net.dtype))
    step = net.train_step(A0, net.check_Y(Y, 12))
    assert isinstance(step, gn.network.TrainStep) and step.cost == step[0] and step.AL is step[1]
    J, grads = twin.cost_and_gradients(X, Y, training=True)  # dropout is off: the same numbers
    assert step.cost == pytest.approx(J - twin.l2_cost(12), rel=1e-12)  # J without the L2 term
    np.testing.assert_array_equal(net.dtheta, twin.gradients_to_vector())  # the L2 term's gradient inside
    np.testing.assert_array_equal(step.AL, twin.forward(X))


def test_train_step_skips_backward_when_the_cost_is_not_finite():
    _, Y, _ = make_problem("sigmoid", n_x=3, m=8)
    net = gn.Network([3, 4, 1], dtype="float64", seed=0)
    net.dtheta[...] = 7.0
    with np.errstate(all="ignore"):
        step = net.train_step(np.full((3, 8), np.nan), Y)
    assert not np.isfinite(step.cost)
    assert (net.dtheta == 7.0).all()  # no backward pass ran


def test_batch_cost_is_cost_with_l2_and_the_data_cost_without():
    X, Y, _ = make_problem("linear", n_x=4, n_y=2, m=10, seed=1)
    net = gn.Network([4, 5, 2], output_activation="linear", l2=0.3, keep_prob=0.5, dtype="float64", seed=2)
    w = np.linspace(0.5, 2.0, 10).reshape(1, -1)
    A0, Yc = net.check_X(X), net.check_Y(Y, 10)
    assert net.batch_cost(A0, Yc, with_l2=True).cost == net.cost(X, Y)  # no dropout, bit for bit
    assert net.batch_cost(A0, Yc, w, with_l2=True).cost == net.cost(X, Y, sample_weight=w)
    data = net.batch_cost(A0, Yc)
    assert data.cost == pytest.approx(net.cost(X, Y) - net.l2_cost(10), rel=1e-12)
    np.testing.assert_array_equal(data.AL, net.forward(X))
    assert net.evaluate_prepared(A0, Yc) == net.evaluate(X, Y)


def test_theta_and_dtheta_are_the_live_vectors():
    net = gn.Network([3, 4, 2], output_activation="softmax", seed=0)
    assert np.shares_memory(net.theta, net.params["W1"]) and np.shares_memory(net.theta, net.layers[1].b)
    assert np.shares_memory(net.dtheta, net.layers[0].dW)
    before = net.parameters_to_vector()
    net.theta[:] -= 1.0  # an in-place update moves the parameters
    np.testing.assert_array_equal(net.parameters_to_vector(), before - 1.0)
    assert not np.shares_memory(net.parameters_to_vector(), net.theta)  # still a copy


def test_the_layer_cache_is_a_named_tuple():
    X, _, _ = make_problem("sigmoid", n_x=3, m=6)
    net = gn.Network([3, 4, 1], seed=0)
    AL = net.forward(X)
    cache = net.layers[-1].cache
    assert isinstance(cache, gn.layers.LayerCache) and cache._fields == ("A_prev", "Z", "A")
    assert cache.A is cache[2] and cache.Z is cache[1] and cache.A_prev is net.layers[0].cache.A
    np.testing.assert_array_equal(cache.A, AL)


def test_network_fit_is_the_loop_itself_with_no_hook():
    import subprocess
    import sys

    assert gn.Network.fit is gn.training.fit and not hasattr(gn.Network, "trainer")
    assert "early_stopping" in gn.Network.fit.__doc__ and "checkpoint_dir" in gn.Network.fit.__doc__
    code = ("import numpy as np, glassnet.network as n; net = n.Network([2, 3, 1], seed=0); "
            "h = net.fit(np.ones((2, 4)), np.array([[0, 1, 0, 1]]), epochs=1); print(len(h))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "1\n"
