"""Tests that kill the mutants mutmut found surviving in glassnet.notes (python -m bench.mutation notes;
bench/README.md, "Mutation score"). Each test names the behaviour a surviving mutant changed, checked against
this file's own NumPy (the forward pass and the cost written out again) and two-sided differences of that cost;
the mutants that cannot change behaviour are listed, with the reason, in bench/mutation-equivalent.txt.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import notes

EPS = 1e-6


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def relu(z):
    return np.where(z > 0, z, 0.0)


def cross_entropy(A, Y):
    """-(1/m) sum(y log a + (1-y) log(1-a)), over every entry of the (n, m) arrays."""
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.shape[1]


def three_layer_problem(seed, dims=(3, 4, 3, 2), m=6):
    """X, Y and the parameters of a dims[0]-dims[1]-dims[2]-dims[3] network (two sigmoid outputs, so that an
    axis-1 sum differs from a sum over everything)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1]))
        parameters[f"b{l}"] = 0.3 * rng.standard_normal((dims[l], 1))
    Y = (rng.random((dims[3], m)) < 0.5).astype(float)
    return X, Y, parameters


def forward(parameters, X, masks=None, keep_prob=1.0):
    """Z1, A1, Z2, A2, Z3, A3 of LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID; A1 and A2 multiplied by
    the masks and divided by keep_prob when masks = (D1, D2) are given (inverted dropout)."""
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = relu(Z1) if masks is None else relu(Z1) * masks[0] / keep_prob
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = relu(Z2) if masks is None else relu(Z2) * masks[1] / keep_prob
    Z3 = parameters["W3"] @ A2 + parameters["b3"]
    return Z1, A1, Z2, A2, Z3, sigmoid(Z3)


def cost(parameters, X, Y, lambd=0.0, masks=None, keep_prob=1.0):
    m = X.shape[1]
    squares = sum(np.sum(parameters[f"W{l}"] ** 2) for l in (1, 2, 3))
    return cross_entropy(forward(parameters, X, masks, keep_prob)[-1], Y) + lambd / (2 * m) * squares


def two_sided_differences(J, parameters):
    """{"dW1": ..., "db1": ...}: (J(θ + ε e_i) - J(θ - ε e_i)) / 2ε for every entry of every parameter."""
    grads = {}
    for name, value in parameters.items():
        d = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in parameters.items()}
            minus = {k: v.copy() for k, v in parameters.items()}
            plus[name][index] += EPS
            minus[name][index] -= EPS
            d[index] = (J(plus) - J(minus)) / (2 * EPS)
        grads["d" + name] = d
    return grads


def assert_gradients(grads, expected):
    for name, value in expected.items():
        assert grads[name].shape == value.shape, name
        np.testing.assert_allclose(grads[name], value, rtol=1e-6, atol=1e-8, err_msg=name)


# ----------------------------------------------------------------- the 3-layer network's backward passes


def test_backward_propagation_with_regularization_equals_the_derivative_of_the_regularized_cost():
    """Every dW, db against two-sided differences of J + (λ/2m) Σ||W||², every dZ, dA by (6) and (9), each under
    the course's key, each of its shape (db (n, 1): an axis-1 sum kept 2-D)."""
    X, Y, parameters = three_layer_problem(3)
    lambd, m = 0.7, X.shape[1]
    Z1, A1, Z2, A2, Z3, A3 = forward(parameters, X)
    assert min(np.abs(Z1).min(), np.abs(Z2).min()) > 1e-3  # no ReLU kink within ε: the differences are exact
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    grads = notes.backward_propagation_with_regularization(X, Y, cache, lambd)
    assert sorted(grads) == sorted(["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"])
    assert_gradients(grads, two_sided_differences(lambda p: cost(p, X, Y, lambd), parameters))
    dZ3 = A3 - Y
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (Z2 > 0)
    dA1 = W2.T @ dZ2
    assert_gradients(grads, {"dZ3": dZ3, "dA2": dA2, "dZ2": dZ2, "dA1": dA1, "dZ1": dA1 * (Z1 > 0)})
    # the L2 term is (λ/m) W: without it the gradients are those of the plain cross-entropy
    plain = notes.backward_propagation_with_regularization(X, Y, cache, 0.0)
    for l, W in ((1, W1), (2, W2), (3, W3)):
        np.testing.assert_allclose(grads[f"dW{l}"] - plain[f"dW{l}"], lambd / m * W, rtol=1e-12, atol=1e-15)


def test_backward_propagation_with_dropout_equals_the_derivative_of_the_cost_with_those_masks():
    """The masks fixed, the cost is a smooth function of the parameters: every dW, db against its two-sided
    differences; dA = W^T dZ * D / keep_prob and dZ = dA * g'(Z) (a unit dropped or off gets 0, not a division)."""
    X, Y, parameters = three_layer_problem(5)
    rng = np.random.default_rng(50)
    keep_prob = 0.8
    masks = tuple((rng.random((n, X.shape[1])) < keep_prob).astype(int) for n in (4, 3))
    assert 0 < masks[0].sum() < masks[0].size and 0 < masks[1].sum() < masks[1].size  # some dropped, some kept
    Z1, A1, Z2, A2, Z3, A3 = forward(parameters, X, masks, keep_prob)
    assert min(np.abs(Z1).min(), np.abs(Z2).min()) > 1e-3
    assert (Z1 < 0).any() and (Z2 < 0).any()
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    cache = (Z1, masks[0], A1, W1, b1, Z2, masks[1], A2, W2, b2, Z3, A3, W3, b3)
    grads = notes.backward_propagation_with_dropout(X, Y, cache, keep_prob)
    assert sorted(grads) == sorted(["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"])
    assert_gradients(grads, two_sided_differences(lambda p: cost(p, X, Y, 0.0, masks, keep_prob), parameters))
    dZ3 = A3 - Y
    dA2 = W3.T @ dZ3 * masks[1] / keep_prob
    dZ2 = dA2 * (Z2 > 0)
    dA1 = W2.T @ dZ2 * masks[0] / keep_prob
    assert_gradients(grads, {"dZ3": dZ3, "dA2": dA2, "dZ2": dZ2, "dA1": dA1, "dZ1": dA1 * (Z1 > 0)})
    assert np.isfinite(grads["dZ1"]).all() and np.isfinite(grads["dW1"]).all()


# ----------------------------------------------------------------- the course's dropout masks


@pytest.fixture
def global_state_kept():
    """forward_propagation_with_dropout reseeds NumPy's global generator, as the course does: put it back."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def course_draws(n1, n2, m):
    """The numbers the course's masks come from: np.random.seed(1), then rand(n1, m) for D1 and rand(n2, m) for D2."""
    rng = np.random.RandomState(1)  # the same stream as np.random.seed(1), without touching the global one
    return rng.rand(n1, m), rng.rand(n2, m)


def test_forward_propagation_with_dropout_keeps_half_by_default_with_integer_masks(global_state_kept):
    X, _, parameters = three_layer_problem(7)
    r1, r2 = course_draws(4, 3, X.shape[1])
    masks = ((r1 < 0.5).astype(int), (r2 < 0.5).astype(int))
    A3, cache = notes.forward_propagation_with_dropout(X, parameters)  # keep_prob=0.5, the course's default
    D1, D2 = cache[1], cache[6]
    np.testing.assert_array_equal(D1, masks[0])
    np.testing.assert_array_equal(D2, masks[1])
    assert D1.dtype.kind == D2.dtype.kind == "i"  # the course's (rand < keep_prob).astype(int): 0/1 integers
    np.testing.assert_allclose(A3, forward(parameters, X, masks, 0.5)[-1], rtol=1e-12)


def test_forward_propagation_with_dropout_drops_a_draw_equal_to_keep_prob(global_state_kept):
    """d = rand < keep_prob, strictly: a unit whose draw equals keep_prob is dropped (in D1 and in D2)."""
    X, _, parameters = three_layer_problem(7)
    r1, r2 = course_draws(4, 3, X.shape[1])
    _, cache = notes.forward_propagation_with_dropout(X, parameters, keep_prob=r1[0, 0])
    assert cache[1][0, 0] == 0
    np.testing.assert_array_equal(cache[1], r1 < r1[0, 0])
    _, cache = notes.forward_propagation_with_dropout(X, parameters, keep_prob=r2[1, 2])
    assert cache[6][1, 2] == 0
    np.testing.assert_array_equal(cache[6], r2 < r2[1, 2])


def test_L_model_forward_drops_a_draw_equal_to_keep_prob():
    parameters = notes.initialize_parameters_deep([3, 4, 1], seed=0)
    X = np.random.default_rng(1).standard_normal((3, 5))
    draws = np.random.default_rng(7).random((4, 5))  # the mask of A[1] (4, 5), the first thing seed 7 draws
    keep_prob = draws[2, 3]
    _, caches = notes.L_model_forward(X, parameters, keep_prob=keep_prob, seed=7)
    D, kp = caches[1][2]
    assert kp == keep_prob and not D[2, 3]
    np.testing.assert_array_equal(D, draws < keep_prob)


# ----------------------------------------------------------------- defaults


def test_compute_cost_adds_no_l2_term_unless_asked():
    rng = np.random.default_rng(11)
    AL = sigmoid(rng.standard_normal((1, 8)))
    Y = (rng.random((1, 8)) < 0.5).astype(float)
    parameters = {"W1": 3 * np.ones((2, 2)), "b1": np.zeros((2, 1))}  # large weights: any L2 term would show
    expected = cross_entropy(AL, Y)
    assert notes.compute_cost(AL, Y, parameters) == pytest.approx(expected, rel=1e-12)
    assert notes.compute_cost(AL, Y, parameters, l2=0.5) == pytest.approx(expected + 0.5 / 16 * 36, rel=1e-12)


def test_initialize_parameters_deep_defaults_to_he_at_scale_one():
    parameters = notes.initialize_parameters_deep([4, 3], seed=0)
    expected = np.sqrt(2 / 4) * np.random.default_rng(0).standard_normal((3, 4))  # He: std sqrt(2 / n[l-1])
    np.testing.assert_allclose(parameters["W1"], expected, rtol=1e-15)
    np.testing.assert_array_equal(parameters["b1"], np.zeros((3, 1)))


# ----------------------------------------------------------------- gradient_check_n's printed verdict


def course_gradient_checking_case():
    """The course's "Gradient Checking" case (np.random.seed(1)): its correct backward gives 1.19e-7."""
    rng = np.random.RandomState(1)
    X, Y = rng.randn(4, 3), np.array([[1, 1, 0]])
    shapes = [("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))]
    return X, Y, {name: rng.randn(*shape) for name, shape in shapes}


def test_gradient_check_n_prints_its_verdict(capsys):
    X, Y, parameters = course_gradient_checking_case()
    difference = notes.gradient_check_n(parameters, X, Y, print_msg=True)
    assert difference < 2e-7
    assert capsys.readouterr().out.strip().endswith("(backward propagation looks right)")
    AL, caches = notes.L_model_forward(X, parameters)
    grads = notes.L_model_backward(AL, Y, caches)
    buggy = dict(grads, dW2=grads["dW2"] * 2, db1=grads["db1"] * 4)  # the assignment's planted bugs: about 0.29
    difference = notes.gradient_check_n(parameters, X, Y, gradients=buggy, print_msg=True)
    assert 0.1 < difference < 1
    assert capsys.readouterr().out.strip().endswith("(there may be a bug in backward)")
