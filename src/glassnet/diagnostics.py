"""Per-layer statistics of a network on a batch, and the vanishing / exploding diagnosis built on them.

The notes' vanishing and exploding gradients (梯度消失与梯度爆炸): in a deep linear network with
W[l] = 1.5·I, A[l] = 1.5^l X grows exponentially with depth, with 0.5·I it shrinks; the backprop
signal does the same going back. The phenomenon is a per-layer gain away from 1, compounded by depth.

Per-unit statistics. Glorot & Bengio (2010) and He et al. (2015) follow one unit's variance through
a layer of random weights: forward Var(z[l]) = n[l-1] Var(W[l]) E[a[l-1]^2], backward
Var(dz[l-1]) = n[l] Var(W[l]) E[g'(z[l-1])^2] Var(dz[l]). Each layer multiplies by a gain; L layers
by the product of L gains (Dive into Deep Learning, "Numerical Stability and Initialization").
He et al. note that a fan-in initialization leaves, going back, only the ratio of the first and
last widths: not exponential, so not a vanishing or exploding gradient. Hence, per unit of layer l:

    ĝ[l] = ‖dZ[l]‖_F / sqrt(n[l]·m)     the RMS backprop signal dZ = ∂J/∂Z of one unit
    â[l] = ‖A[l]‖_F / sqrt(n[l]·m)      RMS(A[l]), the activation scale of one unit

and, over the hidden layers 1..L-1 (k = L-2 steps), the compounded growth and the per-layer rate:

    F_G = ĝ[1] / ĝ[L-1],  r_G = F_G^(1/k)      backward (> 1: grows going back)
    F_A = â[L-1] / â[1],  r_A = F_A^(1/k)      forward (> 1: grows going forward)

The output layer is left out: its width is the task's (one unit for two classes: He's width ratio)
and its dZ[L] = (A[L] - Y)/m is the residual, which training concentrates on a few examples.

The rule (``RULE``): "exploding" when a statistic is not finite, at any depth. With fewer than two
hidden-to-hidden steps (L <= 3) nothing compounds: "too shallow to call", numbers only. Otherwise
a direction fires when its rate is outside [1/RATE_LIMIT, RATE_LIMIT] = [0.8, 1.25] and its
growth outside [1/GROWTH_LIMIT, GROWTH_LIMIT] = [0.1, 10]. The growth asks for one order of
magnitude between the first and the last hidden layer; the rate, as depth grows, keeps the drift of
one finite-width He / Xavier network at initialization from adding up to a verdict, while Xavier's
std on ReLU (1/√2 per layer, the gap He's factor 2 closes) and the notes' 1.5 and 0.5 are named.
That drift grows like the sum of 1/n[l] over the layers (Hanin 2018): with 32 units or more no
He/ReLU, Xavier/tanh or Xavier/linear network of 6 to 20 layers was called (900 seeds), while very
narrow deep ReLU networks (8 units, 10+ layers) often do lose their signal, and are called so. When
both directions fire, the larger deviation (in orders of magnitude) names it.

The variance analyses describe random weights. A trained network's weights are not random: its
gains are the slope of the function it learned (2-6 per layer on the 2-D sets). So with Y a
firing direction is no verdict once the network has learned, J <= LEARNED_FRACTION·J_const (J_const:
the cost of the best constant prediction, what learning nothing reaches); the numbers are still
shown. Without Y (a fixed random signal at the output) there is no cost to tell, and the rule is
the rates alone. ``initial=`` (the network at its initialization) adds the change since then: the
rates at initialization and ‖W[l] - W0[l]‖/‖W0[l]‖ per layer.

Also per layer: dead ReLUs (units with Z <= 0 for every example); saturation (tanh |a| > 0.97, as
in Karpathy's "makemore" part 3, where tanh'(z) = 1 - a^2 < 6 % of its peak; sigmoid: the same 6 %
of σ' = 1/4, a < 0.015 or a > 0.985); with ``learning_rate``, CS231n's update/weight ratio
‖α·dW[l]‖/‖W[l]‖ of a gradient-descent step, about 1e-3 when the rate is right.

Everything is computed by the engine's own layers (their public forward and backward: the code that
trains is the code that is diagnosed), on a copy of the network: its caches, gradient buffers,
dropout masks and random state do not change. No dropout.
"""

from __future__ import annotations

from .backend import blas_threads, threads_for
from .errors import HyperparameterError, ShapeError
from .layer_stats import (
    GROWTH_LIMIT,
    LEARNED_FRACTION,
    RATE_LIMIT,
    RULE,
    SATURATION,
    TOO_SHALLOW,
    UPDATE_RATIO,
    VERDICTS,
    Diagnosis,
    LayerStatistics,
    diagnosis,
    epoch_record,
    prepare_batch,
    statistics,
)
from .network import Network
from .sanity import CostDecreaseResult, check_cost_decreases
from .validation import check_number

__all__ = [
    "GROWTH_LIMIT", "LEARNED_FRACTION", "RATE_LIMIT", "RULE", "SATURATION", "TOO_SHALLOW", "UPDATE_RATIO", "VERDICTS",
    "CostDecreaseResult", "Diagnosis", "LayerStatistics",
    "check_cost_decreases", "diagnose", "epoch_record", "layer_statistics",
]


def _check_network(net) -> None:
    if not isinstance(net, Network):
        raise HyperparameterError(f"net must be a glassnet Network, got {type(net).__name__}")


def _check_initial(net: Network, initial) -> Network | None:
    if initial is None:
        return None
    if not isinstance(initial, Network):
        raise HyperparameterError(f"initial must be a glassnet Network (the network at its initialization, "
                                  f"e.g. net.copy() before fit), got {type(initial).__name__}")
    mine = (list(net.layer_dims), [layer.activation.name for layer in net.layers])
    theirs = (list(initial.layer_dims), [layer.activation.name for layer in initial.layers])
    if mine != theirs:
        raise ShapeError(f"initial must have the network's layers {mine[0]} with activations {mine[1]}, "
                         f"got {theirs[0]} with {theirs[1]}")
    return initial


# ---------------------------------------------------------------------------------- public
def layer_statistics(net: Network, X, Y=None, *, seed=0) -> list[LayerStatistics]:
    """Per-layer statistics of ``net`` on X (n_x, m) (and Y (n_y, m) for the gradients).

    mean/std of Z[l] and A[l], â[l] = RMS(A[l]) = sqrt(mean A^2), saturated fraction, dead-ReLU
    fraction, ‖W[l]‖, ‖dZ[l]‖ and ĝ[l] = ‖dZ[l]‖/sqrt(n[l]·m), and with Y ‖dW[l]‖ and ‖dW[l]‖/‖W[l]‖
    (dW with the L2 term, no dropout). Without Y, dZ[L] is a fixed random signal drawn from ``seed``.
    The network is not changed.
    """
    _check_network(net)
    Xc, Yc = prepare_batch(net, X, Y, prepared=False)
    with blas_threads(threads_for(net.layer_dims, Xc.shape[1])):
        return statistics(net, Xc, Yc, seed)[0]


def diagnose(net: Network, X, Y=None, *, seed=0, learning_rate=None, initial=None) -> Diagnosis:
    """Name the state of ``net`` on a batch: "vanishing", "exploding", "healthy" or "too shallow to call".

    The rule of the module docstring: per unit, r_G = (ĝ[1]/ĝ[L-1])^(1/k) and r_A = (â[L-1]/â[1])^(1/k)
    over the k = L-2 hidden steps, ĝ[l] = ‖dZ[l]‖/sqrt(n[l]·m), â[l] = RMS(A[l]); a direction fires
    outside [0.8, 1.25] per layer and [0.1, 10] in all, unless the network has learned (with Y:
    J <= 0.9·J_const). X (n_x, m) raw as for ``net.predict`` (the network's normalizer is applied);
    Y (n_y, m) optional, in the targets' own units (standardized as ``fit`` trains on them, if it
    does): with it dZ[L] = A[L] - Y, without it a fixed random signal (``seed``).
    ``learning_rate`` α adds ‖α·dW[l]‖/‖W[l]‖ (a gradient-descent step; with Y); ``initial`` (the
    same network at its initialization) adds its rates, verdict and cost on the same batch (through
    ``net``'s input and target pipelines), and ‖W[l] - W0[l]‖/‖W0[l]‖.
    """
    _check_network(net)
    Xc, Yc = prepare_batch(net, X, Y, prepared=False)
    if learning_rate is not None:
        learning_rate = check_number(learning_rate, "learning_rate", low=0.0, low_open=True,
                                     hint="the gradient-descent step size α, e.g. 0.01")
    initial = _check_initial(net, initial)
    with blas_threads(threads_for(net.layer_dims, Xc.shape[1])):
        return diagnosis(net, Xc, Yc, seed, learning_rate, initial)
