"""A sanity run before dropout: train a copy with plain gradient descent and check that J falls.

The notes' advice (调试 dropout): turn dropout off (keep_prob = 1), make sure the cost J decreases
monotonically, then turn dropout on. A rise means a learning rate too large or a wrong gradient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import HyperparameterError
from .network import Network
from .validation import check_int, check_number

__all__ = ["CostDecreaseResult", "check_cost_decreases"]


@dataclass
class CostDecreaseResult:
    """``check_cost_decreases``'s result: the costs J[0..iterations] and whether J fell each step."""

    costs: list[float]
    decreased: bool
    rises: list[int]  # iterations t where J[t+1] > J[t]
    learning_rate: float
    message: str

    def __bool__(self) -> bool:
        return self.decreased

    def __str__(self) -> str:
        shown = ", ".join(f"{c:.6g}" for c in self.costs[:6]) + (", ..." if len(self.costs) > 6 else "")
        return f"{self.message}\ncosts: {shown} -> {self.costs[-1]:.6g}"


def check_cost_decreases(net: Network, X, Y, iterations: int = 20, learning_rate: float = 0.01) -> CostDecreaseResult:
    """Train a copy with dropout off and plain gradient descent; confirm J falls at every iteration.

    theta := theta - learning_rate * dtheta, with (J, dtheta) from cost_and_gradients(training=False)
    (no dropout: keep_prob is 1 everywhere in effect). The notes' advice: before turning dropout
    on, make sure J decreases monotonically without it. A rise means a learning rate too large or
    a wrong gradient (run ``gradient_check``). Runs on a float64 copy; ``net`` is not changed.
    J[t+1] counts as a rise when it exceeds J[t] by more than 1e-12·max(1, |J[t]|) (rounding).
    """
    if not isinstance(net, Network):
        raise HyperparameterError(f"net must be a glassnet Network, got {type(net).__name__}")
    iterations = check_int(iterations, "iterations", hint="gradient-descent steps, e.g. 20")
    learning_rate = check_number(learning_rate, "learning_rate", low=0.0, low_open=True,
                                 hint="a step size such as 0.01")
    clone = net.copy(dtype="float64")
    Xc = clone.check_X(X)
    clone.check_Y(Y, Xc.shape[1])
    costs: list[float] = []
    names = list(clone.parameter_shapes())
    for _ in range(iterations):
        J, grads = clone.cost_and_gradients(X, Y, training=False)
        costs.append(float(J))
        if not math.isfinite(J):
            break
        for name in names:
            clone.params[name][...] -= learning_rate * grads["d" + name]
    else:
        costs.append(float(clone.cost(X, Y)))
    rises = [t for t in range(len(costs) - 1)
             if not math.isfinite(costs[t + 1]) or costs[t + 1] > costs[t] + 1e-12 * max(1.0, abs(costs[t]))]
    decreased = not rises and costs[-1] < costs[0]
    if decreased:
        message = (f"J fell at every one of {iterations} gradient-descent steps (learning_rate {learning_rate:g}, "
                   f"no dropout): {costs[0]:.6g} -> {costs[-1]:.6g}")
    elif rises:
        message = (f"J rose at {len(rises)} of {len(costs) - 1} steps, first at step {rises[0] + 1} "
                   f"({costs[rises[0]]:.6g} -> {costs[rises[0] + 1]:.6g}): lower learning_rate (now "
                   f"{learning_rate:g}), or check the gradients with gradient_check")
    else:
        message = (f"J did not fall ({costs[0]:.6g} -> {costs[-1]:.6g}) over {iterations} steps: the gradient may "
                   "be zero (all-zero weights?) or learning_rate too small")
    return CostDecreaseResult(costs=costs, decreased=decreased, rises=rises, learning_rate=learning_rate,
                              message=message)
