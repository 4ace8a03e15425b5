import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import optimizers


def fixed_problem():
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    b = np.array([[0.1], [-0.2]])
    dW1 = np.array([[0.2, -0.4], [1.0, 0.0]])
    db1 = np.array([[0.3], [-0.1]])
    dW2 = np.array([[-0.1, 0.5], [0.2, 0.6]])
    db2 = np.array([[0.0], [0.4]])
    return W, b, [(dW1, db1), (dW2, db2)]


def run(opt, steps):
    W, b, grads = fixed_problem()
    params = {"W1": W.copy(), "b1": b.copy()}
    for dW, db in grads[:steps]:
        opt.update(params, {"dW1": dW, "db1": db})
    return params


def test_gradient_descent_step():
    W, b, grads = fixed_problem()
    p = run(optimizers.GradientDescent(0.1), 1)
    np.testing.assert_allclose(p["W1"], W - 0.1 * grads[0][0])
    np.testing.assert_allclose(p["b1"], b - 0.1 * grads[0][1])


def test_momentum_two_steps_by_hand():
    W, _, grads = fixed_problem()
    beta, lr = 0.9, 0.1
    v = (1 - beta) * grads[0][0]
    W1 = W - lr * v
    v = beta * v + (1 - beta) * grads[1][0]
    W2 = W1 - lr * v
    p = run(optimizers.Momentum(lr, beta=beta), 2)
    np.testing.assert_allclose(p["W1"], W2, rtol=1e-14)


def test_rmsprop_two_steps_by_hand():
    W, _, grads = fixed_problem()
    beta, lr, eps = 0.9, 0.01, 1e-8
    s = (1 - beta) * grads[0][0] ** 2
    W1 = W - lr * grads[0][0] / (np.sqrt(s) + eps)
    s = beta * s + (1 - beta) * grads[1][0] ** 2
    W2 = W1 - lr * grads[1][0] / (np.sqrt(s) + eps)
    np.testing.assert_allclose(run(optimizers.RMSprop(lr), 2)["W1"], W2, rtol=1e-12)


def test_adam_bias_correction_at_t1_and_t2():
    W, _, grads = fixed_problem()
    b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-8
    v = (1 - b1) * grads[0][0]
    s = (1 - b2) * grads[0][0] ** 2
    v_hat, s_hat = v / (1 - b1), s / (1 - b2)  # t = 1: v̂ = dW, ŝ = dW²
    np.testing.assert_allclose(v_hat, grads[0][0])
    W1 = W - lr * v_hat / (np.sqrt(s_hat) + eps)
    np.testing.assert_allclose(run(optimizers.Adam(lr), 1)["W1"], W1, rtol=1e-12)
    v = b1 * v + (1 - b1) * grads[1][0]
    s = b2 * s + (1 - b2) * grads[1][0] ** 2
    W2 = W1 - lr * (v / (1 - b1**2)) / (np.sqrt(s / (1 - b2**2)) + eps)
    np.testing.assert_allclose(run(optimizers.Adam(lr), 2)["W1"], W2, rtol=1e-12)


@pytest.mark.parametrize("name", ["gd", "momentum", "rmsprop", "adam"])
def test_flat_step_equals_per_name_update(name):
    """The fast flat-vector path and the notes' per-parameter path give the same numbers."""
    net = gn.Network([4, 3, 2], seed=0, dtype="float64")
    rng = np.random.default_rng(1)
    by_name = optimizers.get_optimizer(name, 0.05)
    flat = optimizers.get_optimizer(name, 0.05)
    flat.attach(net.parameter_shapes(), dtype=np.float64)
    params = {k: v.copy() for k, v in net.params.items()}
    theta = net.parameters_to_vector()
    for _ in range(3):
        grad = rng.standard_normal(theta.size)
        grads, offset = {}, 0
        for k, shape in net.parameter_shapes().items():
            size = math.prod(shape)
            grads["d" + k] = grad[offset:offset + size].reshape(shape)
            offset += size
        by_name.update(params, grads)
        flat.step(theta, grad)
    np.testing.assert_allclose(theta, np.concatenate([p.ravel() for p in params.values()]), rtol=1e-13)
    assert flat.state["W1"][flat.slots[0]].shape == (3, 4) if flat.slots else True


def test_adam_equals_torch_step_for_step():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    theta0 = rng.standard_normal(50)
    grads = [rng.standard_normal(50) for _ in range(10)]
    ours = theta0.copy()
    opt = optimizers.Adam(0.01)
    opt.attach({"W1": (5, 10)}, dtype=np.float64)
    p = torch.tensor(theta0.copy(), requires_grad=True)
    torch_opt = torch.optim.Adam([p], lr=0.01)
    for g in grads:
        opt.step(ours, g)
        p.grad = torch.tensor(g)
        torch_opt.step()
        np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_momentum_maps_to_torch_sgd_with_scaled_learning_rate():
    """Documented mapping: torch SGD(momentum=β, lr=(1-β)α) follows our Momentum(α, β)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    theta0 = rng.standard_normal(20)
    ours = theta0.copy()
    opt = optimizers.Momentum(0.1, beta=0.9)
    opt.attach({"W1": (4, 5)}, dtype=np.float64)
    p = torch.tensor(theta0.copy(), requires_grad=True)
    torch_opt = torch.optim.SGD([p], lr=0.1 * (1 - 0.9), momentum=0.9)
    for _ in range(5):
        g = rng.standard_normal(20)
        opt.step(ours, g)
        p.grad = torch.tensor(g)
        torch_opt.step()
    np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-12)


def test_schedules():
    assert optimizers.get_schedule(None)(0.1, 5) == 0.1
    assert optimizers.get_schedule("inverse_time")(0.1, 3) == pytest.approx(0.1 / 4)
    assert optimizers.InverseTimeDecay(0.5)(0.2, 2) == pytest.approx(0.2 / 2)
    assert optimizers.ExponentialDecay(0.95)(1.0, 2) == pytest.approx(0.95**2)
    step = optimizers.StepDecay(step_size=10, factor=0.5)
    assert [step(1.0, e) for e in (0, 9, 10, 25)] == [1.0, 1.0, 0.5, 0.25]
    with pytest.raises(gn.UnknownNameError, match="constant, cosine, exponential, inverse_time, step"):
        optimizers.get_schedule("cosines")


def test_optimizer_errors():
    with pytest.raises(gn.UnknownNameError, match="adam, gd, momentum, rmsprop"):
        optimizers.get_optimizer("adagrad")
    with pytest.raises(gn.HyperparameterError, match="learning_rate must be a number"):
        optimizers.Adam(-0.1)
    with pytest.raises(gn.HyperparameterError, match="beta"):
        optimizers.Momentum(0.1, beta=1.0)


def test_optimizer_state_survives_pickling():
    import pickle

    opt = optimizers.Adam(0.01)
    opt.attach({"W1": (2, 3), "b1": (2, 1)}, dtype=np.float64)
    theta = np.zeros(8)
    opt.step(theta, np.arange(8.0))
    clone = pickle.loads(pickle.dumps(opt))
    assert np.shares_memory(clone.state["W1"]["v"], clone._flat["v"])
    a, b = theta.copy(), theta.copy()
    opt.step(a, np.ones(8))
    clone.step(b, np.ones(8))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", [lambda: gn.Adam(0.01), lambda: gn.Momentum(0.01), lambda: gn.RMSprop(0.01)],
                         ids=["adam", "momentum", "rmsprop"])
def test_a_step_without_state_for_theta_is_refused_with_the_fix(make):
    """step() before attach(), or on a theta of another size than the attached state: a glassnet error saying
    both sizes and the two ways out, theta untouched (it was a raw KeyError, or NumPy's broadcasting error)."""
    opt = make()
    theta = np.ones(4)
    with pytest.raises(gn.ShapeError, match=r"theta has 4 values, the state 0; call attach\(shapes, dtype\)"):
        opt.step(theta, np.ones(4))
    opt.attach({"W1": (2, 2)}, np.float64)
    with pytest.raises(gn.ShapeError, match=r"theta has 5 values, the state 4; .* or use update\(params, grads\)"):
        opt.step(np.ones(5), np.ones(5))
    assert opt.t == 0 and np.array_equal(theta, np.ones(4))
    opt.step(theta, np.ones(4))  # attached for these 4 values: it steps
    assert opt.t == 1 and (theta < 1).all()
    assert set(make().state_arrays()) == set()  # a fresh optimizer has no state vectors yet: an empty dict
    assert set(opt.state_arrays()) == set(opt.slots) and all(a.size == 4 for a in opt.state_arrays().values())
