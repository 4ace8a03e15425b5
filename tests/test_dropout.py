import numpy as np
import pytest

import glassnet as gn

from .conftest import relative_difference, two_sided_gradient


def data(n_x=6, m=30, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return X, Y


def test_inference_ignores_dropout():
    X, _ = data()
    dropped = gn.Network([6, 8, 8, 1], keep_prob=0.5, seed=1)
    whole = gn.Network([6, 8, 8, 1], keep_prob=1.0, seed=1)
    np.testing.assert_array_equal(dropped.parameters_to_vector(), whole.parameters_to_vector())
    np.testing.assert_array_equal(dropped.forward(X, training=False), whole.forward(X))
    # and training=True does drop: the output changes
    assert not np.allclose(dropped.forward(X, training=True), whole.forward(X))


def test_gradients_with_fixed_masks_pass_the_check():
    X, Y = data()
    net = gn.Network([6, 7, 5, 1], hidden_activation="tanh", keep_prob=[0.8, 0.7, 0.6],
                     l2=0.3, dtype="float64", seed=2)
    with net.fixed_dropout_masks():
        _, grads = net.cost_and_gradients(X, Y, training=True)
        analytic = np.concatenate([g.ravel() for g in grads.values()])
        masks = [layer.D.copy() for layer in net.layers]
        theta0 = net.parameters_to_vector()

        def cost(theta):
            net.vector_to_parameters(theta)
            J, _ = net.cost_and_gradients(X, Y, training=True)
            return J

        numeric = two_sided_gradient(cost, theta0)
        for layer, mask in zip(net.layers, masks, strict=True):
            np.testing.assert_array_equal(layer.D, mask)  # the pattern stayed fixed
    assert relative_difference(analytic, numeric) < 1e-7
    # outside the block, masks are fresh again
    net.cost_and_gradients(X, Y, training=True)
    assert any(not np.array_equal(layer.D, mask) for layer, mask in zip(net.layers, masks, strict=True))


def test_inverted_dropout_preserves_the_mean_activation():
    rng = np.random.default_rng(0)
    X = rng.random((50, 400)) + 0.5  # positive inputs so the mean is well away from 0
    net = gn.Network([50, 40, 1], keep_prob=[0.8, 1.0], seed=3, dtype="float64")
    totals = np.zeros_like(X)
    n = 200
    for _ in range(n):
        net.forward(X, training=True)
        totals += net.layers[0].cache[0]  # A[0] after dropout
    assert abs(totals.mean() / n / X.mean() - 1) < 0.01
    # about 20 % of the entries were dropped in each pass
    dropped = 1 - net.layers[0].D.mean()
    assert 0.18 < dropped < 0.22


def test_per_layer_keep_prob_drops_only_where_asked():
    X, _ = data(m=200)
    X = np.abs(X) + 0.1
    net = gn.Network([6, 30, 30, 1], hidden_activation="sigmoid", keep_prob=[1.0, 0.5, 1.0],
                     seed=4)
    net.forward(X, training=True)
    A0, A1, A2 = (layer.cache[0] for layer in net.layers)
    assert np.count_nonzero(A0 == 0) == 0  # input kept whole
    assert 0.4 < np.mean(A1 == 0) < 0.6  # hidden 1 dropped about half
    assert np.count_nonzero(A2 == 0) == 0  # hidden 2 (sigmoid > 0) kept whole
    # a float applies to every hidden layer but not to the input
    assert gn.Network([6, 5, 5, 1], keep_prob=0.8).keep_prob == [1.0, 0.8, 0.8]


def test_input_layer_can_be_dropped():
    X = np.ones((10, 500))
    net = gn.Network([10, 4, 1], keep_prob=[0.5, 1.0], seed=5)
    net.forward(X, training=True)
    dropped_input = net.layers[0].cache[0]
    assert 0.45 < np.mean(dropped_input == 0) < 0.55
    assert set(np.unique(dropped_input)) == {0.0, 2.0}  # kept units scaled by 1 / keep_prob


def test_masks_come_from_the_seed():
    X, _ = data()
    a = gn.Network([6, 8, 1], keep_prob=0.5, seed=9)
    b = gn.Network([6, 8, 1], keep_prob=0.5, seed=9)
    np.testing.assert_array_equal(a.forward(X, training=True), b.forward(X, training=True))


def test_gradients_without_dropout_when_not_training():
    X, Y = data()
    net = gn.Network([6, 5, 1], keep_prob=0.5, seed=6, dtype="float64")
    reference = gn.Network([6, 5, 1], keep_prob=1.0, seed=6, dtype="float64")
    J, grads = net.cost_and_gradients(X, Y, training=False)
    J_ref, grads_ref = reference.cost_and_gradients(X, Y, training=False)
    assert J == J_ref
    for k in grads:
        np.testing.assert_array_equal(grads[k], grads_ref[k])


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5, float("nan"), "0.5"])
def test_keep_prob_out_of_range(bad):
    with pytest.raises(gn.HyperparameterError, match=r"keep_prob must be a number in \(0.0, 1.0\]"):
        gn.Network([3, 2, 1], keep_prob=bad)
