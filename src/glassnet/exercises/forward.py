"""The exercises of the forward direction: activations and their derivatives, initialization, forward, the cost.

Each exercise's cases start with the course's published case (its inputs drawn as the course draws them) and go
on with generated ones: other shapes and layer counts, one example (m = 1), square W (where a transpose still
runs), n[l] = m (where b added along the wrong axis still broadcasts), exact zeros for ReLU, saturated sigmoids.
The known mistakes are functions with the course's signature that make one mistake each.
"""

from __future__ import annotations

import numpy as np

from .. import notes
from . import helpers
from .catalog import Case, Exercise, layer_parameters, register, rng

RS = np.random.RandomState


def _sig(Z):
    return 1 / (1 + np.exp(-Z))


# ---------------------------------------------------------------- activations and their derivatives
def _z_cases(zeros: bool) -> list[Case]:
    fixed = np.array([[-1.0, 0.0, 2.0]]) if zeros else np.array([[-1.0, 0.5, 2.0]])
    return [Case(("a row of z", "一行 z"), (fixed,)),
            Case(("(3, 4), seed 1", "(3, 4)，种子 1"), (rng(1).standard_normal((3, 4)),)),
            Case(("one entry (1, 1)", "一个元素 (1, 1)"), (np.array([[0.0 if zeros else 0.3]]),)),
            Case(("large |z| (saturated)", "很大的 |z|（饱和）"), (np.array([[-30.0, -5.0, 5.0, 30.0]]),)),
            Case(("(5, 7), seed 2", "(5, 7)，种子 2"), (rng(2).standard_normal((5, 7)),))]


register(Exercise(
    "sigmoid", "activations", helpers.sigmoid, lambda: _z_cases(False), parts=("A", "cache"),
    formulas={"A": "sigmoid", "cache": "cache"},
    mistakes={"sigmoid_sign": lambda Z: (1 / (1 + np.exp(Z)), Z),
              "cache_is_A": lambda Z: (_sig(Z), _sig(Z))}))

register(Exercise(
    "relu", "activations", helpers.relu, lambda: _z_cases(True), parts=("A", "cache"),
    formulas={"A": "relu", "cache": "cache"},
    mistakes={"cache_is_A": lambda Z: (np.maximum(0, Z), np.maximum(0, Z))}))


def _backward_cases() -> list[Case]:
    course = RS(2)
    dA = course.randn(1, 2)
    course.randn(3, 2), course.randn(1, 3), course.randn(1, 1)  # A_prev, W, b: drawn before Z in the course's case
    Z = course.randn(1, 2)
    r = rng(3)
    return [Case(("the course's dA (1, 2) and Z", "课程的 dA (1, 2) 与 Z"), (dA, Z)),
            Case(("(3, 4), dA and Z of both signs", "(3, 4)，dA 与 Z 有正有负"),
                 (r.standard_normal((3, 4)), r.standard_normal((3, 4)))),
            Case(("Z exactly 0 in places", "Z 有些恰为 0"), (np.array([[1.5, -2.0, 0.7, -0.3]]),
                                                          np.array([[0.0, 1.0, -1.0, 2.0]]))),
            Case(("saturated Z = ±30", "饱和的 Z = ±30"), (np.ones((2, 2)), np.array([[-30.0, 30.0], [0.5, -0.5]]))),
            Case(("(4, 6), seed 4", "(4, 6)，种子 4"), (rng(4).standard_normal((4, 6)),
                 rng(5).standard_normal((4, 6))))]


register(Exercise(
    "sigmoid_backward", "activations", helpers.sigmoid_backward, _backward_cases, parts=("dZ",),
    formulas={"dZ": "sigmoid'"},
    mistakes={"sigmoid_prime_from_z": lambda dA, Z: dA * Z * (1 - Z),
              "no_dA": lambda dA, Z: _sig(Z) * (1 - _sig(Z))}))

register(Exercise(
    "relu_backward", "activations", helpers.relu_backward, _backward_cases, parts=("dZ",),
    formulas={"dZ": "relu'"},
    mistakes={"relu_mask_from_dA": lambda dA, Z: dA * (dA > 0),
              "no_dA": lambda dA, Z: (Z > 0).astype(float)},
    accepted=[lambda dA, Z: dA * (Z >= 0)]))  # g'(0) = 1 is a convention too: only z = 0 tells them apart


# ---------------------------------------------------------------- initialization
def _init_probe(case, diff):
    """A W scaled otherwise (by a constant), a W of zeros, a b that is not zero, a layer missing."""
    label = str(diff.path[-1]) if diff.path else ""
    if diff.kind == "missing":
        return "missing_layer", {"part": label}
    if diff.kind != "value" or label[:1] not in "Wb":
        return None
    got, expected = np.asarray(diff.got, dtype=float), np.asarray(diff.expected, dtype=float)
    if label.startswith("b"):
        return ("bias_not_zero", {}) if np.any(got != 0) else None
    if not np.any(got):
        return "weights_zero", {}
    spread = np.sqrt(np.mean(got ** 2)) / max(np.sqrt(np.mean(expected ** 2)), 1e-300)
    if not 0.5 < spread < 2:
        return "weights_not_scaled", {"got": f"{spread:.3g}"}
    return None


def _init_loose(results) -> str | None:
    """Every W drawn with the course's spread and every b zero, only other numbers: not the course's draws."""
    drawn, expected = [], []
    for _, exp, got in results:
        if not isinstance(got, dict) or set(got) != set(exp):
            return None
        for key, value in exp.items():
            g = got[key]
            if not isinstance(g, np.ndarray) or g.shape != value.shape or (key[0] == "b" and np.any(g)):
                return None
            if key[0] == "W":
                drawn.append(g.ravel())
                expected.append(value.ravel())
    spread = np.sqrt(np.mean(np.concatenate(drawn) ** 2)) / np.sqrt(np.mean(np.concatenate(expected) ** 2))
    return "not_course_draws" if 0.8 < spread < 1.25 else None


register(Exercise(
    "initialize_parameters", "initialization", helpers.initialize_parameters,
    lambda: [Case(("the course's (3, 2, 1)", "课程的 (3, 2, 1)"), (3, 2, 1)),
             Case(("(5, 4, 3)", "(5, 4, 3)"), (5, 4, 3)), Case(("(2, 7, 1)", "(2, 7, 1)"), (2, 7, 1)),
             Case(("one unit each (1, 1, 1)", "每层一个单元 (1, 1, 1)"), (1, 1, 1)),
             Case(("(12, 20, 2)", "(12, 20, 2)"), (12, 20, 2))],
    formulas={"*": "init"}, probes=[_init_probe], loose=_init_loose))

register(Exercise(
    "initialize_parameters_deep", "initialization", helpers.initialize_parameters_deep,
    lambda: [Case(("the course's [5, 4, 3]", "课程的 [5, 4, 3]"), ([5, 4, 3],)),
             Case(("[2, 4, 1]", "[2, 4, 1]"), ([2, 4, 1],)),
             Case(("4 layers [3, 5, 4, 2, 1]", "4 层 [3, 5, 4, 2, 1]"), ([3, 5, 4, 2, 1],)),
             Case(("one layer [1, 1]", "一层 [1, 1]"), ([1, 1],)),
             Case(("[12, 20, 7, 5, 1]", "[12, 20, 7, 5, 1]"), ([12, 20, 7, 5, 1],))],
    formulas={"*": "init"}, probes=[_init_probe], loose=_init_loose))


# ---------------------------------------------------------------- forward
def _linear_cases() -> list[Case]:
    course = RS(1)
    cases = [Case(("the course's case", "课程的用例"), (course.randn(3, 2), course.randn(1, 3), course.randn(1, 1)))]
    for (n, n_prev, m), label in [((4, 4, 5), ("square W (4, 4)", "方阵 W (4, 4)")),
                                  ((3, 5, 3), ("n[l] = m = 3", "n[l] = m = 3")),
                                  ((2, 3, 1), ("one example m = 1", "一个样本 m = 1")),
                                  ((5, 2, 7), ("(5, 2), m = 7", "(5, 2)，m = 7"))]:
        r = rng(10 + n + m)
        cases.append(Case(label, (r.standard_normal((n_prev, m)), r.standard_normal((n, n_prev)),
                                  r.standard_normal((n, 1)))))
    return cases


register(Exercise(
    "linear_forward", "broadcasting", helpers.linear_forward, _linear_cases, parts=("Z", "cache"),
    cache_text="(A, W, b)",
    formulas={"Z": "linear", "cache": "cache"},
    mistakes={"transposed_values": lambda A, W, b: (W.T @ A + b, (A, W, b)),
              "bias_broadcast_rows": lambda A, W, b: (W @ A + b.T, (A, W, b))}))


def _activation_cases() -> list[Case]:
    course = RS(2)
    A, W, b = course.randn(3, 2), course.randn(1, 3), course.randn(1, 1)
    cases = [Case(("the course's case, sigmoid", "课程的用例，sigmoid"), (A, W, b, "sigmoid")),
             Case(("the course's case, relu", "课程的用例，relu"), (A, W, b, "relu"))]
    for (n, n_prev, m, act) in [(4, 3, 5, "sigmoid"), (2, 6, 1, "relu"), (5, 5, 4, "relu")]:
        r = rng(20 + n * m)
        cases.append(Case((f"({n}, {n_prev}), m = {m}, {act}", f"({n}, {n_prev})，m = {m}，{act}"),
                          (r.standard_normal((n_prev, m)), r.standard_normal((n, n_prev)),
                           r.standard_normal((n, 1)), act)))
    return cases


def _g(Z, activation):
    return notes.g(Z, "sigmoid" if activation == "sigmoid" else "relu")


register(Exercise(
    "linear_activation_forward", "forward", helpers.linear_activation_forward, _activation_cases,
    parts=("A", "cache"), formulas={"A": "activation", "cache": "cache"},
    cache_text="(linear_cache, activation_cache) = ((A_prev, W, b), Z)",
    mistakes={"activation_swapped": lambda A, W, b, act: notes.linear_activation_forward(
        A, W, b, "relu" if act == "sigmoid" else "sigmoid"),
        "cache_is_A": lambda A, W, b, act: (_g(W @ A + b, act), ((A, W, b), _g(W @ A + b, act)))}))


def _deep_cases() -> list[Case]:
    course = RS(6)
    X = course.randn(5, 4)
    parameters = {}
    for l, (n, n_prev) in enumerate([(4, 5), (3, 4), (1, 3)], start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = course.randn(n, n_prev), course.randn(n, 1)
    cases = [Case(("the course's 5-4-3-1, m = 4", "课程的 5-4-3-1，m = 4"), (X, parameters))]
    for dims, m, label in [([3, 1], 5, ("one layer [3, 1]", "一层 [3, 1]")),
                           ([4, 5, 1], 3, ("[4, 5, 1]", "[4, 5, 1]")),
                           ([2, 4, 3, 3, 1], 6, ("4 layers [2, 4, 3, 3, 1]", "4 层 [2, 4, 3, 3, 1]")),
                           ([6, 3, 1], 1, ("one example m = 1", "一个样本 m = 1"))]:
        r = rng(30 + len(dims) + m)
        cases.append(Case(label, (r.standard_normal((dims[0], m)), layer_parameters(r, dims, 0.7))))
    return cases


def _forward_with(X, parameters, hidden, output):
    return notes.L_model_forward(X, parameters, hidden_activation=hidden, output_activation=output)


def _caches_probe(case, diff):
    if diff.kind == "length" and diff.path == (1,):
        return "caches_count", {"got": len(diff.got), "expected": len(diff.expected)}
    return None


register(Exercise(
    "L_model_forward", "forward", helpers.L_model_forward, _deep_cases, parts=("AL", "caches"),
    cache_text="caches[l-1] = ((A_prev, W, b), Z)",
    formulas={"AL": "forward", "caches": "cache"},
    mistakes={"hidden_activation": lambda X, p: _forward_with(X, p, "sigmoid", "sigmoid"),
              "output_activation": lambda X, p: _forward_with(X, p, "relu", "relu")},
    probes=[_caches_probe]))


# ---------------------------------------------------------------- the cost
def _cost_cases() -> list[Case]:
    cases = [Case(("the course's AL = [.8, .9, .4], Y = [1, 1, 0]", "课程的 AL = [.8, .9, .4]，Y = [1, 1, 0]"),
                  (np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]])))]
    for m, seed in [(5, 40), (1, 41), (12, 42)]:
        r = rng(seed)
        cases.append(Case((f"m = {m}, seed {seed}", f"m = {m}，种子 {seed}"),
                          (r.uniform(0.05, 0.95, (1, m)), (r.random((1, m)) < 0.5).astype(int))))
    cases.append(Case(("confident predictions (a near 0 and 1)", "很自信的预测（a 接近 0 和 1）"),
                      (np.array([[1e-6, 0.999999, 0.5, 0.02]]), np.array([[0, 1, 1, 0]]))))
    return cases


def _cross_entropy(AL, Y, log=np.log):
    return Y * log(AL) + (1 - Y) * log(1 - AL)


register(Exercise(
    "compute_cost", "broadcasting", helpers.compute_cost, _cost_cases, parts=("cost",), formulas={"*": "cost"},
    mistakes={"cost_missing_1_over_m": lambda AL, Y: float(-np.sum(_cross_entropy(AL, Y))),
              "cost_sign": lambda AL, Y: float(np.mean(_cross_entropy(AL, Y))),
              "cost_missing_term": lambda AL, Y: float(-np.mean(Y * np.log(AL))),
              "cost_log10": lambda AL, Y: float(-np.mean(_cross_entropy(AL, Y, np.log10)))}))
