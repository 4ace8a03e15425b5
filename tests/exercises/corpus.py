"""Learners' implementations of the course's functions, as learners write them: BUGGY ones (each with the mistake
the check must name) and CORRECT ones written in other ways than glassnet.notes (each must pass).

Each entry: (course name, function, mistake key or None). The functions use the course's helpers the way the
assignments import them (here from glassnet.exercises.helpers).
"""
# ruff: noqa: N802, N803, N806, E741

import copy

import numpy as np

from glassnet.exercises.helpers import (  # noqa: F401  (the names the learners' functions call)
    compute_cost,
    dictionary_to_vector,
    forward_propagation_n,
    gradients_to_vector,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    vector_to_dictionary,
)

BUGGY, CORRECT = [], []


def buggy(name, key):
    def mark(fn):
        BUGGY.append((name, fn, key))
        return fn
    return mark


def correct(name):
    def mark(fn):
        CORRECT.append((name, fn, None))
        return fn
    return mark


# ---------------------------------------------------------------- activations
@buggy("sigmoid", "sigmoid_sign")
def sigmoid_sign(Z):
    return 1 / (1 + np.exp(Z)), Z


@buggy("sigmoid", "cache_is_A")
def sigmoid_cache_a(Z):
    A = 1 / (1 + np.exp(-Z))
    return A, A


@buggy("relu", "input_changed")
def relu_in_place(Z):
    Z[Z < 0] = 0
    return Z, Z


@buggy("sigmoid_backward", "sigmoid_prime_from_z")
def sigmoid_backward_from_z(dA, cache):
    Z = cache
    return dA * Z * (1 - Z)


@buggy("sigmoid_backward", "no_dA")
def sigmoid_backward_no_da(dA, cache):
    s = 1 / (1 + np.exp(-cache))
    return s * (1 - s)


@buggy("relu_backward", "relu_mask_from_dA")
def relu_backward_mask_da(dA, cache):
    dZ = np.array(dA, copy=True)
    dZ[dA <= 0] = 0
    return dZ


@buggy("relu_backward", "input_changed")
def relu_backward_in_place(dA, cache):
    Z = cache
    dZ = dA
    dZ[Z <= 0] = 0
    return dZ


@correct("sigmoid")
def sigmoid_logaddexp(Z):
    return np.exp(-np.logaddexp(0, -Z)), Z


@correct("relu")
def relu_multiply(Z):
    return Z * (Z > 0), Z


@correct("relu_backward")
def relu_backward_where(dA, cache):
    return np.where(cache > 0, dA, 0.0)


@correct("relu_backward")
def relu_backward_greater_equal(dA, cache):  # g'(0) = 1: the other convention
    dZ = dA.copy()
    dZ[cache < 0] = 0
    return dZ


@correct("sigmoid_backward")
def sigmoid_backward_multiply(dA, cache):
    s = 1.0 / (1.0 + np.exp(-cache))
    return np.multiply(dA, np.multiply(s, 1 - s))


# ---------------------------------------------------------------- initialization
@buggy("initialize_parameters", "bias_not_zero")
def init_random_bias(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.randn(n_h, n_x) * 0.01, "b1": np.random.randn(n_h, 1) * 0.01,
            "W2": np.random.randn(n_y, n_h) * 0.01, "b2": np.random.randn(n_y, 1) * 0.01}


@buggy("initialize_parameters", "weights_not_scaled")
def init_unscaled(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.randn(n_h, n_x), "b1": np.zeros((n_h, 1)), "W2": np.random.randn(n_y, n_h),
            "b2": np.zeros((n_y, 1))}


@buggy("initialize_parameters_deep", "transposed")
def init_deep_transposed(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l - 1], layer_dims[l]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


@buggy("initialize_parameters_deep", "rank1")
def init_deep_rank1_bias(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros(layer_dims[l])
    return parameters


@buggy("initialize_parameters_deep", "missing_layer")
def init_deep_one_short(layer_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L - 1):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


@buggy("initialize_parameters_deep", "weights_zero")
def init_deep_zeros(layer_dims):
    return {k: np.zeros((layer_dims[l], layer_dims[l - 1] if k[0] == "W" else 1))
            for l in range(1, len(layer_dims)) for k in (f"W{l}", f"b{l}")}


@correct("initialize_parameters_deep")
def init_deep_normal(layer_dims):
    np.random.seed(3)
    return {name: (np.random.normal(0.0, 0.01, (layer_dims[l], layer_dims[l - 1])) if name[0] == "W"
                   else np.zeros((layer_dims[l], 1)))
            for l in range(1, len(layer_dims)) for name in (f"W{l}", f"b{l}")}


@correct("initialize_parameters_deep")
def init_deep_own_generator(layer_dims):  # other numbers, the course's spread: passes, with a note
    rng = np.random.default_rng(7)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) / 100
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


# ---------------------------------------------------------------- forward
@buggy("linear_forward", "cache_order")
def linear_forward_cache_order(A, W, b):
    return np.dot(W, A) + b, (W, A, b)


@buggy("linear_forward", "transposed_values")
def linear_forward_transposed(A, W, b):
    return np.dot(W.T, A) + b, (A, W, b)


@buggy("linear_forward", "bias_broadcast_rows")
def linear_forward_flat_bias(A, W, b):
    return W @ A + b.T, (A, W, b)


@correct("linear_forward")
def linear_forward_loops(A, W, b):
    Z = np.zeros((W.shape[0], A.shape[1]))
    for i in range(W.shape[0]):
        for j in range(A.shape[1]):
            Z[i, j] = sum(W[i, k] * A[k, j] for k in range(W.shape[1])) + b[i, 0]
    return Z, (A, W, b)


@buggy("linear_activation_forward", "activation_swapped")
def linear_activation_forward_swapped(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = relu(Z) if activation == "sigmoid" else sigmoid(Z)
    return A, (linear_cache, activation_cache)


@buggy("linear_activation_forward", "cache_order")
def linear_activation_forward_cache_order(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (activation_cache, linear_cache)


@buggy("L_model_forward", "hidden_activation")
def L_model_forward_all_sigmoid(X, parameters):
    caches, A = [], X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "sigmoid")
        caches.append(cache)
    return A, caches


@buggy("L_model_forward", "output_activation")
def L_model_forward_relu_output(X, parameters):
    caches, A = [], X
    for l in range(1, len(parameters) // 2 + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu")
        caches.append(cache)
    return A, caches


@buggy("L_model_forward", "caches_count")
def L_model_forward_no_output_cache(X, parameters):
    caches, A = [], X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    return AL, caches


@buggy("L_model_forward", "layer_count")
def L_model_forward_len(X, parameters):
    caches, A = [], X
    L = len(parameters)
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


@correct("L_model_forward")
def L_model_forward_while(X, parameters):
    caches, A, l = [], X, 1
    n_layers = sum(1 for k in parameters if k.startswith("W"))
    while l <= n_layers:
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                             "sigmoid" if l == n_layers else "relu")
        caches += [cache]
        l += 1
    return A, caches


# ---------------------------------------------------------------- the cost
@buggy("compute_cost", "cost_missing_1_over_m")
def compute_cost_sum(AL, Y):
    return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


@buggy("compute_cost", "number_as_array")
def compute_cost_dot(AL, Y):
    m = Y.shape[1]
    return -1 / m * (np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T))


@buggy("compute_cost", "cost_sign")
def compute_cost_no_minus(AL, Y):
    m = Y.shape[1]
    return np.squeeze(1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


@buggy("compute_cost", "cost_missing_term")
def compute_cost_half(AL, Y):
    return float(-np.mean(Y * np.log(AL)))


@correct("compute_cost")
def compute_cost_mean_squeeze(AL, Y):
    return np.squeeze(-np.mean(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL))))


# ---------------------------------------------------------------- backward
@buggy("linear_backward", "missing_1_over_m")
def linear_backward_no_m(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T), np.sum(dZ, axis=1, keepdims=True) / m


@buggy("linear_backward", "rank1")
def linear_backward_no_keepdims(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1) / m


@buggy("linear_backward", "sum_wrong_axis")
def linear_backward_axis0(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=0, keepdims=True) / m


@buggy("linear_backward", "transposed")
def linear_backward_transposed_dw(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(A_prev, dZ.T) / m, np.sum(dZ, axis=1, keepdims=True) / m


@buggy("linear_backward", "extra_1_over_m")
def linear_backward_m_in_da(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ) / m, np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True) / m


@correct("linear_backward")
def linear_backward_mean_reshape(dZ, cache):
    A_prev, W, _ = cache
    dW = np.einsum("im,jm->ij", dZ, A_prev) / A_prev.shape[1]
    db = np.mean(dZ, axis=1).reshape(-1, 1)
    return W.T.dot(dZ), dW, db


@buggy("linear_activation_backward", "activation_swapped")
def linear_activation_backward_swapped(dA, cache, activation):
    linear_cache, activation_cache = cache
    dZ = relu_backward(dA, activation_cache) if activation == "sigmoid" else sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


@buggy("linear_activation_backward", "g_prime_from_A")
def linear_activation_backward_from_a(dA, cache, activation):
    linear_cache, Z = cache
    A = sigmoid(Z)[0] if activation == "sigmoid" else relu(Z)[0]
    dZ = sigmoid_backward(dA, A) if activation == "sigmoid" else relu_backward(dA, A)
    return linear_backward(dZ, linear_cache)


@buggy("L_model_backward", "dAL_sign")
def L_model_backward_dal_sign(AL, Y, caches):
    grads, L = {}, len(caches)
    dAL = np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(L - 1)):
        grads[f"dA{l}"], grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = linear_activation_backward(
            grads[f"dA{l + 1}"], caches[l], "relu")
    return grads


@buggy("L_model_backward", "dAL_as_dZ")
def L_model_backward_dal_minus(AL, Y, caches):
    grads, L = {}, len(caches)
    dAL = AL - Y
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(L - 1)):
        grads[f"dA{l}"], grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = linear_activation_backward(
            grads[f"dA{l + 1}"], caches[l], "relu")
    return grads


@buggy("L_model_backward", "grads_keys")
def L_model_backward_keys(AL, Y, caches):
    grads, L = {}, len(caches)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in range(L, 0, -1):
        dA, grads["dW" + str(l)], grads["db" + str(l)] = linear_activation_backward(
            dA, caches[l - 1], "sigmoid" if l == L else "relu")
        grads["dA" + str(l)] = dA
    return grads


@correct("L_model_backward")
def L_model_backward_one_loop(AL, Y, caches):
    grads = {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(len(caches), 0, -1):
        activation = "sigmoid" if l == len(caches) else "relu"
        dA, dW, db = linear_activation_backward(dA, caches[l - 1], activation)
        grads.update({f"dA{l - 1}": dA, f"dW{l}": dW, f"db{l}": db})
    return grads


@buggy("update_parameters", "update_sign")
def update_parameters_plus(params, grads, learning_rate):
    parameters = copy.deepcopy(params)
    for l in range(len(parameters) // 2):
        parameters["W" + str(l + 1)] += learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] += learning_rate * grads["db" + str(l + 1)]
    return parameters


@buggy("update_parameters", "bias_not_updated")
def update_parameters_w_only(params, grads, learning_rate):
    parameters = params.copy()
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
    return parameters


@correct("update_parameters")
def update_parameters_comprehension(params, grads, learning_rate):
    return {k: v - learning_rate * grads["d" + k] for k, v in params.items()}


@correct("update_parameters")
def update_parameters_in_place(params, grads, learning_rate):  # the course's older version: passes with a note
    for l in range(len(params) // 2):
        params["W" + str(l + 1)] -= learning_rate * grads["dW" + str(l + 1)]
        params["b" + str(l + 1)] -= learning_rate * grads["db" + str(l + 1)]
    return params


# ---------------------------------------------------------------- L2 and dropout
@buggy("compute_cost_with_regularization", "l2_lambda_over_m")
def l2_cost_lambda_over_m(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    return compute_cost(A3, Y) + lambd / m * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))


@buggy("compute_cost_with_regularization", "l2_missing_layer")
def l2_cost_two_layers(A3, Y, parameters, lambd):
    m = Y.shape[1]
    return compute_cost(A3, Y) + lambd / (2 * m) * (np.sum(np.square(parameters["W1"]))
                                                    + np.sum(np.square(parameters["W2"])))


@correct("compute_cost_with_regularization")
def l2_cost_norms(A3, Y, parameters, lambd):
    m = Y.shape[1]
    norms = sum(np.linalg.norm(parameters[f"W{l}"]) ** 2 for l in (1, 2, 3))
    return compute_cost(A3, Y) + lambd * norms / 2 / m


def _three_layer_backward(X, Y, cache, lambd, l2=(1.0, 1.0, 1.0)):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + l2[2] * lambd / m * W3
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + l2[1] * lambd / m * W2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + l2[0] * lambd / m * W1
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


@buggy("backward_propagation_with_regularization", "l2_grad_missing")
def l2_backward_forgets_w2(X, Y, cache, lambd):
    return _three_layer_backward(X, Y, cache, lambd, l2=(1.0, 0.0, 1.0))


@buggy("backward_propagation_with_regularization", "l2_grad_half")
def l2_backward_half(X, Y, cache, lambd):
    return _three_layer_backward(X, Y, cache, lambd, l2=(0.5, 0.5, 0.5))


@correct("backward_propagation_with_regularization")
def l2_backward_course_style(X, Y, cache, lambd):
    return _three_layer_backward(X, Y, cache, lambd)


def _dropout_forward(X, parameters, keep_prob, seed=True, divide=True, keep=lambda u, p: u < p):
    if seed:
        np.random.seed(1)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1, _ = relu(Z1)
    D1 = keep(np.random.rand(A1.shape[0], A1.shape[1]), keep_prob)
    A1 = A1 * D1 / (keep_prob if divide else 1)
    Z2 = np.dot(W2, A1) + b2
    A2, _ = relu(Z2)
    D2 = keep(np.random.rand(A2.shape[0], A2.shape[1]), keep_prob)
    A2 = A2 * D2 / (keep_prob if divide else 1)
    Z3 = np.dot(W3, A2) + b3
    A3, _ = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


@buggy("forward_propagation_with_dropout", "dropout_not_scaled")
def dropout_forward_not_inverted(X, parameters, keep_prob=0.5):
    return _dropout_forward(X, parameters, keep_prob, divide=False)


@buggy("forward_propagation_with_dropout", "dropout_masks_differ")
def dropout_forward_no_seed(X, parameters, keep_prob=0.5):
    return _dropout_forward(X, parameters, keep_prob, seed=False)


@buggy("forward_propagation_with_dropout", "dropout_mask_reversed")
def dropout_forward_reversed(X, parameters, keep_prob=0.5):
    return _dropout_forward(X, parameters, keep_prob, keep=lambda u, p: (u > p).astype(int))


@correct("forward_propagation_with_dropout")
def dropout_forward_bool_masks(X, parameters, keep_prob=0.5):
    return _dropout_forward(X, parameters, keep_prob)


def _dropout_backward(X, Y, cache, keep_prob, mask=True, divide=True):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dA2 = (dA2 * D2 if mask else dA2) / (keep_prob if divide else 1)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dA1 = (dA1 * D1 if mask else dA1) / (keep_prob if divide else 1)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


@buggy("backward_propagation_with_dropout", "dropout_mask_not_reused")
def dropout_backward_no_mask(X, Y, cache, keep_prob):
    return _dropout_backward(X, Y, cache, keep_prob, mask=False)


@buggy("backward_propagation_with_dropout", "dropout_backward_not_scaled")
def dropout_backward_not_divided(X, Y, cache, keep_prob):
    return _dropout_backward(X, Y, cache, keep_prob, divide=False)


@correct("backward_propagation_with_dropout")
def dropout_backward_course_style(X, Y, cache, keep_prob):
    return _dropout_backward(X, Y, cache, keep_prob)


# ---------------------------------------------------------------- the gradient check
def _gradient_check(parameters, gradients, X, Y, epsilon, sided=2, divisor=2.0, relative=True):
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus, J_minus = np.zeros((num_parameters, 1)), np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    J_here, _ = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))
    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i][0] = theta_plus[i][0] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
        theta_minus = np.copy(parameters_values)
        theta_minus[i][0] = theta_minus[i][0] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
        if sided == 2:
            gradapprox[i] = (J_plus[i] - J_minus[i]) / (divisor * epsilon)
        else:
            gradapprox[i] = (J_plus[i] - J_here) / epsilon
    numerator = np.linalg.norm(grad - gradapprox)
    return numerator / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)) if relative else numerator


@buggy("gradient_check_n", "one_sided")
def gradient_check_one_sided(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    return _gradient_check(parameters, gradients, X, Y, epsilon, sided=1)


@buggy("gradient_check_n", "gc_no_denominator")
def gradient_check_absolute(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    return _gradient_check(parameters, gradients, X, Y, epsilon, relative=False)


@buggy("gradient_check_n", "gc_epsilon_not_doubled")
def gradient_check_over_epsilon(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    return _gradient_check(parameters, gradients, X, Y, epsilon, divisor=1.0)


@correct("gradient_check_n")
def gradient_check_course_style(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    difference = _gradient_check(parameters, gradients, X, Y, epsilon)
    if print_msg:
        print("difference", difference)
    return difference
