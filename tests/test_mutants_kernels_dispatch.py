"""Tests that kill the mutants mutmut found surviving in the compiled-kernel dispatch of activations.py and losses.py
(issue 25's ``add_bias_and_activate``, ``backward_and_sum``, ``ReLU.backward``, the output dZ; python -m bench.mutation,
bench/README.md "Mutation score"). The behaviours:

* the compiled kernel runs, once, with the right kind, alpha and output array, whenever the arrays allow it (seen
  through a recording wrapper put in place of ``kernels.compiled``), and gives the NumPy lines' bits;
* an array the kernels do not take (a non-contiguous view, a mixed dtype) goes the NumPy way: the right numbers,
  written into the array asked for (a kernel handed it raises TypeError);
* the NumPy lines themselves (``kernels.compiled`` None, as without a build or with GLASSNET_PURE_NUMPY=1): ``out=``
  honoured, dZ in place of dA, the scale applied, integer labels of two classes or one example;
* ``constant_cost`` computed in float64 whatever Y's dtype, and without a warning for no examples;
* optimizers.py, the rest of the full run's survivors there: Adam's kernel given only arrays it takes, the notes'
  ``update`` keeping the parameters' dtype and following new names, ``t`` counting from 0, a fresh optimizer
  pickled, ``get_optimizer``'s learning-rate override checked and not erasing a config's own, a schedule's repr;
* gradcheck/check.py, the same: ``numerical_derivative``'s messages, float64 work for an integer or float32 θ, no
  unused f(θ) for two-sided differences; ``norm`` of tiny entries.

The mutants that cannot change behaviour are listed, with the reason, in bench/mutation-equivalent.txt.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

from glassnet import activations, kernels, losses, optimizers
from glassnet.errors import HyperparameterError
from glassnet.gradcheck import check

from .conftest import same_bits

needs_kernels = pytest.mark.skipif(kernels.compiled is None, reason="the optional compiled kernels are not built")

DTYPES = [np.float64, np.float32]
ELEMENTWISE = [activations.ReLU(), activations.LeakyReLU(0.2), activations.Tanh(), activations.Sigmoid(),
               activations.Linear()]


class Recorder:
    """Stands for the compiled module: records each kernel call (name, arguments), then runs the real kernel."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def __getattr__(self, name):
        attribute = getattr(self.real, name)
        if name not in ("bias_act", "backward_sum", "output_dz", "adam"):
            return attribute

        def call(*args):
            self.calls.append((name, args))
            return attribute(*args)
        return call


@pytest.fixture
def spy(monkeypatch):
    recorder = Recorder(kernels.compiled)
    monkeypatch.setattr(kernels, "compiled", recorder)
    return recorder




def data(shape, dtype, seed=0):
    """Values of both signs, with exact zeros (ReLU's and leaky ReLU's kink), never square (rows != columns)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    x.flat[::4] = 0.0
    return x.astype(dtype)


def fortran(x):
    return np.asfortranarray(x)


# ------------------------------------------------------------------------- add_bias_and_activate


@needs_kernels
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("g", ELEMENTWISE + [activations.Softmax()], ids=repr)
def test_add_bias_and_activate_runs_its_kernel_once_into_out(g, dtype, spy):
    """ReLU and leaky ReLU: one fused pass into out, with their alpha; the others: the bias compiled, then forward into
    out. The numbers are the NumPy lines' (Z + b, then g) bit for bit; the array returned is out."""
    Z0, b = data((3, 5), dtype), data((3, 1), dtype, seed=1)
    Z, out = Z0.copy(), np.full((3, 5), np.nan, dtype)
    result = g.add_bias_and_activate(Z, b, out=out)
    expected_Z = Z0 + b
    assert result is (Z if g.name == "linear" else out)  # a linear layer's A is Z itself
    assert same_bits(Z, expected_Z) and same_bits(result, g.forward(expected_Z))
    [(name, args)] = spy.calls
    assert name == "bias_act" and args[0] is Z and args[1] is b
    if g.forward_kernel == kernels.BIAS:
        assert args[2] is Z and args[3] == kernels.BIAS
    else:
        assert args[2] is out and args[3] == g.forward_kernel
    if isinstance(g, activations.LeakyReLU):  # the one kind whose kernel reads alpha
        assert args[4] == g.alpha


@needs_kernels
def test_leaky_relus_alpha_reaches_the_kernel(spy):
    Z, b, out = data((3, 5), np.float64), np.zeros((3, 1)), np.empty((3, 5))
    Z[0, 0] = -2.0
    activations.LeakyReLU(0.25).add_bias_and_activate(Z, b, out=out)
    assert spy.calls[0][1][4] == 0.25 and out[0, 0] == -0.5


@pytest.mark.parametrize("g", ELEMENTWISE + [activations.Softmax()], ids=repr)
def test_add_bias_and_activate_honours_out_on_the_numpy_lines(g, numpy_lines):
    Z, b, out = data((3, 5), np.float64), data((3, 1), np.float64, seed=1), np.empty((3, 5))
    expected = g.forward(Z + b)
    result = numpy_lines(lambda: g.add_bias_and_activate(Z, b, out=out))
    assert result is (Z if g.name == "linear" else out) and same_bits(result, expected)


@pytest.mark.parametrize("g", [activations.ReLU(), activations.LeakyReLU(0.2)], ids=repr)
@pytest.mark.parametrize("kind", ["float32 out", "fortran out", "strided out", "fortran Z", "float32 b"])
def test_add_bias_and_activate_takes_arrays_the_kernel_does_not(g, kind, numpy_lines):
    """An out (or Z, b) the kernel does not take: the NumPy lines, their numbers, written into that out."""
    def arrays():
        Z, b, out = data((3, 5), np.float64), data((3, 1), np.float64, seed=1), np.full((3, 5), np.nan)
        if kind == "float32 out":
            out = out.astype(np.float32)
        elif kind == "fortran out":
            out = fortran(out)
        elif kind == "strided out":
            out = np.full((3, 10), np.nan)[:, ::2]
        elif kind == "fortran Z":
            Z = fortran(Z)
        else:
            b = b.astype(np.float32)
        return Z, b, out

    def run():
        Z, b, out = arrays()
        result = g.add_bias_and_activate(Z, b, out=out)
        assert result is out
        return Z, out

    (Z, out), (Z_numpy, out_numpy) = run(), numpy_lines(run)
    assert same_bits(Z, Z_numpy) and same_bits(out, out_numpy)
    assert not np.isnan(out).any()


# ------------------------------------------------------------------------- backward_and_sum, ReLU.backward


@needs_kernels
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("g", ELEMENTWISE, ids=repr)
def test_backward_and_sum_runs_its_kernel_once(g, dtype, spy, numpy_lines):
    """One compiled pass: dA made dZ in place (returned), db its row sums; the NumPy lines' bits."""
    Z = data((3, 5), dtype)
    A = Z if g.name == "linear" else g.forward(Z)
    dA0 = data((3, 5), dtype, seed=2)

    def run():
        dA, db = dA0.copy(), np.full((3, 1), np.nan, dtype)
        dZ = g.backward_and_sum(dA, Z, A, db)
        assert dZ is dA
        return dZ, db

    (dZ, db), (dZ_numpy, db_numpy) = run(), numpy_lines(run)
    assert same_bits(dZ, dZ_numpy) and same_bits(db, db_numpy)
    [(name, args)] = spy.calls
    assert name == "backward_sum" and args[1] is Z and args[2] is A and args[4] == g.backward_kernel
    assert args[3].shape == (3, 1) and (args[5] == g.alpha if isinstance(g, activations.LeakyReLU) else True)


@pytest.mark.parametrize("g", ELEMENTWISE + [activations.Softmax()], ids=repr)
def test_backward_and_sum_works_in_place_of_dA_on_the_numpy_lines(g, numpy_lines):
    Z = data((3, 5), np.float64)
    A = Z if g.name == "linear" else g.forward(Z)
    dA, db = data((3, 5), np.float64, seed=2), np.empty((3, 1))
    expected = g.backward(dA.copy(), Z, A)
    dZ = numpy_lines(lambda: g.backward_and_sum(dA, Z, A, db))
    assert dZ is dA and same_bits(dA, expected) and same_bits(db, expected.sum(axis=1, keepdims=True))


@pytest.mark.parametrize("g", ELEMENTWISE, ids=repr)
@pytest.mark.parametrize("kind", ["fortran dA", "fortran Z", "fortran A", "strided db", "float32 db"])
def test_backward_and_sum_takes_arrays_the_kernel_does_not(g, kind, numpy_lines):
    """One array the kernel does not take: the NumPy lines' numbers, dZ in dA and the sums in that db."""
    if g.name == "linear" and kind == "fortran A":
        return  # A is Z for a linear layer
    def arrays():
        Z, dA, db = data((3, 5), np.float64), data((3, 5), np.float64, seed=2), np.full((3, 1), np.nan)
        A = g.forward(Z) if g.name != "linear" else Z
        if kind == "fortran dA":
            dA = fortran(dA)
        elif kind == "fortran Z":
            Z = fortran(Z)
            A = Z if g.name == "linear" else A
        elif kind == "fortran A":
            A = fortran(A)
        elif kind == "strided db":
            db = np.full((3, 2), np.nan)[:, :1]
        else:
            db = db.astype(np.float32)
        return dA, Z, A, db

    def run():
        dA, Z, A, db = arrays()
        dZ = g.backward_and_sum(dA, Z, A, db)
        assert dZ is dA
        return dZ, db

    (dZ, db), (dZ_numpy, db_numpy) = run(), numpy_lines(run)
    assert same_bits(dZ, dZ_numpy) and same_bits(db, db_numpy) and not np.isnan(db).any()


@needs_kernels
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_backward_in_place_runs_its_kernel_once(dtype, spy, numpy_lines):
    """dZ = dA * [Z > 0] in place of dA: one compiled pass (no sums), the NumPy line's bits."""
    Z, dA0 = data((3, 5), dtype), data((3, 5), dtype, seed=2)

    def run():
        dA = dA0.copy()
        dZ = activations.ReLU().backward(dA, Z, None, out=dA)
        assert dZ is dA
        return dZ

    assert same_bits(run(), numpy_lines(run))
    [(name, args)] = spy.calls
    assert name == "backward_sum" and args[1] is Z and args[3] is None and args[4] == kernels.RELU


@pytest.mark.parametrize("kind", ["fortran dA", "float32 dA", "fortran Z"])
def test_relu_backward_in_place_of_a_dA_the_kernel_does_not_take(kind, numpy_lines):
    def run():
        Z, dA = data((3, 5), np.float64), data((3, 5), np.float64, seed=2)
        if kind == "fortran Z":
            Z = fortran(Z)
        else:
            dA = fortran(dA) if kind == "fortran dA" else dA.astype(np.float32)
        dZ = activations.ReLU().backward(dA, Z, None, out=dA)
        assert dZ is dA
        return dZ

    assert same_bits(run(), numpy_lines(run))


# ------------------------------------------------------------------------- the output dZ


def _output_cases(dtype):
    AL3, AL1 = data((3, 5), dtype, seed=3), data((1, 5), dtype, seed=4)
    labels = np.array([[0, 2, 1, 2, 0]], dtype=np.intp)
    return [
        (losses.MeanSquaredError(), AL3, data((3, 5), dtype, seed=5)),
        (losses.BinaryCrossEntropy(), AL1, (data((1, 5), dtype, seed=6) > 0).astype(dtype)),
        (losses.SoftmaxCrossEntropy(), AL3, np.eye(3, dtype=dtype)[:, labels[0]].copy()),
        (losses.SoftmaxCrossEntropy(), AL3, labels),
    ]


def _one_hot_of(AL, Y):
    return np.eye(AL.shape[0], dtype=AL.dtype)[:, Y[0]] if Y.dtype == np.intp else Y


@needs_kernels
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("with_out", [False, True])
@pytest.mark.parametrize("case", range(4), ids=["mse", "bce", "softmax one-hot", "softmax labels"])
def test_output_dz_runs_its_kernel_once(case, with_out, dtype, spy):
    loss, AL, Y = _output_cases(dtype)[case]
    out = np.full(AL.shape, np.nan, dtype) if with_out else None
    dZ = loss.output_dZ(AL, Y, out=out, scale=0.2)
    assert dZ is out if with_out else dZ.dtype == dtype
    expected = np.subtract(AL, _one_hot_of(AL, Y))
    expected *= dtype(0.2)
    assert same_bits(dZ, expected)
    [(name, args)] = spy.calls
    assert name == "output_dz" and args[0] is AL and args[1] is Y and args[3] == 0.2
    assert args[2] is out if with_out else True


@pytest.mark.parametrize("case", range(4), ids=["mse", "bce", "softmax one-hot", "softmax labels"])
@pytest.mark.parametrize("scale", [1.0, 2.0, 0.2])
def test_output_dz_on_the_numpy_lines_scales_and_honours_out(case, scale, numpy_lines):
    loss, AL, Y = _output_cases(np.float64)[case]
    expected = np.subtract(AL, _one_hot_of(AL, Y))
    expected *= scale
    out = np.full(AL.shape, np.nan)
    assert same_bits(numpy_lines(lambda: loss.output_dZ(AL, Y, scale=scale)), expected)
    assert numpy_lines(lambda: loss.output_dZ(AL, Y, out=out, scale=scale)) is out and same_bits(out, expected)


@pytest.mark.parametrize("classes,m", [(2, 5), (3, 1), (2, 1)])
@pytest.mark.parametrize("with_out", [False, True])
def test_integer_labels_of_two_classes_or_one_example_on_the_numpy_lines(classes, m, with_out, numpy_lines):
    """(C, m) - one_hot(labels), also for C = 2 and for m = 1 (where a broadcast subtraction would also run)."""
    AL = data((classes, m), np.float64, seed=7) + 3.0
    Y = (np.arange(m, dtype=np.intp) % classes)[None, :]
    out = np.full(AL.shape, np.nan) if with_out else None
    dZ = numpy_lines(lambda: losses.SoftmaxCrossEntropy().output_dZ(AL, Y, out=out))
    assert same_bits(dZ, AL - np.eye(classes)[:, Y[0]])
    assert dZ is out if with_out else dZ is not AL


@pytest.mark.parametrize("kind", ["fortran out", "float32 out", "fortran AL", "float32 Y", "fortran Y"])
@pytest.mark.parametrize("case", range(4), ids=["mse", "bce", "softmax one-hot", "softmax labels"])
def test_output_dz_takes_arrays_the_kernel_does_not(case, kind, numpy_lines):
    """An AL, Y or out the kernel does not take: the NumPy lines' numbers, in that out."""
    def run():
        loss, AL, Y = _output_cases(np.float64)[case]
        out = np.full(AL.shape, np.nan)
        if kind == "fortran out":
            out = fortran(np.full((AL.shape[1], AL.shape[0]), np.nan).T) if AL.shape[0] > 1 else out[:, ::-1]
        elif kind == "float32 out":
            out = out.astype(np.float32)
        elif kind == "fortran AL":
            AL = fortran(AL) if AL.shape[0] > 1 else AL[:, ::-1].copy()[:, ::-1]
        elif kind == "float32 Y" and Y.dtype != np.intp:
            Y = Y.astype(np.float32)
        elif kind == "fortran Y":
            Y = fortran(Y) if Y.shape[0] > 1 else Y[:, ::-1].copy()[:, ::-1]
        dZ = loss.output_dZ(AL, Y, out=out, scale=0.5)
        assert dZ is out
        return dZ

    with np.errstate(all="ignore"):
        got, expected = run(), numpy_lines(run)
    assert same_bits(got, expected) and not np.isnan(got).any()


# ------------------------------------------------------------------------- constant_cost


@pytest.mark.parametrize("loss,Y", [
    (losses.BinaryCrossEntropy(), np.array([[1, 0, 0, 1, 0, 0, 0]])),
    (losses.SoftmaxCrossEntropy(), np.eye(3)[:, [0, 1, 1, 2, 2, 2, 0]]),
    (losses.MeanSquaredError(), np.array([[0.1, 0.7, 0.3, -1.9, 2.3], [1.1, 0.2, 0.3, 0.4, 5.7]])),
], ids=["bce", "softmax", "mse"])
def test_constant_cost_is_computed_in_float64_whatever_ys_dtype(loss, Y):
    Y32 = Y.astype(np.float32)
    assert loss.constant_cost(Y32) == loss.constant_cost(Y32.astype(np.float64))


@pytest.mark.parametrize("loss,Y", [(losses.BinaryCrossEntropy(), np.zeros((1, 0))),
                                    (losses.SoftmaxCrossEntropy(), np.zeros((3, 0))),
                                    (losses.MeanSquaredError(), np.zeros((2, 0)))], ids=["bce", "softmax", "mse"])
def test_constant_cost_of_no_examples_is_zero_without_a_warning(loss, Y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert loss.constant_cost(Y) == 0.0


# ------------------------------------------------------------------------- optimizers


def _params(dtype=np.float64, layout=None):
    rng = np.random.default_rng(8)
    params = {"W1": rng.standard_normal((3, 5)).astype(dtype), "b1": rng.standard_normal((3, 1)).astype(dtype)}
    grads = {"dW1": rng.standard_normal((3, 5)).astype(dtype), "db1": rng.standard_normal((3, 1)).astype(dtype)}
    if layout == "fortran W":
        params["W1"] = fortran(params["W1"])
    elif layout == "fortran dW":
        grads["dW1"] = fortran(grads["dW1"])
    return params, grads


def two_adam_updates(params, grads):
    """The parameters after two Adam(0.01) updates with the same gradients."""
    opt = optimizers.Adam(0.01)
    for _ in range(2):
        opt.update(params, grads)
    return params


@needs_kernels
@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_update_runs_its_kernel_once_a_parameter(dtype, spy, numpy_lines):
    def run():
        return two_adam_updates(*_params(dtype))

    got, expected = run(), numpy_lines(run)
    assert all(same_bits(got[k], expected[k]) for k in got)
    assert [name for name, _ in spy.calls] == ["adam"] * 4


@pytest.mark.parametrize("layout", ["fortran W", "fortran dW"])
def test_adam_takes_a_parameter_or_gradient_the_kernel_does_not(layout, numpy_lines):
    def run():
        return two_adam_updates(*_params(np.float64, layout))

    got, expected = run(), numpy_lines(run)
    assert all(same_bits(got[k], expected[k]) for k in got)


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_notes_update_keeps_the_parameters_dtype_and_equals_step(dtype):
    """update() on float32 parameters: float32 state, and the bits of step() on the flat float32 theta."""
    params, grads = _params(dtype)
    by_name, flat = optimizers.Adam(0.01), optimizers.Adam(0.01)
    theta = np.concatenate([params["W1"].ravel(), params["b1"].ravel()])
    grad = np.concatenate([grads["dW1"].ravel(), grads["db1"].ravel()])
    flat.attach({"W1": (3, 5), "b1": (3, 1)}, dtype=dtype)
    for _ in range(3):
        by_name.update(params, grads)
        flat.step(theta, grad)
    assert by_name.state["W1"]["v"].dtype == dtype and by_name.state["b1"]["s"].dtype == dtype
    assert same_bits(np.concatenate([params["W1"].ravel(), params["b1"].ravel()]), theta)


def test_the_notes_update_follows_new_parameter_names():
    params, grads = _params()
    opt = optimizers.Adam(0.01)
    opt.update({"W1": params["W1"]}, {"dW1": grads["dW1"]})
    opt.update(params, grads)  # a parameter the first call did not have: the state is laid out again
    assert list(opt.state) == ["W1", "b1"] and opt.t == 1


@pytest.mark.parametrize("make", [lambda: optimizers.GradientDescent(0.1), lambda: optimizers.Adam(0.01)],
                         ids=["gd", "adam"])
def test_t_counts_the_steps_from_zero(make):
    opt = make()
    assert opt.t == 0
    theta, grad = np.ones(4), np.full(4, 0.5)
    if opt.slots:
        opt.attach({"W1": (2, 2)})
    opt.step(theta, grad)
    opt.step(theta, grad)
    assert opt.t == 2


def test_a_fresh_optimizer_pickles_and_then_trains_like_one_never_pickled():
    copy = pickle.loads(pickle.dumps(optimizers.Adam(0.01)))
    params, grads = _params()
    params2 = {k: v.copy() for k, v in params.items()}
    copy.update(params, grads)
    optimizers.Adam(0.01).update(params2, grads)
    assert all(same_bits(params[k], params2[k]) for k in params)


@pytest.mark.parametrize("bad", [0.0, -0.5])
def test_get_optimizer_checks_the_learning_rate_it_sets_on_an_object(bad):
    opt = optimizers.Adam(0.01)
    with pytest.raises(HyperparameterError, match=r"^learning_rate must be a number in \(0.0, inf\), got"):
        optimizers.get_optimizer(opt, learning_rate=bad)
    assert opt.learning_rate == 0.01
    assert optimizers.get_optimizer(opt, learning_rate=0.5) is opt and opt.learning_rate == 0.5


def test_get_optimizer_without_a_learning_rate_keeps_the_configs_own():
    assert optimizers.get_optimizer({"name": "adam", "learning_rate": 0.05}).learning_rate == 0.05
    assert optimizers.get_optimizer({"name": "adam", "learning_rate": 0.05}, learning_rate=0.2).learning_rate == 0.2


def test_a_schedules_repr_lists_its_arguments():
    assert repr(optimizers.StepDecay(7, 0.25)) == "StepDecay(step_size=7, factor=0.25)"
    assert repr(optimizers.ExponentialDecay(0.9)) == "ExponentialDecay(rate=0.9)"


# ------------------------------------------------------------------------- gradcheck/check.py


def test_numerical_derivative_names_its_bad_arguments():
    with pytest.raises(HyperparameterError) as bad_step:
        check.numerical_derivative(lambda x: x, 1.0, epsilon=0)
    assert str(bad_step.value) == ("epsilon must be a number in (0.0, inf), got 0; a small positive step such as "
                                   "1e-2 (or 1e-7 for gradient checks)")
    with pytest.raises(HyperparameterError) as bad_theta:
        check.numerical_derivative(lambda x: x, float("nan"))
    assert str(bad_theta.value) == "theta must be a number in (-inf, inf), got nan"


@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_numerical_derivative_works_in_float64_for_any_theta(dtype):
    """f receives float64 (the docstring): an integer θ is not truncated back, a float32 one not rounded to it."""
    seen = []

    def f(x):
        seen.append(x.dtype)
        return float((x ** 3).sum())

    grad = check.numerical_derivative(f, np.array([1, 2], dtype=dtype), epsilon=1e-3)
    np.testing.assert_allclose(grad, [3.0, 12.0], rtol=1e-6)
    assert set(seen) == {np.dtype(np.float64)}


@pytest.mark.parametrize("two_sided,calls", [(True, 6), (False, 4)])
def test_numerical_derivative_evaluates_f_only_where_it_needs_to(two_sided, calls):
    """Two-sided: f at θ ± ε e_i, 2n calls (no f(θ)); one-sided: f(θ) once and θ + ε e_i, n + 1 calls."""
    count = []
    check.numerical_derivative(lambda x: count.append(1) or float(x.sum()), np.zeros(3), two_sided=two_sided)
    assert len(count) == calls


def test_norm_of_tiny_entries_does_not_underflow():
    for tiny in (1e-200, 1e-170):  # the squares of these underflow to 0 (or lose digits as subnormals)
        assert check.norm(np.array([3.0, 4.0]) * tiny) / tiny == pytest.approx(5.0, rel=1e-15)
