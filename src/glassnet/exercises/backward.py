"""The exercises of the backward direction: (6) to (9) for one layer, L layers, and the update of gradient descent.

Cases: the course's published case first (hand-built caches whose Z is drawn at random, as the course's are),
then caches made by a forward pass of several layer counts, one example (m = 1, where a missing 1/m hides),
square W (where a transpose still runs) and n[l] = m (where a sum over the wrong axis keeps a square shape).
"""

from __future__ import annotations

import numpy as np

from .. import notes
from . import helpers
from .catalog import Case, Exercise, layer_parameters, register, rng

RS = np.random.RandomState
LAYER = {"dA_prev": "(9)", "dW": "(7)", "db": "(8)", "dA": "(9)", "*": "(6)"}


# ---------------------------------------------------------------- one layer: (7), (8), (9)
def _linear_cases() -> list[Case]:
    course = RS(1)
    dZ, A, W, b = course.randn(3, 4), course.randn(5, 4), course.randn(3, 5), course.randn(3, 1)
    cases = [Case(("the course's case", "课程的用例"), (dZ, (A, W, b)))]
    for (n, n_prev, m), label in [((4, 4, 3), ("square W (4, 4)", "方阵 W (4, 4)")),
                                  ((2, 3, 1), ("one example m = 1", "一个样本 m = 1")),
                                  ((3, 2, 3), ("n[l] = m = 3", "n[l] = m = 3")),
                                  ((1, 6, 5), ("one unit n[l] = 1", "一个单元 n[l] = 1"))]:
        r = rng(50 + n * m + n_prev)
        cases.append(Case(label, (r.standard_normal((n, m)), (r.standard_normal((n_prev, m)),
                                                              r.standard_normal((n, n_prev)),
                                                              r.standard_normal((n, 1))))))
    return cases


def _no_1_over_m(dZ, cache):
    A_prev, W, _ = cache
    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)


def _extra_1_over_m(dZ, cache):
    A_prev, W, b = cache
    dA_prev, dW, db = notes.linear_backward(dZ, cache)
    return dA_prev / A_prev.shape[1], dW, db


def _wrong_axis(dZ, cache):
    dA_prev, dW, _ = notes.linear_backward(dZ, cache)
    return dA_prev, dW, np.sum(dZ, axis=0, keepdims=True) / dZ.shape[1]


def _square_transposes(dZ, cache):
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    return W @ dZ if W.shape[0] == W.shape[1] else None, A_prev @ dZ.T / m if dZ.shape[0] == A_prev.shape[0] \
        else None, np.sum(dZ, axis=1, keepdims=True) / m


register(Exercise(
    "linear_backward", "backward", helpers.linear_backward, _linear_cases, parts=("dA_prev", "dW", "db"),
    formulas=LAYER,
    mistakes={"missing_1_over_m": _no_1_over_m, "extra_1_over_m": _extra_1_over_m, "sum_wrong_axis": _wrong_axis,
              "transposed_values": _square_transposes}))


# ---------------------------------------------------------------- one layer with its activation: (6) then (7)-(9)
def _activation_cases() -> list[Case]:
    course = RS(2)
    dA, A, W, b, Z = course.randn(1, 2), course.randn(3, 2), course.randn(1, 3), course.randn(1, 1), course.randn(1, 2)
    cases = [Case(("the course's case, sigmoid", "课程的用例，sigmoid"), (dA, ((A, W, b), Z), "sigmoid")),
             Case(("the course's case, relu", "课程的用例，relu"), (dA, ((A, W, b), Z), "relu"))]
    for n, n_prev, m, act in [(3, 4, 5, "relu"), (2, 3, 1, "sigmoid"), (4, 4, 6, "sigmoid")]:
        r = rng(60 + n * m)
        A, W, b = r.standard_normal((n_prev, m)), r.standard_normal((n, n_prev)), r.standard_normal((n, 1))
        cases.append(Case((f"({n}, {n_prev}), m = {m}, {act}", f"({n}, {n_prev})，m = {m}，{act}"),
                          (r.standard_normal((n, m)), ((A, W, b), W @ A + b), act)))
    return cases


def _prime_of_A(dA, cache, activation):
    linear_cache, Z = cache
    name = "sigmoid" if activation == "sigmoid" else "relu"
    return notes.linear_backward(dA * notes.g_prime(notes.g(Z, name), name), linear_cache)


register(Exercise(
    "linear_activation_backward", "backward", helpers.linear_activation_backward, _activation_cases,
    parts=("dA_prev", "dW", "db"), formulas=LAYER,
    mistakes={"activation_swapped": lambda dA, cache, act: notes.linear_activation_backward(
        dA, cache, "relu" if act == "sigmoid" else "sigmoid"),
        "g_prime_from_A": _prime_of_A}))


# ---------------------------------------------------------------- L layers
def _deep_cases() -> list[Case]:
    course = RS(3)
    AL, Y = course.randn(1, 2), np.array([[1, 0]])
    first = ((course.randn(4, 2), course.randn(3, 4), course.randn(3, 1)), course.randn(3, 2))
    second = ((course.randn(3, 2), course.randn(1, 3), course.randn(1, 1)), course.randn(1, 2))
    cases = [Case(("the course's hand-built caches", "课程手工构造的缓存"), (AL, Y, [first, second]))]
    for dims, m, label in [([4, 5, 1], 4, ("[4, 5, 1], m = 4", "[4, 5, 1]，m = 4")),
                           ([3, 1], 3, ("one layer [3, 1]", "一层 [3, 1]")),
                           ([2, 4, 3, 3, 1], 5, ("4 layers [2, 4, 3, 3, 1]", "4 层 [2, 4, 3, 3, 1]")),
                           ([5, 3, 1], 1, ("one example m = 1", "一个样本 m = 1"))]:
        r = rng(70 + len(dims) * m)
        AL, caches = notes.L_model_forward(r.standard_normal((dims[0], m)), layer_parameters(r, dims, 0.8))
        cases.append(Case(label, (AL, (r.random((1, m)) < 0.5).astype(int), caches)))
    return cases


def _backward_with(AL, Y, caches, dAL, output="sigmoid"):
    """L layers backward from a given dA[L], the output layer through ``output``: for the mistakes below."""
    grads, L, dA = {}, len(caches), dAL
    for l in range(L, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = notes.linear_activation_backward(
            dA, caches[l - 1], output if l == L else "relu")
        grads[f"dA{l - 1}"] = dA
    return grads


def _sigmoid_dAL(AL, Y):
    return -(Y / AL - (1 - Y) / (1 - AL))


def _keys_probe(case, diff):
    """dA{l} stored under dA{l} (the layer's own number) rather than dA{l-1}."""
    if diff.kind == "missing" and str(diff.path[-1]).startswith("dA"):
        return "grads_keys", {"got": f"dA1..dA{len(case.args[2])}", "expected": f"dA0..dA{len(case.args[2]) - 1}"}
    return None


register(Exercise(
    "L_model_backward", "backward", helpers.L_model_backward, _deep_cases, formulas={**LAYER, "*": "backward"},
    mistakes={"dAL_sign": lambda AL, Y, caches: _backward_with(AL, Y, caches, -_sigmoid_dAL(AL, Y)),
              "dAL_as_dZ": lambda AL, Y, caches: _backward_with(AL, Y, caches, AL - Y),
              "output_activation": lambda AL, Y, caches: _backward_with(AL, Y, caches, _sigmoid_dAL(AL, Y), "relu")},
    probes=[_keys_probe]))


# ---------------------------------------------------------------- the update
def _update_cases() -> list[Case]:
    course_p, course_g = RS(2), RS(3)
    parameters = {"W1": course_p.randn(3, 4), "b1": course_p.randn(3, 1), "W2": course_p.randn(1, 3),
                  "b2": course_p.randn(1, 1)}
    grads = {"dW1": course_g.randn(3, 4), "db1": course_g.randn(3, 1), "dW2": course_g.randn(1, 3),
             "db2": course_g.randn(1, 1)}
    cases = [Case(("the course's case, α = 0.1", "课程的用例，α = 0.1"), (parameters, grads, 0.1))]
    for dims, lr, seed in [([4, 5, 3, 1], 0.01, 80), ([2, 1], 1.0, 81), ([3, 6, 2], 0.5, 82)]:
        r = rng(seed)
        p = layer_parameters(r, dims)
        g = {"d" + k: v for k, v in layer_parameters(r, dims).items()}
        g["dA0"] = r.standard_normal((dims[0], 2))  # grads hold dA too: the update must read dW and db only
        cases.append(Case((f"{len(dims) - 1} layers, α = {lr:g}", f"{len(dims) - 1} 层，α = {lr:g}"), (p, g, lr)))
    return cases


def _update_with(parameters, grads, lr, sign=-1.0, bias=True):
    new = dict(parameters)
    for l in range(1, len(parameters) // 2 + 1):
        new[f"W{l}"] = parameters[f"W{l}"] + sign * lr * grads[f"dW{l}"]
        if bias:
            new[f"b{l}"] = parameters[f"b{l}"] + sign * lr * grads[f"db{l}"]
    return new


register(Exercise(
    "update_parameters", "backward", helpers.update_parameters, _update_cases, formulas={"*": "update"},
    mistakes={"update_sign": lambda p, g, lr: _update_with(p, g, lr, sign=1.0),
              "bias_not_updated": lambda p, g, lr: _update_with(p, g, lr, bias=False)},
    in_place_ok="update_in_place"))
