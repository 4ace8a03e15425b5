"""glassnet.notes: each function, the course assignments' published test cases, and gradient-check properties.

The course cases regenerate their inputs as the assignments do (np.random.seed(k) then randn), here through
np.random.RandomState(k) so the global state is never touched, and compare with the numbers the assignments print:
8 decimals, so to rtol 1e-7 and half a unit of the 8th decimal; numbers printed in full are compared to 1e-12.
"""

import ast
import re
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from glassnet import notes

RS = np.random.RandomState
SOURCE = Path(notes.__file__)


def printed(actual, expected):
    """actual equals numbers the course printed to 8 decimals."""
    np.testing.assert_allclose(actual, expected, rtol=1e-7, atol=5e-9)


def draw(rng, shapes):
    """Arrays of standard-normal draws in order, as the course's test cases draw them: {name: randn(*shape)}."""
    return {name: rng.randn(*shape) for name, shape in shapes}


def three_layer(rng, n_x, m, n1, n2):
    """X (n_x, m) then W1, b1, W2, b2, W3, b3 of a n_x-n1-n2-1 network, drawn in the Regularization case's order."""
    X = rng.randn(n_x, m)
    return X, draw(rng, [("W1", (n1, n_x)), ("b1", (n1, 1)), ("W2", (n2, n1)), ("b2", (n2, 1)),
                         ("W3", (1, n2)), ("b3", (1, 1))])


# ---------------------------------------------------------------- "Building your Deep Neural Network: Step by Step"
def test_course_initialize_parameters_deep():
    parameters = notes.initialize_parameters_deep([5, 4, 3], initializer="random", scale=0.01, seed=RS(3))
    printed(parameters["W1"], [[0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
                               [-0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218],
                               [-0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034],
                               [-0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068]])
    printed(parameters["W2"], [[-0.01185047, -0.0020565, 0.01486148, 0.00236716],
                               [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
                               [-0.00768836, -0.00230031, 0.00745056, 0.01976111]])
    np.testing.assert_array_equal(parameters["b1"], np.zeros((4, 1)))
    np.testing.assert_array_equal(parameters["b2"], np.zeros((3, 1)))
    two_layer = notes.initialize_parameters_deep([3, 2, 1], initializer="random", scale=0.01, seed=RS(1))
    printed(two_layer["W1"], [[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]])
    printed(two_layer["W2"], [[0.01744812, -0.00761207]])


def test_course_linear_forward():
    rng = RS(1)
    Z, cache = notes.linear_forward(rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1))
    printed(Z, [[3.26295337, -1.23429987]])


def test_course_linear_activation_forward():
    rng = RS(2)
    A_prev, W, b = rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)
    printed(notes.linear_activation_forward(A_prev, W, b, "sigmoid")[0], [[0.96890023, 0.11013289]])
    printed(notes.linear_activation_forward(A_prev, W, b, "relu")[0], [[3.43896131, 0.0]])


def test_course_L_model_forward_two_hidden_layers():
    rng = RS(6)
    X = rng.randn(5, 4)
    parameters = draw(rng, [("W1", (4, 5)), ("b1", (4, 1)), ("W2", (3, 4)), ("b2", (3, 1)), ("W3", (1, 3)),
                            ("b3", (1, 1))])
    AL, caches = notes.L_model_forward(X, parameters)
    printed(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]])
    assert len(caches) == 3


def test_course_compute_cost():
    AL = np.array([[0.8, 0.9, 0.4]])
    assert notes.compute_cost(AL, np.array([[1, 1, 0]])) == pytest.approx(0.2797765635793422, rel=1e-12)
    assert notes.compute_cost(AL, np.array([[1, 1, 1]])) == pytest.approx(0.41493159961539694, rel=1e-12)


def test_course_linear_backward():
    rng = RS(1)
    dZ, A, W, b = rng.randn(3, 4), rng.randn(5, 4), rng.randn(3, 5), rng.randn(3, 1)
    dA_prev, dW, db = notes.linear_backward(dZ, (A, W, b))
    printed(dA_prev, [[-1.15171336, 0.06718465, -0.3204696, 2.09812712],
                      [0.60345879, -3.72508701, 5.81700741, -3.84326836],
                      [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
                      [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
                      [-2.52214926, 2.67882552, -0.67947465, 1.48119548]])
    printed(dW, [[0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
                 [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
                 [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]])
    printed(db, [[-0.14713786], [-0.11313155], [-0.13209101]])


def test_course_linear_activation_backward_with_a_hand_built_cache():
    rng = RS(2)
    dA, A, W, b, Z = rng.randn(1, 2), rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1), rng.randn(1, 2)
    cache = ((A, W, b), Z)  # the course's cache, Z drawn at random: not W A + b
    dA_prev, dW, db = notes.linear_activation_backward(dA, cache, "sigmoid")
    printed(dA_prev, [[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]])
    printed(dW, [[0.10266786, 0.09778551, -0.01968084]])
    printed(db, [[-0.05729622]])
    dA_prev, dW, db = notes.linear_activation_backward(dA, cache, "relu")
    printed(dA_prev, [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]])
    printed(dW, [[0.44513824, 0.37371418, -0.10478989]])
    printed(db, [[-0.20837892]])


def test_course_L_model_backward_with_hand_built_caches():
    rng = RS(3)
    AL, Y = rng.randn(1, 2), np.array([[1, 0]])  # AL drawn at random: the course's dA[L] formula is what counts
    first = ((rng.randn(4, 2), rng.randn(3, 4), rng.randn(3, 1)), rng.randn(3, 2))
    second = ((rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)), rng.randn(1, 2))
    grads = notes.L_model_backward(AL, Y, [first, second])
    printed(grads["dA0"], [[0.0, 0.52257901], [0.0, -0.3269206], [0.0, -0.32070404], [0.0, -0.74079187]])
    printed(grads["dA1"], [[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]])
    printed(grads["dW1"], [[0.41010002, 0.07807203, 0.13798444, 0.10502167], [0.0, 0.0, 0.0, 0.0],
                           [0.05283652, 0.01005865, 0.01777766, 0.0135308]])
    printed(grads["dW2"], [[-0.39202432, -0.13325855, -0.04601089]])
    printed(grads["db1"], [[-0.22007063], [0.0], [-0.02835349]])
    printed(grads["db2"], [[0.15187861]])


def test_course_update_parameters():
    parameters = draw(RS(2), [("W1", (3, 4)), ("b1", (3, 1)), ("W2", (1, 3)), ("b2", (1, 1))])
    grads = draw(RS(3), [("dW1", (3, 4)), ("db1", (3, 1)), ("dW2", (1, 3)), ("db2", (1, 1))])
    updated = notes.update_parameters(parameters, grads, 0.1)
    printed(updated["W1"], [[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                            [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                            [-1.0535704, -0.86128581, 0.68284052, 2.20374577]])
    printed(updated["b1"], [[-0.04659241], [-1.28888275], [0.53405496]])
    printed(updated["W2"], [[-0.55569196, 0.0354055, 1.32964895]])
    printed(updated["b2"], [[-0.84610769]])


# ---------------------------------------------------------------- "Regularization"
def test_course_compute_cost_with_regularization():
    parameters = draw(RS(1), [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)), ("W3", (1, 3)),
                              ("b3", (1, 1))])  # this case draws no X: W1 comes first
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = notes.compute_cost(a3, np.array([[1, 1, 0, 1, 0]]), parameters, l2=0.1)
    assert cost == pytest.approx(1.78648594516, abs=5e-12)


def test_course_backward_propagation_with_regularization():
    X, parameters = three_layer(RS(1), 3, 5, 2, 3)
    AL, caches = notes.L_model_forward(X, parameters)
    printed(AL, [[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])  # the course's cache holds this A3
    grads = notes.L_model_backward(AL, np.array([[1, 1, 0, 1, 0]]), caches, l2=0.7)
    printed(grads["dW1"], [[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]])
    printed(grads["dW2"], [[0.79276486, 0.85133918], [-0.0957219, -0.01720463], [-0.13100772, -0.03750433]])
    printed(grads["dW3"], [[-1.77691347, -0.11832879, -0.09397446]])


def test_course_forward_propagation_with_dropout():
    X, parameters = three_layer(RS(1), 3, 5, 2, 3)
    AL, caches = notes.L_model_forward(X, parameters, keep_prob=0.7, seed=RS(1))
    printed(AL, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]])
    assert [len(cache) for cache in caches] == [2, 3, 3]  # hidden layers only, as the course drops them


def test_course_backward_propagation_with_dropout():
    # The course's case holds a forward pass made with keep_prob 0.5 and np.random.seed(1) masks, and runs
    # backward with keep_prob 0.8: we make the same forward pass and put 0.8 into the caches by hand.
    X, parameters = three_layer(RS(1), 3, 5, 2, 3)
    AL, caches = notes.L_model_forward(X, parameters, keep_prob=0.5, seed=RS(1))
    np.testing.assert_array_equal(caches[1][2][0], [[True, False, True, True, True], [True, True, True, True, False]])
    np.testing.assert_array_equal(caches[2][2][0], [[True, False, True, False, True], [False, True, False, True, True],
                                                    [False, False, True, False, False]])
    printed(caches[1][0][0], [[0.0, 0.0, 4.27989081, 5.21401307, 0.0], [0.0, 8.32019881, 1.58102041, 2.92987024, 0.0]])
    printed(AL, [[0.32266394, 0.49683389, 0.00348883, 0.49683389, 0.32266394]])
    caches = [cache if len(cache) == 2 else cache[:2] + ((cache[2][0], 0.8),) for cache in caches]
    grads = notes.L_model_backward(AL, np.array([[1, 1, 0, 1, 0]]), caches)
    # The course's cache holds its arrays printed to 8 decimals (A3[2] = 0.00348883, a relative rounding of up to
    # 1.4e-6), ours holds the unrounded pass: the outputs agree to 1e-8 (dA1[0, 2]: ours -0.0018823360).
    np.testing.assert_allclose(grads["dA1"], [[0.36544439, 0.0, -0.00188233, 0.0, -0.17408748],
                                              [0.65515713, 0.0, -0.00337459, 0.0, -0.0]], rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(grads["dA2"], [[0.58180856, 0.0, -0.00299679, 0.0, -0.27715731],
                                              [0.0, 0.53159854, -0.0, 0.53159854, -0.34089673],
                                              [0.0, 0.0, -0.00292733, 0.0, -0.0]], rtol=1e-7, atol=1e-8)


# ---------------------------------------------------------------- "Gradient Checking"
def gradient_checking_case():
    rng = RS(1)
    X, Y = rng.randn(4, 3), np.array([[1, 1, 0]])
    parameters = draw(rng, [("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)), ("W3", (1, 3)),
                            ("b3", (1, 1))])
    return X, Y, parameters


def test_course_gradient_check_n_correct_backward():
    X, Y, parameters = gradient_checking_case()
    difference = notes.gradient_check_n(parameters, X, Y)
    # The course prints 1.1890913022840002e-07 for a correct backward pass: above 1e-7, below its 2e-7 threshold.
    assert difference == pytest.approx(1.1890913022840002e-07, rel=1e-6)
    assert difference < 2e-7
    assert notes.gradient_check_n(parameters, X, Y.ravel()) == difference  # the course's own y is rank-1 (3,)


def test_course_gradient_check_n_finds_the_planted_bugs():
    X, Y, parameters = gradient_checking_case()
    AL, caches = notes.L_model_forward(X, parameters)
    grads = notes.L_model_backward(AL, Y, caches)
    buggy = dict(grads, dW2=grads["dW2"] * 2, db1=grads["db1"] * 4)  # the assignment's two bugs
    assert notes.gradient_check_n(parameters, X, Y, gradients=buggy) == pytest.approx(0.2850931567761624, rel=1e-9)


# ---------------------------------------------------------------- each function
def test_module_is_plain_numpy_short_and_numbered_once():
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names}
    assert imported == {"numpy"}
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 400
    for number, code in [("(6)", "dZ = dA * g_prime(Z, activation)"), ("(7)", "dW = 1 / m * dZ @ A_prev.T"),
                         ("(8)", "db = 1 / m * np.sum(dZ, axis=1, keepdims=True)"), ("(9)", "dA_prev = W.T @ dZ")]:
        label = re.escape(number) + r" 反向传播 backward propagation"
        found = [line for line in lines if re.search(r"#\s*" + label, line)]
        assert len(found) == 1 and code in found[0], number


@pytest.mark.parametrize(("activation", "z", "a"), [
    ("sigmoid", [-1.0, 0.0, 2.0], [1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-2.0))]),
    ("tanh", [-1.0, 0.0, 2.0], np.tanh([-1.0, 0.0, 2.0])),
    ("relu", [-1.0, 0.0, 2.0], [0.0, 0.0, 2.0]),
    ("leaky_relu", [-1.0, 0.0, 2.0], [-0.01, 0.0, 2.0]),
    (("leaky_relu", 0.2), [-1.0, 0.0, 2.0], [-0.2, 0.0, 2.0]),
    ("linear", [-1.0, 0.0, 2.0], [-1.0, 0.0, 2.0]),
])
def test_activation_values(activation, z, a):
    np.testing.assert_allclose(notes.g(np.array([z]), activation), [a], rtol=1e-15)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", ("leaky_relu", 0.3), "linear"])
def test_activation_derivative_matches_a_two_sided_difference(activation):
    Z = np.array([[-2.0, -0.7, 0.4, 1.9]])
    numeric = (notes.g(Z + 1e-6, activation) - notes.g(Z - 1e-6, activation)) / 2e-6
    np.testing.assert_allclose(notes.g_prime(Z, activation), numeric, rtol=1e-8)


def test_derivatives_at_zero_and_unknown_names():
    assert notes.g_prime(np.array([[0.0]]), "relu")[0, 0] == 0.0
    assert notes.g_prime(np.array([[0.0]]), ("leaky_relu", 0.3))[0, 0] == 0.3
    with pytest.raises(ValueError, match="unknown activation"):
        notes.g(np.zeros((1, 1)), "swish")
    with pytest.raises(ValueError, match="softmax"):
        notes.g_prime(np.zeros((2, 1)), "softmax")


def test_softmax_columns_are_probabilities():
    Z = np.array([[1.0, -3.0, 1000.0], [2.0, 0.0, 1000.0], [0.5, 3.0, -1000.0]])
    A = notes.g(Z, "softmax")
    np.testing.assert_allclose(A.sum(axis=0), 1.0)
    np.testing.assert_allclose(A[:, 0], np.exp(Z[:, 0]) / np.exp(Z[:, 0]).sum())
    np.testing.assert_allclose(A[:, 2], [0.5, 0.5, 0.0])


@pytest.mark.parametrize(("initializer", "std"), [
    ("random", 1.0), ("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400)), ("glorot", np.sqrt(2 / 700)),
])
def test_initializer_standard_deviations(initializer, std):
    parameters = notes.initialize_parameters_deep([400, 300], initializer=initializer, scale=2.0, seed=0)
    assert parameters["W1"].shape == (300, 400) and parameters["b1"].shape == (300, 1)
    assert parameters["W1"].std() == pytest.approx(2.0 * std, rel=0.02)
    assert abs(parameters["W1"].mean()) < 0.02 * std
    assert not parameters["b1"].any()


def test_initializer_zeros_and_seeds():
    assert not notes.initialize_parameters_deep([3, 4, 2], initializer="zeros", seed=0)["W2"].any()
    state = np.random.get_state()[1].copy()
    a = notes.initialize_parameters_deep([3, 4, 2], seed=5)
    b = notes.initialize_parameters_deep([3, 4, 2], seed=np.random.default_rng(5))
    c = notes.initialize_parameters_deep([3, 4, 2])
    np.testing.assert_array_equal(a["W2"], b["W2"])
    assert not np.array_equal(a["W1"], c["W1"])
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # the global state is never used


def test_linear_and_activation_caches_are_the_courses():
    rng = np.random.default_rng(0)
    A_prev, W, b = rng.standard_normal((3, 4)), rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
    Z, linear_cache = notes.linear_forward(A_prev, W, b)
    assert linear_cache[0] is A_prev and linear_cache[1] is W and linear_cache[2] is b
    np.testing.assert_allclose(Z, W @ A_prev + b)
    A, cache = notes.linear_activation_forward(A_prev, W, b, "tanh")
    assert len(cache) == 2 and cache[0][0] is A_prev
    np.testing.assert_allclose(cache[1], Z)
    np.testing.assert_allclose(A, np.tanh(Z))


def small_network(seed, layer_dims=(4, 5, 3, 2), m=6):
    rng = np.random.default_rng(seed)
    parameters = notes.initialize_parameters_deep(list(layer_dims), initializer="xavier", seed=rng)
    return parameters, rng.standard_normal((layer_dims[0], m))


def test_L_model_forward_activations_and_no_dropout_by_default():
    parameters, X = small_network(0)
    AL, caches = notes.L_model_forward(X, parameters, activations=["tanh", ("leaky_relu", 0.1), "softmax"])
    A1 = np.tanh(parameters["W1"] @ X + parameters["b1"])
    A2 = notes.g(parameters["W2"] @ A1 + parameters["b2"], ("leaky_relu", 0.1))
    np.testing.assert_allclose(AL, notes.g(parameters["W3"] @ A2 + parameters["b3"], "softmax"))
    assert [len(cache) for cache in caches] == [2, 2, 2]
    AL_default, _ = notes.L_model_forward(X, parameters, hidden_activation="relu", output_activation="sigmoid")
    np.testing.assert_array_equal(AL_default, notes.L_model_forward(X, parameters)[0])
    with pytest.raises(TypeError):
        notes.L_model_forward(X, parameters, hiden_activation="tanh")  # a misspelt choice is not ignored


def test_L_model_forward_inverted_dropout():
    parameters, X = small_network(1, layer_dims=(50, 400, 300, 1), m=40)
    AL, caches = notes.L_model_forward(X, parameters, keep_prob=[0.9, 0.5, 0.8], seed=2)
    assert [len(cache) for cache in caches] == [3, 3, 3]
    for cache, keep_prob in zip(caches, [0.9, 0.5, 0.8], strict=True):
        D, kept = cache[2]
        assert kept == keep_prob and D.dtype == bool
        assert D.mean() == pytest.approx(keep_prob, abs=0.03)
    D1 = caches[0][2][0]
    np.testing.assert_allclose(caches[0][0][0], X * D1 / 0.9)  # a = a * d / keep_prob on the input features
    A1 = notes.g(caches[0][1], "relu")
    np.testing.assert_allclose(caches[1][0][0], A1 * caches[1][2][0] / 0.5)
    again, _ = notes.L_model_forward(X, parameters, keep_prob=[0.9, 0.5, 0.8], seed=2)
    np.testing.assert_array_equal(AL, again)
    masks = [cache[2][0] for cache in caches]
    given_masks, _ = notes.L_model_forward(X, parameters, keep_prob=[0.9, 0.5, 0.8], dropout_masks=masks, seed=99)
    np.testing.assert_array_equal(AL, given_masks)
    _, float_caches = notes.L_model_forward(X, parameters, keep_prob=0.5, seed=2)
    assert [len(cache) for cache in float_caches] == [2, 3, 3]  # a float drops hidden layers only


def test_compute_cost_softmax_linear_and_l2():
    AL = np.array([[0.7, 0.2], [0.2, 0.5], [0.1, 0.3]])
    Y = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    assert notes.compute_cost(AL, Y, output="softmax") == pytest.approx(-(np.log(0.7) + np.log(0.3)) / 2)
    assert notes.compute_cost(AL, Y, output="linear") == pytest.approx(np.sum((AL - Y) ** 2) / 4)
    parameters = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[5.0]]), "W2": np.array([[3.0]]),
                  "b2": np.zeros((1, 1))}
    plain = notes.compute_cost(AL, Y, output="linear")
    assert notes.compute_cost(AL, Y, parameters, l2=0.5, output="linear") == pytest.approx(plain + 0.5 / 4 * 14)
    assert notes.compute_cost(AL, Y, parameters, l2=0.0, output="linear") == plain
    with pytest.raises(ValueError, match="unknown output"):
        notes.compute_cost(AL, Y, output="hinge")


def test_linear_backward_keeps_the_one_over_m():
    rng = np.random.default_rng(3)
    dZ, A_prev, W, b = (rng.standard_normal(s) for s in [(2, 5), (3, 5), (2, 3), (2, 1)])
    dA_prev, dW, db = notes.linear_backward(dZ, (A_prev, W, b))
    np.testing.assert_allclose(dW, dZ @ A_prev.T / 5)
    np.testing.assert_allclose(db, dZ.sum(axis=1, keepdims=True) / 5)
    np.testing.assert_allclose(dA_prev, W.T @ dZ)


def test_L_model_backward_drops_dA_with_the_forward_mask():
    parameters, X = small_network(4)
    Y = np.array([[1.0, 0.0, 1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0, 1.0, 1.0]])
    AL, caches = notes.L_model_forward(X, parameters, keep_prob=[0.7, 0.5, 0.5], seed=1,
                                       hidden_activation="tanh", output_activation="softmax")
    grads = notes.L_model_backward(AL, Y, caches, hidden_activation="tanh", output_activation="softmax")
    assert sorted(grads) == ["dA0", "dA1", "dA2", "dW1", "dW2", "dW3", "db1", "db2", "db3"]
    for l in range(3):
        D = caches[l][2][0]
        assert not grads[f"dA{l}"][~D].any()  # dropped units pass no gradient back
    # with the masks fixed, the gradients are those of the dropped network: check them numerically
    masks = [cache[2][0] for cache in caches]
    theta, _ = notes.dictionary_to_vector(parameters)

    def J(vector):
        candidate = notes.vector_to_dictionary(vector, [4, 5, 3, 2])
        AL_candidate, _ = notes.L_model_forward(X, candidate, keep_prob=[0.7, 0.5, 0.5], dropout_masks=masks,
                                                hidden_activation="tanh", output_activation="softmax")
        return notes.compute_cost(AL_candidate, Y, output="softmax")

    numeric = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        step = np.zeros_like(theta)
        step[i] = 1e-6
        numeric[i] = (J(theta + step) - J(theta - step)) / 2e-6
    analytic, _ = notes.dictionary_to_vector({name: grads["d" + name] for name in parameters})
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_update_parameters_returns_a_new_dict():
    parameters = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.full((2, 2), 2.0), "db1": np.ones((2, 1))}
    updated = notes.update_parameters(parameters, grads, 0.5)
    np.testing.assert_array_equal(updated["W1"], np.zeros((2, 2)))
    np.testing.assert_array_equal(updated["b1"], np.full((2, 1), -0.5))
    np.testing.assert_array_equal(parameters["W1"], np.ones((2, 2)))


def test_vector_round_trip_and_order():
    parameters = notes.initialize_parameters_deep([3, 2, 1], seed=0)
    parameters["b1"] = np.array([[7.0], [8.0]])
    theta, keys = notes.dictionary_to_vector(parameters)
    assert theta.shape == (11, 1)
    assert keys == ["W1"] * 6 + ["b1"] * 2 + ["W2"] * 2 + ["b2"]
    np.testing.assert_array_equal(theta[:6, 0], parameters["W1"].ravel())  # row-major
    back = notes.vector_to_dictionary(theta, [3, 2, 1])
    for name in parameters:
        np.testing.assert_array_equal(back[name], parameters[name])


def test_gradient_check_n_prints_when_asked(capsys):
    X, Y, parameters = gradient_checking_case()
    notes.gradient_check_n(parameters, X, Y)
    assert capsys.readouterr().out == ""
    notes.gradient_check_n(parameters, X, Y, print_msg=True)
    assert "difference = 1.189e-07" in capsys.readouterr().out


# ---------------------------------------------------------------- properties
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", ("leaky_relu", 0.2), "linear"]
OUTPUTS = ["sigmoid", "softmax", "linear"]


def random_problem(seed, hidden, output):
    """A small random network (1-3 hidden layers) with X (n_x, m >= 2) and Y for the output."""
    rng = np.random.default_rng(seed)
    L = int(rng.integers(2, 5))
    n_y = int(rng.integers(2, 4)) if output == "softmax" else int(rng.integers(1, 3))
    layer_dims = [int(rng.integers(2, 5)) for _ in range(L)] + [n_y]
    m = int(rng.integers(2, 6))
    parameters = notes.initialize_parameters_deep(layer_dims, initializer="xavier", seed=rng)
    for l in range(1, L + 1):
        parameters[f"b{l}"] = 0.1 * rng.standard_normal((layer_dims[l], 1))
    X = rng.standard_normal((layer_dims[0], m))
    if output == "sigmoid":
        Y = (rng.random((n_y, m)) < 0.5).astype(float)
    elif output == "softmax":
        Y = np.eye(n_y)[:, rng.integers(0, n_y, m)]
    else:
        Y = rng.standard_normal((n_y, m))
    return parameters, X, Y


def gradient_norm(parameters, X, Y, l2, hidden, output, prefix=""):
    """||dθ||_2 over the parameters whose names start with ``prefix`` ("W": the weights only)."""
    AL, caches = notes.L_model_forward(X, parameters, hidden_activation=hidden, output_activation=output)
    grads = notes.L_model_backward(AL, Y, caches, l2, hidden_activation=hidden, output_activation=output)
    return np.sqrt(sum(np.sum(grads["d" + name] ** 2) for name in parameters if name.startswith(prefix)))


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), hidden=st.sampled_from(HIDDEN), output=st.sampled_from(OUTPUTS),
       l2=st.sampled_from([0.0, 0.7]))
def test_gradient_check_passes_for_every_activation_and_output(seed, hidden, output, l2):
    parameters, X, Y = random_problem(seed, hidden, output)
    # With ε = 1e-7 the two-sided difference carries a rounding error of about 1e-16 |J| / ε per entry, so a
    # vanishing gradient would be judged by noise: the property is for gradients that are not tiny.
    assume(gradient_norm(parameters, X, Y, l2, hidden, output) > 0.05)
    difference = notes.gradient_check_n(parameters, X, Y, l2=l2, hidden_activation=hidden, output_activation=output)
    assert difference < 1e-7


def backward_missing_one_over_m(dZ, cache):
    """linear_backward with a planted bug: (7) without its 1/m."""
    A_prev, W, b = cache
    return W.T @ dZ, dZ @ A_prev.T, 1 / A_prev.shape[1] * np.sum(dZ, axis=1, keepdims=True)


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), hidden=st.sampled_from(HIDDEN), output=st.sampled_from(OUTPUTS),
       l2=st.sampled_from([0.0, 0.7]))
def test_gradient_check_catches_a_missing_one_over_m(seed, hidden, output, l2):
    parameters, X, Y = random_problem(seed, hidden, output)
    # The bug is in the loss part of dW only (dZ A^T), so it shows where that part is not tiny: every ReLU unit dead
    # leaves db and the L2 term alone, which the bug does not touch.
    assume(gradient_norm(parameters, X, Y, 0.0, hidden, output, prefix="W") > 0.05)
    with mock.patch.object(notes, "linear_backward", backward_missing_one_over_m):
        difference = notes.gradient_check_n(parameters, X, Y, l2=l2, hidden_activation=hidden,
                                            output_activation=output)
    assert difference > 1e-3


# ---------------------------------------------------------------- the course's 3-layer functions (Regularization)
def test_course_3_layer_functions_reproduce_the_published_cases():
    parameters = draw(RS(1), [("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)), ("W3", (1, 3)),
                              ("b3", (1, 1))])
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = notes.compute_cost_with_regularization(a3, np.array([[1, 1, 0, 1, 0]]), parameters, 0.1)
    assert isinstance(cost, float) and cost == pytest.approx(1.78648594516, abs=5e-12)
    X, parameters = three_layer(RS(1), 3, 5, 2, 3)
    Y = np.array([[1, 1, 0, 1, 0]])
    A3, cache = notes.forward_propagation(X, parameters)
    printed(A3, [[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    grads = notes.backward_propagation_with_regularization(X, Y, cache, 0.7)
    printed(grads["dW1"], [[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]])
    printed(grads["dW3"], [[-1.77691347, -0.11832879, -0.09397446]])
    state = np.random.get_state()
    A3, cache = notes.forward_propagation_with_dropout(X, parameters, keep_prob=0.7)
    np.random.set_state(state)
    printed(A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]])
    _, cache = notes.forward_propagation_with_dropout(X, parameters, keep_prob=0.5)
    np.random.set_state(state)
    np.testing.assert_array_equal(cache[6], [[1, 0, 1, 0, 1], [0, 1, 0, 1, 1], [0, 0, 1, 0, 0]])
    grads = notes.backward_propagation_with_dropout(X, Y, cache, 0.8)
    np.testing.assert_allclose(grads["dA1"], [[0.36544439, 0.0, -0.00188233, 0.0, -0.17408748],
                                              [0.65515713, 0.0, -0.00337459, 0.0, -0.0]], rtol=1e-7, atol=1e-8)
    assert sorted(grads) == sorted(["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"])
