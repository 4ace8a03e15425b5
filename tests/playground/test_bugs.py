"""The planted bugs: the notes' backward pass written out equals the library's, each mistake is the one it names,
and the gradient check's hint for each names the formula it sits in."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet.playground.bugs import BUG_NAMES, FORMULA_OF, PlantedBugNetwork, bites, notes_backward, plantable

# hint code -> the formula of bugs.FORMULAS it names
NAMES_FORMULA = {"factor_sign": "dZ_output", "output_layer": "dZ_output", "l2_missing": "l2", "transposed": "dW",
                 "factor_keep_prob": "dropout", "summed_over_units": "db"}


def named_formulas(hint) -> set[str]:
    """The formulas a hint points the learner at (read from its code and params)."""
    if hint.code == "factor_m":
        return {"dW" if hint.params["kind"] == "W" else "db" if hint.params["kind"] == "b" else "dZ_output"}
    if hint.code == "layer_enters":
        return {"g_prime", "dA_prev"} | ({"dropout"} if hint.params["dropped"] else set())
    return {NAMES_FORMULA[hint.code]} if hint.code in NAMES_FORMULA else set()


@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear"])
def test_the_notes_backward_is_the_librarys(output):
    X, Y = gn.datasets.make_moons(20, seed=0)
    Y = {"sigmoid": Y, "softmax": Y, "linear": X[::-1] * 2.0}[output]
    n_y = {"sigmoid": 1, "softmax": 2, "linear": 2}[output]
    for activations in (["tanh", "relu"], ["sigmoid", "leaky_relu"]):
        net = PlantedBugNetwork([2, 5, 4, n_y], activations=[*activations, output], keep_prob=[0.9, 0.7, 0.8],
                                l2=0.3, dtype="float64", seed=1)
        for training in (False, True):
            _, right = gn.Network.cost_and_gradients(net, X, Y, training=training)
            mine = notes_backward(net)
            assert list(mine) == list(right)
            for key in right:
                np.testing.assert_allclose(mine[key], right[key], rtol=1e-12, atol=1e-15)


def test_each_bug_is_its_mistake_in_its_layer_only():
    X, Y = gn.datasets.make_moons(16, seed=0)
    net = PlantedBugNetwork([2, 5, 4, 1], activations=["tanh", "tanh", "sigmoid"], l2=0.7, dtype="float64", seed=1)
    _, right = gn.Network.cost_and_gradients(net, X, Y, training=False)
    m, W2 = 16, net.params["W2"]

    def planted(bug, layer):
        net.bug, net.bug_layer = bug, layer
        return net.cost_and_gradients(X, Y, training=False)[1]

    data_dW2 = right["dW2"] - 0.7 / m * W2
    np.testing.assert_allclose(planted("dW_no_m", 2)["dW2"], m * data_dW2 + 0.7 / m * W2)
    np.testing.assert_allclose(planted("no_l2", 2)["dW2"], data_dW2)
    np.testing.assert_allclose(planted("dW_transposed", 2)["dW2"], right["dW2"].T.reshape(4, 5))
    np.testing.assert_allclose(planted("db_no_m", 2)["db2"], m * right["db2"])
    np.testing.assert_allclose(planted("db_axis", 2)["db2"], np.full((4, 1), right["db2"].sum()))
    for bug in ("dW_no_m", "no_l2", "dW_transposed", "db_no_m", "db_axis"):  # layers 1 and 3 untouched
        grads = planted(bug, 2)
        for key in ("dW1", "db1", "dW3", "db3"):
            np.testing.assert_allclose(grads[key], right[key], rtol=1e-12)
    sign = planted("sign", 3)
    np.testing.assert_allclose(sign["db1"], -right["db1"])
    np.testing.assert_allclose(sign["dW3"], -(right["dW3"] - 0.7 / m * net.params["W3"]) + 0.7 / m * net.params["W3"])
    g = planted("g_prime_of_A", 2)  # dZ[2] = dA[2] * (1 - tanh(A[2])^2): layers 2 and 1 change, 3 does not
    np.testing.assert_allclose(g["dW3"], right["dW3"], rtol=1e-12)
    assert not np.allclose(g["dW2"], right["dW2"]) and not np.allclose(g["dW1"], right["dW1"])


def test_where_a_bug_bites():
    relu = PlantedBugNetwork([2, 3, 1, 1], activations=["relu", "tanh", "sigmoid"], seed=0)
    assert not bites(relu, "no_l2", 1) and not bites(relu, "no_keep_prob", 1)
    assert not bites(relu, "g_prime_of_A", 1) and bites(relu, "g_prime_of_A", 2)  # g'(A) = g'(Z) for ReLU
    assert not bites(relu, "db_axis", 2) and bites(relu, "db_axis", 1)  # one unit: nothing to sum over
    assert not bites(relu, "dW_transposed", 2) and not bites(relu, "dW_transposed", 3)
    assert not bites(relu, "sign", 1) and bites(relu, "sign", 3)
    relu.bug = "no_l2"
    assert relu.dormant_reason() == "needs_l2"
    relu.l2 = 0.1
    assert relu.dormant_reason() is None
    assert {bug for bug, _ in plantable(relu)} == set(BUG_NAMES[1:]) - {"no_keep_prob"}
    assert ("dW_transposed", 1) in plantable(relu)  # W1 is (3, 2)


SETUPS = [  # hidden activations, keep_prob, l2
    (["tanh", "tanh"], [1.0, 0.8, 0.7], 0.0),
    (["tanh", "relu"], [1.0, 0.8, 0.7], 0.3),
    (["relu", "sigmoid"], [1.0, 1.0, 0.7], 0.1),
]


@pytest.mark.parametrize("activations, keep_prob, l2", SETUPS)
def test_the_check_names_the_formula_of_every_planted_bug(activations, keep_prob, l2):
    """The playground's setting: a little trained, 32 examples, dropout on with fixed masks."""
    X, Y = gn.datasets.make_circles(200, noise=0.05, seed=0)
    net = PlantedBugNetwork([2, 6, 6, 1], activations=[*activations, "sigmoid"], keep_prob=keep_prob, l2=l2, seed=0)
    net.fit(X, Y, epochs=5, batch_size=32, optimizer=gn.optimizers.Adam(0.01), schedule=None, normalize=True)
    found = 0
    for bug, layer in plantable(net):
        net.bug, net.bug_layer = bug, layer
        report = gn.gradient_check(net, X[:, :32], Y[:, :32], dropout="fixed")
        assert report.failed, (bug, layer, str(report))
        named = set().union(*(named_formulas(h) for h in report.hints if hasattr(h, "code")))
        assert FORMULA_OF[bug] in named, (bug, layer, report.hints)
        if bug == "no_keep_prob":  # not the activation's derivative: the forgotten division is a constant factor
            assert all(h.code == "factor_keep_prob" for h in report.hints), report.hints
        found += 1
    assert found >= 14


def test_hints_carry_code_and_params_through_pickle():
    net = PlantedBugNetwork([2, 4, 1], seed=0, dtype="float64")
    net.bug = "db_no_m"
    X, Y = gn.datasets.make_moons(12, seed=0)
    hint = gn.gradient_check(net, X, Y).hints[0]
    assert hint.code == "factor_m" and hint.params["m"] == 12 and "1/m is missing" in hint
    again = pickle.loads(pickle.dumps(hint))
    assert again == hint and again.code == hint.code and again.params == hint.params
