"""The engine (glassnet.Network) equals the notes (glassnet.notes): cost and every gradient to 1e-12, float64.

Random networks of 1-4 hidden layers, every hidden activation (sigmoid, tanh, relu, leaky_relu, linear), every
output (sigmoid, softmax, linear), l2 in {0, 0.7}, and dropout on hidden layers and input features: the engine
draws its masks, the notes are handed the same masks. The engine folds the 1/m into dZ[L], the notes keep it in
(7) and (8): the numbers agree up to rounding. Inputs are kept sensible (Xavier-sized weights, standard-normal X,
small biases) so that no sigmoid saturates, where the two ways of rounding could drift apart.
"""

import itertools

import numpy as np
import pytest

import glassnet as gn
from glassnet import notes

RTOL = 1e-12
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = ["sigmoid", "softmax", "linear"]
DROPOUT = ["none", "hidden", "input and hidden"]


def mismatches(J_engine, grads_engine, J_notes, grads_notes, rtol=RTOL):
    """Names of the quantities that differ by more than rtol relative (to the notes' norm); [] when all agree."""
    bad = [] if abs(J_engine - J_notes) <= rtol * abs(J_notes) else ["J"]
    for name in grads_engine:
        difference = np.linalg.norm(grads_engine[name] - grads_notes[name])
        if not difference <= rtol * np.linalg.norm(grads_notes[name]):
            bad.append(name)
    return bad


def make_case(hidden, output, l2, dropout, seed):
    """A random network and problem; returns (net, X, Y, the notes' activation names)."""
    rng = np.random.default_rng(seed)
    L = int(rng.integers(2, 6))  # 1-4 hidden layers and the output layer
    n_y = int(rng.integers(2, 5)) if output == "softmax" else int(rng.integers(1, 3))
    layer_dims = [int(rng.integers(2, 6)) for _ in range(L)] + [n_y]
    m = int(rng.integers(3, 9))
    # every layer draws its own hidden activation; the case's one comes first so each is always covered
    names = [hidden] + [str(rng.choice(HIDDEN)) for _ in range(L - 2)]
    alpha = float(rng.choice([0.01, 0.2]))
    notes_acts = [("leaky_relu", alpha) if a == "leaky_relu" else a for a in names] + [output]
    engine_acts = [gn.LeakyReLU(alpha) if a == "leaky_relu" else a for a in names] + [output]
    if dropout == "none":
        keep_prob = 1.0
    elif dropout == "hidden":
        keep_prob = float(rng.choice([0.5, 0.8]))
    else:
        keep_prob = [0.8] + [float(rng.choice([0.5, 0.8, 1.0])) for _ in range(L - 1)]
    net = gn.Network(layer_dims, activations=engine_acts, initializer="xavier", keep_prob=keep_prob, l2=l2,
                     dtype="float64", seed=int(rng.integers(2**31)))
    for l in range(1, L + 1):
        net.params[f"b{l}"] = 0.1 * rng.standard_normal((layer_dims[l], 1))
    X = rng.standard_normal((layer_dims[0], m))
    if output == "sigmoid":
        Y = (rng.random((n_y, m)) < 0.5).astype(float)
    elif output == "softmax":
        Y = np.eye(n_y)[:, rng.integers(0, n_y, m)]
    else:
        Y = rng.standard_normal((n_y, m))
    return net, X, Y, notes_acts


def notes_cost_and_gradients(net, X, Y, notes_acts, masks):
    """The notes' J and {"dW1", "db1", ...} for the engine's parameters and dropout masks."""
    parameters = {name: np.array(value) for name, value in net.params.items()}
    AL, caches = notes.L_model_forward(X, parameters, keep_prob=net.keep_prob, dropout_masks=masks,
                                       activations=notes_acts)
    J = notes.compute_cost(AL, Y, parameters, net.l2, output=notes_acts[-1])
    grads = notes.L_model_backward(AL, Y, caches, net.l2, activations=notes_acts)
    return J, {name: value for name, value in grads.items() if not name.startswith("dA")}


CASES = [
    (hidden, output, l2, dropout, seed)
    for seed, (hidden, output, l2, dropout) in enumerate(itertools.product(HIDDEN, OUTPUTS, [0.0, 0.7], DROPOUT))
]


@pytest.mark.parametrize(("hidden", "output", "l2", "dropout", "seed"), CASES)
def test_engine_cost_and_gradients_equal_the_notes(hidden, output, l2, dropout, seed):
    net, X, Y, notes_acts = make_case(hidden, output, l2, dropout, seed)
    J_engine, grads_engine = net.cost_and_gradients(X, Y, training=True)
    masks = [layer.D if layer.mask_applied else None for layer in net.layers]
    if dropout != "none":
        assert any(mask is not None and not mask.all() for mask in masks), "the case must really drop units"
    J_notes, grads_notes = notes_cost_and_gradients(net, X, Y, notes_acts, masks)
    assert sorted(grads_engine) == sorted(grads_notes)
    assert mismatches(J_engine, grads_engine, J_notes, grads_notes) == []


def test_the_comparison_catches_a_wrong_engine_gradient_or_cost():
    net, X, Y, notes_acts = make_case("tanh", "softmax", 0.7, "input and hidden", seed=7)
    J_engine, grads_engine = net.cost_and_gradients(X, Y, training=True)
    masks = [layer.D if layer.mask_applied else None for layer in net.layers]
    J_notes, grads_notes = notes_cost_and_gradients(net, X, Y, notes_acts, masks)
    assert mismatches(J_engine, grads_engine, J_notes, grads_notes) == []
    wrong = dict(grads_engine, dW1=grads_engine["dW1"] * (1 + 1e-9))
    assert mismatches(J_engine, wrong, J_notes, grads_notes) == ["dW1"]
    assert mismatches(J_engine * (1 + 1e-9), grads_engine, J_notes, grads_notes) == ["J"]
    other_masks = [None if mask is None else ~mask for mask in masks]  # another dropout pattern: other numbers
    J_other, grads_other = notes_cost_and_gradients(net, X, Y, notes_acts, other_masks)
    assert mismatches(J_engine, grads_engine, J_other, grads_other) != []


def test_the_flat_vector_orders_agree():
    net, *_ = make_case("relu", "sigmoid", 0.0, "none", seed=3)
    theta, keys = notes.dictionary_to_vector(dict(net.params))
    np.testing.assert_array_equal(theta.ravel(), net.parameters_to_vector())
    assert keys[0] == "W1" and keys[-1] == f"b{net.L}"
    back = notes.vector_to_dictionary(net.parameters_to_vector().reshape(-1, 1), net.layer_dims)
    for name, value in net.params.items():
        np.testing.assert_array_equal(back[name], value)
