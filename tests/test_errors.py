import numpy as np
import pytest

import glassnet as gn


@pytest.fixture
def net():
    return gn.Network([3, 4, 1], seed=0)


def test_rank_one_X_is_refused_with_the_reshape(net):
    with pytest.raises(gn.RankOneArrayError) as info:
        net.forward(np.zeros(5))
    message = str(info.value)
    assert "shape (5,)" in message and "X.reshape(1, -1)" in message and "X.reshape(-1, 1)" in message


def test_rank_one_Y_is_refused_with_the_reshape(net):
    X = np.zeros((3, 5))
    with pytest.raises(gn.RankOneArrayError, match=r"Y.reshape\(1, -1\)"):
        net.cost(X, np.zeros(5))


def test_shape_mismatch_names_the_layer_and_both_shapes(net):
    with pytest.raises(gn.ShapeError) as info:
        net.forward(np.zeros((5, 3)))
    message = str(info.value)
    assert "layer 1" in message and "(4, 3)" in message and "(5, 3)" in message
    assert "X.T" in message  # it looks like (m, n_x)


def test_Y_shape_mismatch(net):
    with pytest.raises(gn.ShapeError, match=r"\(1, 5\).*got \(1, 4\)"):
        net.cost(np.zeros((3, 5)), np.zeros((1, 4)))


def test_images_get_the_flatten_hint(net):
    with pytest.raises(gn.ShapeError, match=r"reshape\(m, -1\).T"):
        net.forward(np.zeros((2, 4, 4, 3)))


@pytest.mark.parametrize("kwargs,pattern", [
    ({"l2": -1}, r"l2 must be a number in \[0.0, inf\)"),
    ({"hidden_activation": "swish"}, "unknown activation 'swish'; expected one of: leaky_relu, linear, relu"),
    ({"initializer": "lecun"}, "unknown initializer 'lecun'; expected one of: glorot, he, random, xavier, zeros"),
    ({"output_activation": "relu"}, "output activation must be one of sigmoid, softmax, linear"),
    ({"dtype": "float16"}, "dtype must be 'float32' or 'float64'"),
    ({"layer_dims": [3]}, "at least"),
    ({"layer_dims": [3, 0, 1]}, r"layer_dims\[1\] must be an integer >= 1"),
    ({"init_scale": -2}, "init_scale"),
    ({"activations": ["relu", "sigmoid", "tanh"]}, "L = 2 activations"),
    ({"layer_dims": [3, 1], "output_activation": "softmax"}, "at least 2 units"),
])
def test_hyperparameter_errors(kwargs, pattern):
    args = {"layer_dims": [3, 4, 1], **kwargs}
    with pytest.raises(gn.HyperparameterError, match=pattern):
        gn.Network(**args)


def test_labels_outside_0_1_for_sigmoid(net):
    with pytest.raises(gn.LabelError, match=r"labels in \{0, 1\}, found \[2.0\].*softmax"):
        net.cost(np.zeros((3, 3)), np.array([[0, 1, 2]]))


def test_softmax_labels_out_of_range():
    net = gn.Network([3, 4, 3], output_activation="softmax", seed=0)
    with pytest.raises(gn.LabelError, match="0..2"):
        net.cost(np.zeros((3, 3)), np.array([[0, 1, 3]]))
    with pytest.raises(gn.ShapeError, match=r"one-hot \(3, 3\) or integer labels \(1, 3\)"):
        net.cost(np.zeros((3, 3)), np.zeros((2, 3)))


def test_nan_in_X(net):
    X = np.zeros((3, 4))
    X[1, 2] = np.nan
    with pytest.raises(gn.NonFiniteError, match=r"first at \[1, 2\]"):
        net.forward(X)


def test_backward_before_forward():
    with pytest.raises(gn.NotFittedError, match="forward pass first"):
        gn.Network([3, 2, 1]).backward(np.zeros((1, 2)))


def test_errors_are_also_builtin_types(net):
    with pytest.raises(ValueError):
        net.forward(np.zeros(3))
    assert issubclass(gn.GlassnetError, Exception)
