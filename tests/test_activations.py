import warnings

import numpy as np
import pytest

import glassnet as gn

ELEMENTWISE = [gn.Sigmoid(), gn.Tanh(), gn.ReLU(), gn.LeakyReLU(), gn.LeakyReLU(0.2), gn.Linear()]


@pytest.mark.parametrize("g", ELEMENTWISE, ids=repr)
def test_derivative_matches_finite_differences(g):
    # near 0 (but not at the kink), moderate values, and large |z| where sigmoid/tanh saturate
    z = np.array([[-30.0, -10.0, -2.0, -1e-3, 1e-3, 0.5, 2.0, 10.0, 30.0]])
    eps = 1e-6
    numeric = (g.forward(z + eps) - g.forward(z - eps)) / (2 * eps)
    np.testing.assert_allclose(g.derivative(z), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("g", ELEMENTWISE + [gn.Softmax()], ids=repr)
def test_backward_is_dA_times_derivative(g):
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((4, 6))
    dA = rng.standard_normal((4, 6))
    A = g.forward(Z)
    if g.elementwise:
        np.testing.assert_allclose(g.backward(dA, Z, A), dA * g.derivative(Z), rtol=1e-12)
    else:
        # the Jacobian-vector product, column by column, against finite differences
        eps = 1e-6
        numeric = np.zeros_like(Z)
        for i in range(Z.shape[0]):
            E = np.zeros_like(Z)
            E[i] = eps
            numeric[i] = ((g.forward(Z + E) - g.forward(Z - E)) / (2 * eps) * dA).sum(axis=0)
        np.testing.assert_allclose(g.backward(dA, Z, A), numeric, rtol=1e-6, atol=1e-9)


def test_values_at_zero_are_documented_ones():
    z = np.zeros((1, 1))
    assert gn.Sigmoid().derivative(z)[0, 0] == 0.25
    assert gn.Tanh().derivative(z)[0, 0] == 1.0
    assert gn.ReLU().derivative(z)[0, 0] == 0.0
    assert gn.LeakyReLU(0.05).derivative(z)[0, 0] == 0.05
    assert gn.Sigmoid().forward(z)[0, 0] == 0.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("g", [gn.Sigmoid(), gn.Softmax(), gn.Tanh()], ids=repr)
def test_stable_at_large_z(g, dtype):
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            A = g.forward(Z)
            D = g.derivative(Z)
    assert np.isfinite(A).all() and np.isfinite(D).all()
    if g.name == "sigmoid":
        assert A[0, 0] == 1.0 and A[0, 1] == 0.0
    if g.name == "softmax":
        np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-6)
        assert A[0, 0] == 1.0 and A[1, 1] == 1.0


def test_sigmoid_matches_definition_in_range():
    z = np.linspace(-20, 20, 101).reshape(1, -1)
    np.testing.assert_allclose(gn.Sigmoid().forward(z), 1 / (1 + np.exp(-z)), rtol=1e-14)


def test_names_and_errors():
    assert isinstance(gn.get_activation("leaky_relu"), gn.LeakyReLU)
    assert isinstance(gn.get_activation("Leaky-ReLU"), gn.LeakyReLU)
    assert gn.get_activation({"name": "leaky_relu", "alpha": 0.3}).alpha == 0.3
    with pytest.raises(gn.UnknownNameError, match="relu, sigmoid, softmax, tanh"):
        gn.get_activation("swish")
    with pytest.raises(gn.HyperparameterError, match="alpha"):
        gn.LeakyReLU(1.5)
