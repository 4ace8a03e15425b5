"""The course's helper functions in the course's signatures, written on ``glassnet.notes``.

What the assignments import from files that cannot be shared (``dnn_utils``, ``reg_utils``, ``gc_utils``) and what
their notebooks give: ``sigmoid(Z) -> (A, cache)``, ``relu``, their ``*_backward``, ``forward_propagation`` of the
3-layer network, ``forward_propagation_n`` and the vector helpers of the gradient check, ``predict``; and each
function a learner writes, as the reference it is checked against. Import what your notebook does not define:

    from glassnet.exercises.helpers import sigmoid, relu, sigmoid_backward, relu_backward

None of them draws from or reseeds NumPy's global generator, except where the course's own function does so
(``initialize_parameters`` seeds 1, ``initialize_parameters_deep`` 3, ``forward_propagation_with_dropout`` 1: the
numbers the course prints).
"""

from __future__ import annotations

import numpy as np

from .. import notes

# the gradient-checking assignment's network: X (4, m), W1 (5, 4), W2 (3, 5), W3 (1, 3)
COURSE_LAYER_DIMS = [4, 5, 3, 1]
_last_layer_dims = list(COURSE_LAYER_DIMS)  # vector_to_dictionary reads theta back in the last shapes it saw


# ---------------------------------------------------------------- activations (dnn_utils)
def sigmoid(Z):
    """A = 1 / (1 + e^-Z) and cache = Z (C1 §3.6). Shapes: A like Z."""
    return notes.g(Z, "sigmoid"), Z


def relu(Z):
    """A = max(0, Z) and cache = Z (C1 §3.6). Shapes: A like Z."""
    return notes.g(Z, "relu"), Z


def sigmoid_backward(dA, cache):
    """dZ = dA * s (1 - s) with s = sigmoid(Z), Z = cache: (6) with C1 §3.8's derivative."""
    return dA * notes.g_prime(cache, "sigmoid")


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0 (Z = cache): (6) with ReLU' (C1 §3.8); dA is not changed."""
    return dA * notes.g_prime(cache, "relu")


# ---------------------------------------------------------------- the L-layer network (Step by Step)
def initialize_parameters(n_x, n_h, n_y):
    """W1 (n_h, n_x), W2 (n_y, n_h) = randn * 0.01 after np.random.seed(1), b = 0 (C1 §3.11): the course's numbers."""
    return notes.initialize_parameters_deep([n_x, n_h, n_y], "random", 0.01, seed=np.random.RandomState(1))


def initialize_parameters_deep(layer_dims):
    """W[l] = randn(n[l], n[l-1]) * 0.01 after np.random.seed(3), b[l] = 0 (C1 §3.11): the course's numbers."""
    return notes.initialize_parameters_deep(list(layer_dims), "random", 0.01, seed=np.random.RandomState(3))


def linear_forward(A, W, b):
    """Z = W A + b and cache = (A, W, b) (C1 §4.2)."""
    return notes.linear_forward(A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b) and cache = ((A_prev, W, b), Z); activation "sigmoid" or "relu"."""
    return notes.linear_activation_forward(A_prev, W, b, activation)


def L_model_forward(X, parameters):
    """AL and the L caches: ReLU for layers 1..L-1, sigmoid for layer L (C1 §4.3)."""
    return notes.L_model_forward(X, parameters)


def compute_cost(AL, Y):
    """J = -(1/m) Σ (y log a + (1-y) log(1-a)), a float (C1 §2.3)."""
    return notes.compute_cost(AL, Y)


def linear_backward(dZ, cache):
    """dA_prev, dW, db by (9), (7), (8) (C1 §4.2)."""
    return notes.linear_backward(dZ, cache)


def linear_activation_backward(dA, cache, activation):
    """dA_prev, dW, db: (6) then (7), (8), (9); activation "sigmoid" or "relu"."""
    return notes.linear_activation_backward(dA, cache, activation)


def L_model_backward(AL, Y, caches):
    """grads "dA0".."dA{L-1}", "dW1".."dWL", "db1".."dbL" from dA[L] = -(Y/AL - (1-Y)/(1-AL)) (C1 §4.6)."""
    return notes.L_model_backward(AL, Y, caches)


def update_parameters(params, grads, learning_rate):
    """W[l] -= α dW[l], b[l] -= α db[l], in a new dict (C1 §4.6)."""
    return notes.update_parameters(params, grads, learning_rate)


def predict(X, y, parameters):
    """0/1 predictions (1, m) of an L-layer network (A[L] > 0.5) and its accuracy on y."""
    AL, _ = notes.L_model_forward(X, parameters)
    p = (AL > 0.5).astype(int)
    return p, float(np.mean(p == y))


# ---------------------------------------------------------------- the 3-layer network (Regularization)
def forward_propagation(X, parameters):
    """A3 and the course's flat cache (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)."""
    return notes.forward_propagation(X, parameters)


def backward_propagation(X, Y, cache):
    """The 3-layer network's gradients without regularization (keys dZ3, dW3, db3, ..., db1)."""
    return notes.backward_propagation_with_regularization(X, Y, cache, 0.0)


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """J + (λ/2m) Σ ||W[l]||², a float (C2 §1.4)."""
    return notes.compute_cost_with_regularization(A3, Y, parameters, lambd)


def backward_propagation_with_regularization(X, Y, cache, lambd):
    """The 3-layer gradients with (λ/m) W[l] added to each dW[l] (C2 §1.4)."""
    return notes.backward_propagation_with_regularization(X, Y, cache, lambd)


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    """Inverted dropout on A1 and A2 with the course's masks (np.random.seed(1)); the global state is restored."""
    state = np.random.get_state()
    try:
        return notes.forward_propagation_with_dropout(X, parameters, keep_prob)
    finally:
        np.random.set_state(state)


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """The 3-layer gradients through the forward pass's masks, dA = dA * D / keep_prob (C2 §1.6)."""
    return notes.backward_propagation_with_dropout(X, Y, cache, keep_prob)


def predict_3_layer(X, y, parameters):
    """0/1 predictions (1, m) of the 3-layer network (no dropout) and its accuracy on y."""
    A3, _ = notes.forward_propagation(X, parameters)
    p = (A3 > 0.5).astype(int)
    return p, float(np.mean(p == y))


# ---------------------------------------------------------------- gradient checking (gc_utils)
def forward_propagation_n(X, Y, parameters):
    """cost and the 3-layer cache: J = -(1/m) Σ (y log a3 + (1-y) log(1-a3)) of the course's network."""
    A3, cache = notes.forward_propagation(X, parameters)
    return notes.compute_cost(A3, np.asarray(Y).reshape(A3.shape)), cache


def backward_propagation_n(X, Y, cache):
    """The correct gradients of forward_propagation_n (the course's version plants two bugs; this one has none)."""
    return notes.backward_propagation_with_regularization(X, np.asarray(Y).reshape(1, -1), cache, 0.0)


def dictionary_to_vector(parameters):
    """theta (n, 1): W1, b1, W2, b2, W3, b3 each row-major, and a key per entry; remembers the shapes."""
    global _last_layer_dims
    L = len(parameters) // 2
    _last_layer_dims = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
    return notes.dictionary_to_vector(parameters)


def vector_to_dictionary(theta, layer_dims=None):
    """theta back into W1, b1, ...: in layer_dims' shapes (default: those of the last dictionary_to_vector)."""
    return notes.vector_to_dictionary(theta, list(layer_dims or _last_layer_dims))


def gradients_to_vector(gradients):
    """dθ (n, 1): dW1, db1, dW2, ... in theta's order (other keys, dZ or dA, are left out)."""
    L = max(int(k[2:]) for k in gradients if k.startswith("dW"))
    names = [f"d{p}{l}" for l in range(1, L + 1) for p in ("W", "b")]
    return np.concatenate([gradients[name].reshape(-1, 1) for name in names])


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    """difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||), gradapprox two-sided (C2 §1.12, §1.13)."""
    theta, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    gradapprox = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        theta_plus, theta_minus = np.copy(theta), np.copy(theta)
        theta_plus[i] += epsilon
        theta_minus[i] -= epsilon
        J_plus, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
        J_minus, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
        gradapprox[i] = (J_plus - J_minus) / (2 * epsilon)
    difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    if print_msg:
        verdict = "backward propagation works" if difference <= 2e-7 else "there is a mistake in backward propagation"
        print(f"difference = {difference:.3e}: {verdict}")
    return float(difference)


__all__ = [
    "L_model_backward", "L_model_forward", "backward_propagation", "backward_propagation_n",
    "backward_propagation_with_dropout", "backward_propagation_with_regularization", "compute_cost",
    "compute_cost_with_regularization", "dictionary_to_vector", "forward_propagation", "forward_propagation_n",
    "forward_propagation_with_dropout", "gradient_check_n", "gradients_to_vector", "initialize_parameters",
    "initialize_parameters_deep", "linear_activation_backward", "linear_activation_forward", "linear_backward",
    "linear_forward", "predict", "predict_3_layer", "relu", "relu_backward", "sigmoid", "sigmoid_backward",
    "update_parameters", "vector_to_dictionary",
]
