"""The optional compiled kernels against the NumPy lines they replace: equal bit for bit, on any thread count.

Tolerance: none. Every kernel computes each element with the NumPy lines' operations in their order and
precision, and the db sums add each row in NumPy's pairwise order on one thread (the rows are what the
threads share), so one thread, two threads and the NumPy lines give the same bits; the tests say so
with ``tobytes()``. The one allowance: where a sum meets NaNs, any NaN is accepted (which of two NaN
operands an addition returns is the processor's choice, not an order of operations). The products
(``compiled.matmul``, NumPy's own BLAS call with beta = 1) are held to NumPy's values: a sum of -0 may come
back +0 there (the tests of the products say why).
"""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import glassnet as gn
from glassnet import activations, kernels, losses, optimizers

from .conftest import same_bits

pytestmark = pytest.mark.skipif(
    kernels.compiled is None, reason="the optional compiled kernels are not built (pip install -e . builds them)"
)

DTYPES = [np.float32, np.float64]
SHAPES = [(1, 1), (3, 7), (513, 129)]


@pytest.fixture
def two_threads():
    """Every kernel on two threads, whatever its size (so small test arrays take the threaded path)."""
    previous = kernels.compiled.min_parallel(0)
    adaptive = kernels.compiled.adaptive(False)  # the pool for every job: the threaded path is the one tested
    try:
        with threadpool_limits(limits=2, user_api="openmp"):
            yield
    finally:
        kernels.compiled.min_parallel(previous)
        kernels.compiled.adaptive(adaptive)




def same_sums(a, b) -> bool:
    """Equal bit for bit where finite or infinite; NaN where the other is NaN (module docstring)."""
    nan = np.isnan(a)
    return bool((nan == np.isnan(b)).all()) and same_bits(np.where(nan, 0, a), np.where(nan, 0, b))


def awkward(rng, shape, dtype):
    """Values of every magnitude and sign, with NaN, ±inf, ±0 and values that the bias cancels."""
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, shape)
    flat = x.reshape(-1)
    special = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-45]
    flat[: min(len(special), flat.size)] = special[: flat.size]
    rng.shuffle(flat)
    return x.astype(dtype)


def test_the_kernels_codes_are_the_c_enum():
    for name in ("RELU", "LEAKY", "BIAS", "TANH", "SIGMOID", "LINEAR"):
        assert getattr(kernels, name) == getattr(kernels.compiled, name)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_kernel_equals_the_numpy_path(dtype, two_threads, numpy_lines):
    rng = np.random.default_rng(0)
    shapes = {"W1": (300, 201), "b1": (300, 1)}
    n = 300 * 201 + 300
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
    numpy_theta, numpy_state = numpy_lines(run)
    assert same_bits(fused_theta, numpy_theta)
    for slot in ("v", "s"):
        assert same_bits(fused_state[slot], numpy_state[slot])


ELEMENTWISE = [activations.ReLU(), activations.LeakyReLU(0.01), activations.LeakyReLU(0.0), activations.Tanh(),
               activations.Sigmoid(), activations.Linear(), activations.Softmax()]


@pytest.mark.parametrize("g", ELEMENTWISE, ids=repr)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_bias_and_activation_equal_the_numpy_lines(g, shape, dtype, two_threads, numpy_lines):
    rng = np.random.default_rng(1)
    Z0, b = awkward(rng, shape, dtype), awkward(rng, (shape[0], 1), dtype)
    b[-1] = -Z0[-1, -1]  # an exact zero after the bias

    def run():
        Z, A = Z0.copy(), np.empty(shape, dtype)
        with np.errstate(all="ignore"):
            result = g.add_bias_and_activate(Z, b, out=A)
        return Z, result

    (Z, A), (Z_numpy, A_numpy) = run(), numpy_lines(run)
    assert same_bits(Z, Z_numpy)
    assert same_bits(A, A_numpy)


@pytest.mark.parametrize("g", ELEMENTWISE[:-1], ids=repr)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_backward_and_db_equal_the_numpy_lines(g, shape, dtype, two_threads, numpy_lines):
    rng = np.random.default_rng(2)
    Z = awkward(rng, shape, dtype)
    A = Z if g.name == "linear" else np.clip(awkward(rng, shape, dtype), -2, 2)
    dA0 = awkward(rng, shape, dtype)
    for array in (Z, A, dA0):
        array[0] = rng.uniform(-1, 1, shape[1])  # one row without NaN or inf: its sum is a plain number

    def run():
        dA, db = dA0.copy(), np.empty((shape[0], 1), dtype)
        with np.errstate(all="ignore"):
            dZ = g.backward_and_sum(dA, Z, A, db)
        return dZ, db

    (dZ, db), (dZ_numpy, db_numpy) = run(), numpy_lines(run)
    assert same_bits(dZ, dZ_numpy)
    assert same_sums(db, db_numpy) and np.isfinite(db[0, 0])


@pytest.mark.parametrize("cols", [1, 5, 8, 9, 127, 128, 129, 255, 256, 1000, 20011])
@pytest.mark.parametrize("dtype", DTYPES)
def test_the_db_sums_add_in_numpys_pairwise_order(cols, dtype, two_threads):
    rng = np.random.default_rng(cols)
    dZ = (rng.standard_normal((3, cols)) * 10.0 ** rng.integers(-4, 4, (3, cols))).astype(dtype)
    expected = dZ.sum(axis=1, keepdims=True)
    db = np.empty_like(expected)
    kernels.compiled.backward_sum(dZ, dZ, dZ, db, kernels.LINEAR, 0.0)
    assert same_bits(db, expected)


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (10, 129), (513, 129)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_output_dz_equals_the_numpy_lines(shape, dtype, numpy_lines):
    rng = np.random.default_rng(3)
    AL = awkward(rng, shape, dtype)
    scale = 1.0 / shape[1]
    cases = [(losses.BinaryCrossEntropy() if shape[0] == 1 else losses.MeanSquaredError(),
              awkward(rng, shape, dtype))]
    if shape[0] > 1:
        labels = rng.integers(0, shape[0], (1, shape[1])).astype(np.intp)
        cases += [(losses.SoftmaxCrossEntropy(), labels),
                  (losses.SoftmaxCrossEntropy(), np.eye(shape[0], dtype=dtype)[:, labels[0]].copy())]
    for loss, Y in cases:
        with np.errstate(all="ignore"):
            fused = loss.output_dZ(AL, Y, scale=scale)
            plain = numpy_lines(lambda loss=loss, Y=Y: loss.output_dZ(AL, Y, scale=scale))
        assert same_bits(fused, plain), (loss, Y.dtype)


@pytest.mark.parametrize("shape", [(2, 1), (3, 7), (10, 128), (129, 513)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_argmax_hits_equal_the_numpy_lines(shape, dtype, numpy_lines):
    """The accuracy's count: NumPy's argmax picks the first maximum, and a NaN (the first) over any number."""
    from glassnet.metrics import batch_metric_sum

    rng = np.random.default_rng(11)
    AL = awkward(rng, shape, dtype)
    AL[:, ::4] = AL[0, ::4]  # ties: whole columns equal
    AL[:, 1::5] = 0.0
    AL[-1, 1::10] = -0.0  # -0 ties +0
    labels = rng.integers(0, shape[0], (1, shape[1]))
    labels[0, ::3] = AL.argmax(axis=0)[::3]  # some hits whatever the values
    one_hot = np.ascontiguousarray(np.eye(shape[0], dtype=dtype)[:, labels[0]])
    for Y in (labels, one_hot):
        expected = numpy_lines(lambda Y=Y: batch_metric_sum("softmax", AL, Y))
        assert expected == float((AL.argmax(axis=0) == labels[0]).sum())
        assert kernels.compiled.argmax_hits(AL, Y) == expected
        assert batch_metric_sum("softmax", AL, Y) == expected


def test_argmax_hits_refuse_what_they_do_not_take():
    from glassnet.metrics import compiled_hits_apply

    c, AL = kernels.compiled, np.zeros((3, 4), np.float32)
    with pytest.raises(ValueError, match="2-D"):
        c.argmax_hits(np.zeros(12, np.float32), np.zeros((1, 4), np.intp))
    with pytest.raises(ValueError, match=r"Y \(integer labels\)\[2\] = 3 is outside 0..2"):
        c.argmax_hits(AL, np.array([[0, 1, 3, 2]]))
    with pytest.raises(ValueError, match="shaped like AL"):
        c.argmax_hits(AL, np.zeros((4, 3), np.float32))
    with pytest.raises(TypeError, match="same dtype"):
        c.argmax_hits(AL, np.zeros((3, 4)))
    assert not compiled_hits_apply(np.zeros((1, 4)), np.zeros((1, 4)))  # one unit: the labels are the values
    assert not compiled_hits_apply(AL, np.zeros((1, 4), np.int32))  # not np.intp: NumPy's lines
    assert not compiled_hits_apply(np.asfortranarray(np.zeros((3, 4))), np.zeros((1, 4), np.intp))
    assert compiled_hits_apply(AL, np.zeros((1, 4), np.intp)) and compiled_hits_apply(AL, AL)


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (513, 129)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_gather_equals_np_take(shape, dtype, two_threads):
    rng = np.random.default_rng(4)
    X = awkward(rng, shape, dtype)
    idx = rng.permutation(shape[0])[: max(1, shape[0] // 2)]
    out = np.empty((idx.size, shape[1]), dtype)
    kernels.compiled.gather(X, idx, out)
    assert same_bits(out, np.take(X, idx, axis=0))


NUMPY_BLAS = np.show_config("dicts").get("Build Dependencies", {}).get("blas", {}).get("name")
needs_numpys_blas = pytest.mark.skipif(not kernels.products_agree(),
                                       reason=f"NumPy's BLAS ({NUMPY_BLAS}) was not found: the products go to NumPy")


def test_the_products_run_compiled_where_numpy_has_its_wheels_blas():
    """The NumPy wheels' BLAS is scipy-openblas: there the compiled products must be found and agree."""
    if NUMPY_BLAS != "scipy-openblas" or sys.platform != "linux":
        pytest.skip(f"NumPy's BLAS here is {NUMPY_BLAS} on {sys.platform}")
    assert kernels.products_agree()


def operand(rng, rows, cols, dtype, layout):
    """A (rows, cols) matrix stored as NumPy would hand it to BLAS: 'C', 'F' (a transposed C array), or a
    'padded' view whose rows are longer than it (a leading dimension beyond its width)."""
    if layout == "C":
        return awkward(rng, (rows, cols), dtype)
    if layout == "F":
        return awkward(rng, (cols, rows), dtype).T
    return awkward(rng, (rows, cols + 5), dtype)[:, 2 : 2 + cols]


@needs_numpys_blas
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("m", "n", "p"), [(2, 2, 2), (3, 7, 5), (10, 128, 128), (128, 10, 128), (64, 800, 16),
                                           (129, 513, 33)])
def test_products_give_numpys_values(m, n, p, dtype, threads):
    """Tolerance 0 on the values: the same gemm call with beta = 1 on zeros adds 0 + x = x where NumPy's beta = 0
    zeroes C first; depths above BLAS's block (800) add block by block in both. The allowance: where OpenBLAS's
    beta = 0 call takes a small-matrix kernel of its own, a sum of -0 may come back +0 and another NaN for a NaN
    (test_a_sum_of_minus_zero_may_come_back_plus_zero), so ±0 compare equal and NaN matches any NaN."""
    rng = np.random.default_rng(m * n * p)
    with threadpool_limits(limits=threads, user_api="blas"):
        for a_layout in ("C", "F", "padded"):
            for b_layout in ("C", "F", "padded"):
                A, B = operand(rng, m, n, dtype, a_layout), operand(rng, n, p, dtype, b_layout)
                out = np.full((m, p), np.nan, dtype)
                assert kernels.compiled.matmul(A, B, out) is True
                with np.errstate(all="ignore"):  # the awkward values' inf - inf
                    expected = np.matmul(A, B)
                assert np.array_equal(out, expected, equal_nan=True), (a_layout, b_layout)
                assert np.array_equal(kernels.matmul(A, B), expected, equal_nan=True)


@needs_numpys_blas
@pytest.mark.parametrize(("dtype", "tiny"), [(np.float32, 1e-30), (np.float64, 1e-200)])
def test_a_sum_of_minus_zero_may_come_back_plus_zero(dtype, tiny):
    """Products that underflow to -0: NumPy's beta = 0 call (a small-matrix kernel here) stores -0; the compiled call
    adds the sum to the +0 it zeroed out with. The same number; the sign of a zero is the one difference it allows."""
    A, B = np.full((16, 64), tiny, dtype), np.full((64, 16), -tiny, dtype)
    out = np.empty((16, 16), dtype)
    assert kernels.compiled.matmul(A, B, out) is True
    assert np.array_equal(out, np.matmul(A, B)) and not out.any()


@needs_numpys_blas
def test_a_training_step_makes_each_product_by_the_compiled_call(monkeypatch):
    """Forward Z = W A_prev, backward dW = dZ A_prev^T and dA_prev = W^T dZ (none for layer 1): 3L - 1 products,
    each taken by compiled.matmul (a fallback to NumPy would give the same numbers, only slower)."""
    real, taken = kernels.compiled, []

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def matmul(self, *args):
            taken.append(real.matmul(*args))
            return taken[-1]

    monkeypatch.setattr(kernels, "compiled", Spy())
    rng = np.random.default_rng(3)
    for dtype in ("float32", "float64"):
        net = gn.Network([20, 16, 8, 3], output_activation="softmax", dtype=dtype, seed=0)
        X = rng.standard_normal((64, 20)).astype(dtype).T  # example-major storage, as the fit loop's mini-batch
        taken.clear()
        net.train_step(X, rng.integers(0, 3, (1, 64)))
        assert taken == [True] * (3 * net.L - 1), dtype


@needs_numpys_blas
def test_products_the_kernel_does_not_take_go_to_numpy():
    """Nothing is written where the kernel says False, and kernels.matmul then gives np.matmul's answer."""
    rng = np.random.default_rng(11)
    A, B = rng.standard_normal((6, 5)), rng.standard_normal((5, 4))
    big, shared = rng.standard_normal((6, 12)), rng.standard_normal(60)
    cases = {
        "a column": (A, B[:, :1], np.empty((6, 1))),
        "a row": (A[:1], B, np.empty((1, 4))),
        "A @ A.T (NumPy's syrk)": (A, A.T, np.empty((6, 6))),
        "every other column": (big[:, ::2][:, :5], B, np.empty((6, 4))),
        "out in Fortran order": (A, B, np.empty((4, 6)).T),
        "out over A": (shared[:30].reshape(6, 5), B, shared[25:49].reshape(6, 4)),  # C-contiguous, 5 values shared
        "mixed dtypes": (A.astype(np.float32), B, np.empty((6, 4))),
        "integers": (A.astype(np.int64), B.astype(np.int64), np.empty((6, 4), np.int64)),
        "a read-only out": (A, B, np.empty((6, 4))),
        "shapes that do not match": (A, B[:4], np.empty((6, 4))),
        "a dtype of no bytes": (np.empty((6, 5), dtype=[]), B, np.empty((6, 4))),
    }
    cases["a read-only out"][2].flags.writeable = False
    for name, (a, b, out) in cases.items():
        before = out.copy()
        assert kernels.compiled.matmul(a, b, out) is False, name
        assert same_bits(out, before), name
        if name == "a dtype of no bytes":
            continue  # NumPy refuses it with its own error; the kernel must only decline (it once divided by 0)
        if name in ("a read-only out", "shapes that do not match"):
            with pytest.raises(ValueError):
                kernels.matmul(a, b, out=out)  # NumPy's own error
        else:
            expected = np.matmul(a, b)
            assert same_bits(kernels.matmul(a, b, out=out), expected) and same_bits(out, expected), name
    assert same_bits(kernels.matmul(A[0], B), np.matmul(A[0], B))  # a vector: NumPy


def test_arrays_the_kernels_do_not_take_go_the_numpy_way():
    rng = np.random.default_rng(5)
    Z = rng.standard_normal((6, 8))
    assert kernels.usable(Z, Z)
    assert not kernels.usable(Z, Z.T)  # a transposed view
    assert not kernels.usable(Z, Z.astype(np.float32))  # mixed dtypes
    assert not kernels.usable(Z.astype(np.int64))
    assert not kernels.usable_indices(np.arange(3, dtype=np.int32)) and not kernels.usable_indices(np.arange(6)[::2])
    b = rng.standard_normal((6, 1))
    for g in (activations.ReLU(), activations.LeakyReLU(0.1), activations.Tanh()):
        Zf = np.asfortranarray(Z)
        A = g.add_bias_and_activate(Zf, b, out=np.empty_like(Zf))  # Fortran-ordered: the NumPy lines
        np.testing.assert_array_equal(A, g.forward(Z + b))
        dA, db = np.asfortranarray(rng.standard_normal((6, 8))), np.empty((6, 1))
        expected = dA * g.derivative(Zf)
        dZ = g.backward_and_sum(dA, Zf, g.forward(Zf), db)
        np.testing.assert_allclose(dZ, expected, rtol=1e-12)
        np.testing.assert_array_equal(db, dZ.sum(axis=1, keepdims=True))
    AL = np.asfortranarray(rng.random((3, 8)))
    labels = rng.integers(0, 3, (1, 8))
    dZ = losses.SoftmaxCrossEntropy().output_dZ(AL, labels[:, ::-1], scale=0.5)  # both non-contiguous
    np.testing.assert_array_equal(dZ, (AL - np.eye(3)[:, labels[0, ::-1]]) * 0.5)


@pytest.mark.parametrize("char", ["f", "d"])
def test_an_explicit_native_byte_order_runs_compiled_and_equals_the_numpy_lines(char):
    """'<f8' is float64 spelled out (scipy.io.loadmat, h5py); its buffer format '<d' used to raise TypeError."""
    native = "<" if np.little_endian else ">"
    dtype = np.dtype(char).newbyteorder(native)
    assert dtype.byteorder == native
    rng = np.random.default_rng(6)
    Z = awkward(rng, (9, 33), dtype)
    b = awkward(rng, (9, 1), np.dtype(char))
    assert kernels.usable(Z, b, np.empty_like(Z))
    with np.errstate(all="ignore"):
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
        kernels.compiled.backward_sum(Z, Z, Z, None, kernels.RELU, 0.0)


def test_kernels_refuse_bad_arguments_with_a_clear_error():
    c, f = kernels.compiled, np.zeros((4, 6), np.float32)
    with pytest.raises(ValueError, match="one b per row"):
        c.bias_act(f, np.zeros(5, np.float32), f, c.RELU, 0.0)
    with pytest.raises(ValueError, match="kind must be"):
        c.bias_act(f, np.zeros(4, np.float32), f, 99, 0.0)
    with pytest.raises(ValueError, match="kind must be"):
        c.backward_sum(f, f, f, None, c.BIAS, 0.0)
    with pytest.raises(TypeError, match="same dtype"):
        c.backward_sum(f, np.zeros((4, 6)), f, None, c.RELU, 0.0)
    with pytest.raises(TypeError, match="C-contiguous"):
        c.backward_sum(f, np.zeros((6, 4), np.float32).T, f, None, c.RELU, 0.0)
    with pytest.raises(TypeError, match="float32 or float64"):
        c.backward_sum(*[np.zeros(3, np.int32)] * 3, None, c.RELU, 0.0)
    with pytest.raises(ValueError, match="one db per row"):
        c.backward_sum(f, f, f, np.zeros(5, np.float32), c.RELU, 0.0)
    with pytest.raises(ValueError, match="same size"):
        c.adam(f, f, f, np.zeros(3, np.float32), 0.9, 0.999, 0.1, 1e-8)
    with pytest.raises(ValueError, match=r"Y \(integer labels\)\[1\] = 4 is outside 0..3"):
        c.output_dz(f, np.array([0, 4, 1, 2, 3, 0]), np.empty_like(f), 1.0)
    with pytest.raises(TypeError, match="same dtype"):
        c.output_dz(f, np.zeros((4, 6)), np.empty_like(f), 1.0)
    with pytest.raises(ValueError, match="shaped like AL"):
        c.output_dz(f, np.zeros((4, 5), np.float32), np.empty_like(f), 1.0)
    # the gathers' refusals: tests/test_minibatches.py::test_the_gathers_refuse_bad_arguments_alike


def fit(dtype, hidden="relu", **kwargs):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((20, 300))
    Y = rng.integers(0, 3, (1, 300))
    net = gn.Network([20, 64, 8, 3], hidden_activation=hidden, output_activation="softmax", dtype=dtype, seed=0)
    history = net.fit(X, Y, epochs=3, batch_size=64, optimizer="adam", learning_rate=0.01, seed=0, **kwargs)
    return net.parameters_to_vector(), history["cost"]


@pytest.mark.parametrize(("dtype", "hidden"), [("float32", "relu"), ("float64", "relu"), ("float64", "tanh")])
def test_training_with_and_without_the_kernels_is_the_same_bit_for_bit(dtype, hidden, numpy_lines):
    fused = fit(dtype, hidden)
    plain = numpy_lines(lambda: fit(dtype, hidden))
    assert same_bits(fused[0], plain[0])
    assert fused[1] == plain[1]


def test_one_thread_and_two_train_the_same_bits(two_threads):
    """Tolerance 0: threads share rows and elements, never a sum (module docstring)."""
    two = fit("float32", "leaky_relu")
    with threadpool_limits(limits=1, user_api="openmp"):  # BLAS keeps its threads: the kernels' alone change
        assert kernels.max_threads() == 1
        one = fit("float32", "leaky_relu")
    assert kernels.max_threads() == 2
    assert same_bits(one[0], two[0]) and one[1] == two[1]


def test_the_thread_count_follows_threadpoolctl_the_sweeps_and_omp_num_threads():
    from glassnet.sweeps.parallel import ONE_THREAD_ENV, run_one

    assert run_one(lambda data, config, seed: kernels.max_threads(), None, None, 0).value == 1
    with threadpool_limits(limits=1, user_api="openmp"):
        assert kernels.max_threads() == 1
    path = importlib.util.find_spec("glassnet._fused").origin
    script = (f"import importlib.util as u; s = u.spec_from_file_location('glassnet._fused', {path!r}); "
              "m = u.module_from_spec(s); s.loader.exec_module(m); print(m.max_threads())")
    out = subprocess.run([sys.executable, "-c", script], env={**ONE_THREAD_ENV}, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "1"


def test_adaptive_runs_each_job_one_way_or_the_other_and_the_bits_stay():
    """From min_parallel() on, a job runs on the pool or on one thread, the way that has been faster for its
    kernel and size (each measured first, the other tried every 32nd run); either way the same bits."""
    c = kernels.compiled
    previous, adaptive = c.min_parallel(0), c.adaptive(True)
    assert adaptive is True  # the default
    c.forget_ways()
    assert c.way_stats() == []
    try:
        with threadpool_limits(limits=2, user_api="openmp"):
            rng = np.random.default_rng(9)
            dZ = rng.standard_normal((64, 1000))
            expected = dZ.sum(axis=1, keepdims=True)
            for _ in range(70):
                db = np.empty_like(expected)
                c.backward_sum(dZ, dZ, dZ, db, kernels.LINEAR, 0.0)
                assert same_bits(db, expected)
            (way,) = c.way_stats()
            assert way["kernel"] == "backward_sum"
            assert way["bytes_from"] <= dZ.nbytes < 2 * way["bytes_from"]  # the size class: 64 rows of 8 000 bytes
            assert way["runs_one"] >= 1 and way["runs_pool"] >= 1  # both measured
            assert 69 <= way["runs_one"] + way["runs_pool"] <= 70  # a run that starts the helpers is not counted
            assert way["ns_per_byte_one"] > 0 and way["ns_per_byte_pool"] > 0
            assert c.adaptive(False) is True and c.adaptive() is False  # off: returns the previous setting
            c.forget_ways()
            c.backward_sum(dZ, dZ, dZ, db, kernels.LINEAR, 0.0)
            assert c.way_stats() == []  # off: the pool, nothing measured
    finally:
        c.adaptive(adaptive)
        c.min_parallel(previous)
        c.forget_ways()


def test_a_forked_child_has_a_pool_of_its_own(two_threads):
    """After fork() the parent's helper threads do not exist in the child: its kernels start their own."""
    import os

    rng = np.random.default_rng(8)
    dZ = rng.standard_normal((64, 1000))
    expected = dZ.sum(axis=1, keepdims=True)
    kernels.compiled.backward_sum(dZ, dZ, dZ, np.empty_like(expected), kernels.LINEAR, 0.0)  # helpers started
    pid = os.fork()
    if pid == 0:  # the child: a threaded kernel, then its verdict as the exit status
        db = np.empty_like(expected)
        kernels.compiled.backward_sum(dZ, dZ, dZ, db, kernels.LINEAR, 0.0)
        os._exit(0 if same_bits(db, expected) else 1)
    assert os.waitpid(pid, 0)[1] == 0
