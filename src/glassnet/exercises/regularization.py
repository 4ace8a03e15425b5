"""The exercises of course 2, week 1: L2 and dropout on the course's 3-layer network, and the gradient check.

The 3-layer network is the Regularization assignment's (ReLU, ReLU, sigmoid) with its flat caches; cases vary
the layer sizes, m (down to one example), λ (0 too) and keep_prob (1 too). Dropout masks are the course's: its
function reseeds the global generator with np.random.seed(1) and draws D1 then D2 with np.random.rand. The
gradient check runs on the assignment's 4-5-3-1 network (the shapes its helpers know) with correct gradients,
with the assignment's two planted bugs, and with ε = 1e-4, where a one-sided difference stands out.
"""

from __future__ import annotations

import numpy as np

from .. import notes
from . import helpers
from .catalog import Case, Exercise, layer_parameters, register, rng

RS = np.random.RandomState
THREE = {"dW": "(7)", "db": "(8)", "dA": "(9)", "dZ": "(6)", "*": "(6)"}


def _three_layer(r, n_x, m, n1, n2, course=False):
    """X (n_x, m) and a n_x-n1-n2-1 network, drawn as the course's Regularization cases draw them."""
    if course:
        X = r.randn(n_x, m)
        p = {}
        for l, shape in enumerate([(n1, n_x), (n2, n1), (1, n2)], start=1):
            p[f"W{l}"], p[f"b{l}"] = r.randn(*shape), r.randn(shape[0], 1)
        return X, p
    return r.standard_normal((n_x, m)), layer_parameters(r, [n_x, n1, n2, 1], 0.8)


def _labels(r, m):
    return (r.random((1, m)) < 0.5).astype(int)


# ---------------------------------------------------------------- the L2 cost
def _l2_cost_cases() -> list[Case]:
    course = RS(1)
    p = {}
    for l, shape in enumerate([(2, 3), (3, 2), (1, 3)], start=1):
        p[f"W{l}"], p[f"b{l}"] = course.randn(*shape), course.randn(shape[0], 1)
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cases = [Case(("the course's case, λ = 0.1", "课程的用例，λ = 0.1"), (a3, np.array([[1, 1, 0, 1, 0]]), p, 0.1))]
    for n_x, m, n1, n2, lambd in [(2, 6, 5, 3, 0.7), (4, 1, 3, 2, 0.3), (3, 8, 4, 4, 0.0)]:
        r = rng(90 + m)
        X, p = _three_layer(r, n_x, m, n1, n2)
        cases.append(Case((f"{n_x}-{n1}-{n2}-1, m = {m}, λ = {lambd:g}", f"{n_x}-{n1}-{n2}-1，m = {m}，λ = {lambd:g}"),
                          (notes.forward_propagation(X, p)[0], _labels(r, m), p, lambd)))
    return cases


def _l2_with(A3, Y, p, lambd, factor=0.5, keys=("W1", "W2", "W3"), square=np.square, over_m=True):
    m = Y.shape[1]
    term = sum(float(np.sum(square(p[k]))) for k in keys)
    return notes.compute_cost(A3, Y) + lambd * factor * term / (m if over_m else 1)


def _missing_layer_probe(case, diff):
    """The L2 term of one W left out: the cost is short by exactly (λ/2m) ||W[l]||²."""
    if diff.kind != "value":
        return None
    A3, Y, p, lambd = case.args
    gap = float(diff.expected) - float(np.ravel(diff.got)[0])
    for l in (1, 2, 3):
        if lambd and np.isclose(gap, lambd / (2 * Y.shape[1]) * np.sum(np.square(p[f"W{l}"])), rtol=1e-9):
            return "l2_missing_layer", {"part": f"W{l}"}
    return None


register(Exercise(
    "compute_cost_with_regularization", "regularization", helpers.compute_cost_with_regularization, _l2_cost_cases,
    parts=("cost",), formulas={"*": "l2cost"},
    mistakes={"l2_lambda_over_m": lambda A3, Y, p, lambd: _l2_with(A3, Y, p, lambd, factor=1.0),
              "l2_missing_m": lambda A3, Y, p, lambd: _l2_with(A3, Y, p, lambd, over_m=False),
              "l2_sum_squared": lambda A3, Y, p, lambd: _l2_with(A3, Y, p, lambd, square=lambda W: np.sum(W) ** 2),
              "l2_includes_b": lambda A3, Y, p, lambd: _l2_with(A3, Y, p, lambd, keys=tuple(p))},
    probes=[_missing_layer_probe]))


# ---------------------------------------------------------------- L2 backward
def _l2_backward_cases() -> list[Case]:
    X, p = _three_layer(RS(1), 3, 5, 2, 3, course=True)
    Y = np.array([[1, 1, 0, 1, 0]])
    cases = [Case(("the course's case, λ = 0.7", "课程的用例，λ = 0.7"),
                  (X, Y, notes.forward_propagation(X, p)[1], 0.7))]
    for n_x, m, n1, n2, lambd in [(2, 6, 5, 3, 0.5), (4, 1, 3, 2, 0.3), (3, 7, 4, 4, 1.2)]:
        r = rng(100 + m)
        X, p = _three_layer(r, n_x, m, n1, n2)
        cases.append(Case((f"{n_x}-{n1}-{n2}-1, m = {m}, λ = {lambd:g}", f"{n_x}-{n1}-{n2}-1，m = {m}，λ = {lambd:g}"),
                          (X, _labels(r, m), notes.forward_propagation(X, p)[1], lambd)))
    return cases


def _l2_backward_with(X, Y, cache, lambd, factor=1.0, over_m=True):
    grads = notes.backward_propagation_with_regularization(X, Y, cache, 0.0)
    m = X.shape[1]
    W = {"dW1": cache[2], "dW2": cache[6], "dW3": cache[10]}
    for key, weights in W.items():
        grads[key] = grads[key] * (1 if over_m else m) + factor * lambd / m * weights
    return grads


register(Exercise(
    "backward_propagation_with_regularization", "regularization", helpers.backward_propagation_with_regularization,
    _l2_backward_cases, formulas={**THREE, "dW": "l2grad"},
    mistakes={"l2_grad_missing": lambda X, Y, c, lambd: _l2_backward_with(X, Y, c, lambd, factor=0.0),
              "l2_grad_half": lambda X, Y, c, lambd: _l2_backward_with(X, Y, c, lambd, factor=0.5),
              "missing_1_over_m": lambda X, Y, c, lambd: _l2_backward_with(X, Y, c, lambd, over_m=False)}))


# ---------------------------------------------------------------- dropout
def _course_dropout(function, *args):
    """Run a function that reseeds NumPy's global generator, and put the caller's state back."""
    state = np.random.get_state()
    try:
        return function(*args)
    finally:
        np.random.set_state(state)


def _dropout_cases() -> list[Case]:
    X, p = _three_layer(RS(1), 3, 5, 2, 3, course=True)
    cases = [Case(("the course's case, keep_prob = 0.7", "课程的用例，keep_prob = 0.7"), (X, p, 0.7))]
    for n_x, m, n1, n2, kp in [(4, 8, 6, 5, 0.8), (2, 1, 3, 3, 0.5), (5, 10, 20, 10, 0.86), (3, 4, 4, 3, 1.0)]:
        r = rng(110 + m)
        X, p = _three_layer(r, n_x, m, n1, n2)
        cases.append(Case((f"{n_x}-{n1}-{n2}-1, m = {m}, keep_prob = {kp:g}",
                           f"{n_x}-{n1}-{n2}-1，m = {m}，keep_prob = {kp:g}"), (X, p, kp)))
    return cases


def _dropout_with(X, p, keep_prob, keep=lambda u, kp: u < kp, scale=lambda A, kp: A / kp):
    """The course's forward pass with dropout, the mask and the scaling given: for the mistakes below."""
    def run():
        np.random.seed(1)
        Z1 = p["W1"] @ X + p["b1"]
        A1 = np.maximum(0, Z1)
        D1 = keep(np.random.rand(*A1.shape), keep_prob).astype(int)
        A1 = scale(A1 * D1, keep_prob)
        Z2 = p["W2"] @ A1 + p["b2"]
        A2 = np.maximum(0, Z2)
        D2 = keep(np.random.rand(*A2.shape), keep_prob).astype(int)
        A2 = scale(A2 * D2, keep_prob)
        Z3 = p["W3"] @ A2 + p["b3"]
        A3 = 1 / (1 + np.exp(-Z3))
        return A3, (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])
    return _course_dropout(run)


def _mask_probe(case, diff):
    """A mask of 0s and 1s of the right shape that is not the course's: other draws (no seed, another order)."""
    if diff.kind == "value" and diff.path in ((1, 1), (1, 6)) and np.isin(np.asarray(diff.got), (0, 1)).all():
        return "dropout_masks_differ", {}
    return None


register(Exercise(
    "forward_propagation_with_dropout", "regularization",
    lambda X, p, keep_prob=0.5: _course_dropout(notes.forward_propagation_with_dropout, X, p, keep_prob),
    _dropout_cases, parts=("A3", "cache"), formulas={"A3": "inverted", "cache": "mask"},
    cache_text="(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)",
    mistakes={"dropout_not_scaled": lambda X, p, kp: _dropout_with(X, p, kp, scale=lambda A, kp: A),
              "dropout_times_keep_prob": lambda X, p, kp: _dropout_with(X, p, kp, scale=lambda A, kp: A * kp),
              "dropout_mask_reversed": lambda X, p, kp: _dropout_with(X, p, kp, keep=lambda u, kp: u >= kp)},
    probes=[_mask_probe]))


def _dropout_backward_cases() -> list[Case]:
    X, p = _three_layer(RS(1), 3, 5, 2, 3, course=True)
    cache = _course_dropout(notes.forward_propagation_with_dropout, X, p, 0.5)[1]
    cases = [Case(("the course's case (masks of keep_prob 0.5, backward with 0.8)",
                   "课程的用例（keep_prob 0.5 的掩码，反向用 0.8）"), (X, np.array([[1, 1, 0, 1, 0]]), cache, 0.8))]
    for n_x, m, n1, n2, kp in [(4, 8, 6, 5, 0.8), (2, 1, 3, 3, 0.5), (5, 10, 20, 10, 0.86)]:
        r = rng(120 + m)
        X, p = _three_layer(r, n_x, m, n1, n2)
        cache = _course_dropout(notes.forward_propagation_with_dropout, X, p, kp)[1]
        cases.append(Case((f"{n_x}-{n1}-{n2}-1, m = {m}, keep_prob = {kp:g}",
                           f"{n_x}-{n1}-{n2}-1，m = {m}，keep_prob = {kp:g}"), (X, _labels(r, m), cache, kp)))
    return cases


def _dropout_backward_with(X, Y, cache, keep_prob, mask=True, divide=True):
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    stand_in = (Z1, np.ones_like(D1) if not mask else D1, A1, W1, b1, Z2, np.ones_like(D2) if not mask else D2, A2,
                W2, b2, Z3, A3, W3, b3)
    return notes.backward_propagation_with_dropout(X, Y, stand_in, keep_prob if divide else 1.0)


def _reuse_probe(case, diff):
    """dA1 or dA2 not zero where the forward pass dropped the unit: its mask was not applied (or another drawn)."""
    label = diff.path[-1] if diff.path else ""
    if diff.kind != "value" or label not in ("dA1", "dA2"):
        return None
    D = case.args[2][1 if label == "dA1" else 6]
    got = np.asarray(diff.got)
    return ("dropout_mask_not_reused", {}) if got.shape == D.shape and np.any(got[D == 0] != 0) else None


register(Exercise(
    "backward_propagation_with_dropout", "regularization", helpers.backward_propagation_with_dropout,
    _dropout_backward_cases, formulas={**THREE, "dA": "dropback"},
    mistakes={"dropout_mask_not_reused": lambda X, Y, c, kp: _dropout_backward_with(X, Y, c, kp, mask=False),
              "dropout_backward_not_scaled": lambda X, Y, c, kp: _dropout_backward_with(X, Y, c, kp, divide=False)},
    probes=[_reuse_probe]))


# ---------------------------------------------------------------- the gradient check
def _gradient_check_cases() -> list[Case]:
    course = RS(1)
    X, Y = course.randn(4, 3), np.array([[1, 1, 0]])
    p = {}
    for l, shape in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
        p[f"W{l}"], p[f"b{l}"] = course.randn(*shape), course.randn(shape[0], 1)
    grads = helpers.backward_propagation_n(X, Y, helpers.forward_propagation_n(X, Y, p)[1])
    planted = dict(grads, dW2=grads["dW2"] * 2, db1=grads["db1"] * 4)
    cases = [Case(("the course's case, correct gradients", "课程的用例，梯度正确"), (p, grads, X, Y)),
             Case(("the course's two planted bugs (dW2 × 2, db1 × 4)", "课程埋下的两个错误（dW2 × 2，db1 × 4）"),
                  (p, planted, X, Y))]
    for m, epsilon, seed in [(1, 1e-7, 130), (6, 1e-4, 131), (5, 1e-7, 132)]:
        r = rng(seed)
        X, p = r.standard_normal((4, m)), layer_parameters(r, helpers.COURSE_LAYER_DIMS, 0.7)
        Y = _labels(r, m)
        grads = helpers.backward_propagation_n(X, Y, helpers.forward_propagation_n(X, Y, p)[1])
        cases.append(Case((f"m = {m}, ε = {epsilon:g}", f"m = {m}，ε = {epsilon:g}"), (p, grads, X, Y, epsilon)))
    return cases


def _check_with(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, sided=2, divisor=2, denominator="sum"):
    theta, _ = helpers.dictionary_to_vector(parameters)
    grad = helpers.gradients_to_vector(gradients)
    approx = np.zeros_like(theta)
    J = lambda t: helpers.forward_propagation_n(X, Y, helpers.vector_to_dictionary(t))[0]  # noqa: E731
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon if sided == 2 else 0.0
        approx[i] = (J(plus) - J(minus)) / (divisor * epsilon if sided == 2 else epsilon)
    norm = np.linalg.norm
    bottom = {"sum": norm(grad) + norm(approx), "none": 1.0, "together": norm(grad + approx)}[denominator]
    return float(norm(grad - approx) / bottom)


register(Exercise(
    "gradient_check_n", "gradient_checking", helpers.gradient_check_n, _gradient_check_cases,
    parts=("difference",), formulas={"*": "difference"},
    mistakes={"one_sided": lambda *a: _check_with(*a, sided=1),
              "gc_epsilon_not_doubled": lambda *a: _check_with(*a, divisor=1),
              "gc_no_denominator": lambda *a: _check_with(*a, denominator="none"),
              "gc_denominator": lambda *a: _check_with(*a, denominator="together")},
    rtol=1e-3, atol=5e-8))
