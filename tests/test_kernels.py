"""The optional compiled kernels against the NumPy lines they replace: equal bit for bit."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations, kernels, optimizers

pytestmark = pytest.mark.skipif(
    kernels.compiled is None, reason="the optional compiled kernels are not built (pip install -e . builds them)"
)

DTYPES = [np.float32, np.float64]


def same_bits(a, b) -> bool:
    """Equal arrays, NaN for NaN and the sign of zero included."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def awkward(rng, shape, dtype):
    """Values of every magnitude and sign, with NaN, ±inf, ±0 and values that the bias cancels."""
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, shape)
    flat = x.reshape(-1)
    special = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-45]
    flat[: len(special)] = special
    rng.shuffle(flat)
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_kernel_equals_the_numpy_path(dtype, monkeypatch):
    rng = np.random.default_rng(0)
    shapes = {"W1": (300, 200), "b1": (300, 1)}
    n = 300 * 200 + 300
    theta0 = rng.standard_normal(n).astype(dtype)
    grads = [(rng.standard_normal(n) * 10.0 ** rng.integers(-6, 2, n)).astype(dtype) for _ in range(5)]

    def run():
        opt = optimizers.Adam(0.01)
        opt.attach(shapes, dtype=dtype)
        theta = theta0.copy()
        for g in grads:
            opt.step(theta, g)
        return theta, opt.state_arrays()

    fused_theta, fused_state = run()
    monkeypatch.setattr(kernels, "compiled", None)
    numpy_theta, numpy_state = run()
    assert same_bits(fused_theta, numpy_theta)
    for slot in ("v", "s"):
        assert same_bits(fused_state[slot], numpy_state[slot])


@pytest.mark.parametrize("dtype", DTYPES)
def test_bias_relu_kernel_equals_the_numpy_lines(dtype):
    rng = np.random.default_rng(1)
    Z = awkward(rng, (37, 129), dtype)
    b = awkward(rng, (37, 1), dtype)
    b[3] = -Z[3, 5]  # an exact zero after the bias
    Z_numpy = Z.copy()
    Z_numpy += b
    A_numpy = np.maximum(Z_numpy, 0)
    A = np.empty_like(Z)
    assert activations.ReLU().add_bias_and_activate(Z, b, out=A) is A
    assert same_bits(Z, Z_numpy)
    assert same_bits(A, A_numpy)


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_backward_kernel_equals_the_numpy_line(dtype):
    rng = np.random.default_rng(2)
    Z = awkward(rng, (41, 67), dtype)
    dA = awkward(rng, (41, 67), dtype)
    expected = np.multiply(dA, Z > 0)
    assert activations.ReLU().backward(dA, Z, None, out=dA) is dA
    assert same_bits(dA, expected)


def test_arrays_the_kernels_do_not_take_go_the_numpy_way():
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((6, 8))
    assert kernels.usable(Z, Z)
    assert not kernels.usable(Z, Z.T)  # a transposed view
    assert not kernels.usable(Z, Z.astype(np.float32))  # mixed dtypes
    assert not kernels.usable(Z.astype(np.int64))
    relu = activations.ReLU()
    b = rng.standard_normal((6, 1))
    Zt = np.asfortranarray(Z)
    A = np.empty_like(Zt)
    relu.add_bias_and_activate(Zt, b, out=A)  # Fortran-ordered: the NumPy lines
    np.testing.assert_array_equal(A, np.maximum(Z + b, 0))


@pytest.mark.parametrize("char", ["f", "d"])
def test_an_explicit_native_byte_order_runs_compiled_and_equals_the_numpy_lines(char):
    """'<f8' is float64 spelled out (scipy.io.loadmat, h5py); its buffer format '<d' used to raise TypeError."""
    native = "<" if np.little_endian else ">"
    dtype = np.dtype(char).newbyteorder(native)
    assert dtype.byteorder == native
    rng = np.random.default_rng(4)
    Z = awkward(rng, (9, 33), dtype)
    b = awkward(rng, (9, 1), np.dtype(char))
    assert kernels.usable(Z, b, np.empty_like(Z))
    expected_Z = Z + b
    expected_A = np.maximum(expected_Z, 0)
    A = np.empty(Z.shape, dtype)
    activations.ReLU().add_bias_and_activate(Z, b, out=A)
    assert Z.tobytes() == expected_Z.tobytes() and A.tobytes() == expected_A.tobytes()
    dA = awkward(rng, Z.shape, dtype)
    expected = np.multiply(dA, Z > 0)
    activations.ReLU().backward(dA, Z, None, out=dA)
    assert dA.tobytes() == expected.tobytes()
    W, g, v, s = (awkward(rng, (50,), dtype) for _ in range(4))
    kernels.compiled.adam(W, g, np.abs(v), np.abs(s), 0.9, 0.999, 0.01, 1e-8)  # takes the format too


def test_a_swapped_byte_order_goes_the_numpy_way():
    swapped = np.dtype("f8").newbyteorder("S")
    Z = np.arange(-6.0, 6.0).reshape(3, 4).astype(swapped)
    b = np.zeros((3, 1))
    assert not kernels.usable(Z, b, np.empty(Z.shape))
    with pytest.raises(TypeError, match="byte order"):
        kernels.compiled.relu_backward(Z, Z)


def test_kernels_refuse_bad_arguments_with_a_clear_error():
    f = np.zeros((4, 6), np.float32)
    with pytest.raises(ValueError, match="one b per row"):
        kernels.compiled.bias_relu(f, np.zeros(5, np.float32), f)
    with pytest.raises(TypeError, match="same dtype"):
        kernels.compiled.relu_backward(f, np.zeros((4, 6)))
    with pytest.raises(TypeError, match="C-contiguous"):
        kernels.compiled.relu_backward(f, np.zeros((6, 4), np.float32).T)
    with pytest.raises(TypeError, match="float32 or float64"):
        kernels.compiled.relu_backward(np.zeros(3, np.int32), np.zeros(3, np.int32))
    with pytest.raises(ValueError, match="same size"):
        kernels.compiled.adam(f, f, f, np.zeros(3, np.float32), 0.9, 0.999, 0.1, 1e-8)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_with_and_without_the_kernels_is_the_same_bit_for_bit(dtype, monkeypatch):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((20, 300))
    Y = (X[:2].sum(axis=0, keepdims=True) > 0).astype(float)

    def train():
        net = gn.Network([20, 16, 8, 1], hidden_activation="relu", dtype=dtype, seed=0)
        history = net.fit(X, Y, epochs=3, batch_size=64, optimizer="adam", learning_rate=0.01, seed=0)
        return net.parameters_to_vector(), history["cost"]

    fused = train()
    monkeypatch.setattr(kernels, "compiled", None)
    plain = train()
    assert same_bits(fused[0], plain[0])
    assert fused[1] == plain[1]


def test_a_bias_that_is_not_one_per_row_goes_the_numpy_way():
    rng = np.random.default_rng(5)
    Z = rng.standard_normal((4, 6))
    b = rng.standard_normal((1, 6))  # one per column: broadcasting, not the kernel's layout
    A = np.empty_like(Z)
    expected = np.maximum(Z + b, 0)
    activations.ReLU().add_bias_and_activate(Z, b, out=A)
    np.testing.assert_array_equal(A, expected)
