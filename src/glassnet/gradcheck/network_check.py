"""The gradient check of a network, by the notes' rules (梯度检验的实施技巧, gradient checking in practice).

1. Check only to debug, not in training: the check runs on a float64 copy of the network.
2. If it fails, look at which parameter is wrong: the report has the difference of every block.
   Derivatives whose ±ε evaluations cross a ReLU kink (read from Z at θ ± ε) are set aside with
   their reason; a difference within the noise floor of the two-sided difference is named so.
3. Include the L2 term: J and dθ both carry (l2/2m) Σ‖W‖² and its gradient (l2/m) W.
4. Dropout off: the check runs without dropout (``dropout="off"``), or with one fixed set of masks
   (``dropout="fixed"``), so J is one deterministic function of θ.
5. Check at random initialization and again after some training: ``after_training=k`` runs the
   check on the network as given, then trains a copy for k epochs and checks it again.
"""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np

from ..errors import HyperparameterError, NonFiniteError, ShapeError, unknown_name
from ..network import Network
from ..validation import check_int
from .check import Evaluator
from .fast import AUTO_EXACT_LIMIT, Block, resolve_mode
from .kinks import KinkWatch
from .report import GradCheckReport
from .run import check_settings, run_check


def gradient_check(net: Network, X, Y, epsilon: float = 1e-7, *, dropout: str = "off", mode: str = "auto",
                   threshold: float = 1e-7, samples: int = 8, directions: int = 2, worst: int = 5,
                   sweep: bool = False, seed=0, after_training: int | None = None,
                   training: dict | None = None) -> GradCheckReport:
    """Check net's backprop against two-sided differences of its cost: a GradCheckReport.

    θ = [W1, b1, W2, ...] flattened; dθ from ``net.cost_and_gradients(X, Y, training=False)``;
    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε) with J = ``net.cost(X, Y)`` (L2 included);
    difference = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂). X (n_x, m), Y (n_y, m): a few
    examples are enough (m = 8..64).

    Runs on a float64 copy of ``net`` (the same class, so an overridden ``cost`` or
    ``cost_and_gradients`` is what gets checked); ``net`` itself is never changed.
    ``dropout="off"`` (default) checks the network without dropout, as the notes advise;
    ``dropout="fixed"`` draws one set of masks and checks the dropped network with them fixed.
    ``mode``: "exact" (every parameter, 2 evaluations each), "fast" (per block: ``samples``
    coordinates, the direction of the block's gradient and ``directions`` random directions) or
    "auto" (exact up to AUTO_EXACT_LIMIT = 20 000 parameters). ``sweep=True`` adds the difference
    for ε = 1e-3 .. 1e-8 and reads it (a bug does not shrink with ε).
    ``after_training=k`` (the notes' last rule): the report is of the network as given, and
    ``report.after_training`` is the check of a copy trained for k epochs on (X, Y) with
    ``net.fit(**training)`` (default: Adam, full batch); ``report.passed`` needs both to pass.
    Derivatives whose ±ε evaluations change the sign of some Z[l] entry of a ReLU-type layer are set
    aside (``report.set_aside``, each with its reason); a difference within the noise floor of the
    two-sided difference is "at the noise floor" (``report.noise_floor``), with what to do.
    ``report.failed``: the check calls the gradient wrong ("suspicious" or "likely a bug").
    """
    t0 = time.perf_counter()
    if not isinstance(net, Network):
        raise HyperparameterError(
            f"net must be a glassnet Network (or a subclass), got {type(net).__name__}; for any other function "
            "use check_gradients(cost_fn, grad_fn, theta)"
        )
    settings = check_settings(epsilon, mode, threshold, samples, directions, worst)
    if dropout not in ("off", "fixed"):
        raise unknown_name("dropout", dropout, ["off", "fixed"])
    clone = net.copy(dtype="float64")
    Xc, Yc = _checked_data(clone, X, Y)
    data = (X, Y, Xc, Yc)
    report = _check_copy(clone, net, data, settings, dropout=dropout, seed=seed, sweep=sweep, t0=t0)
    if after_training is not None:
        report.after_training = _check_after_training(clone, data, after_training, training, settings,
                                                      dropout=dropout, seed=seed)
    return report


def _checked_data(clone: Network, X, Y):
    """X and Y validated once, so errors name them before any work; the evaluations trust them."""
    Xc = clone.check_X(X)
    if Xc.shape[1] == 0:
        raise ShapeError("X has no examples (shape (n_x, 0)); pass at least one column")
    # the objective the gradients are of: a linear output with a target normalizer learns (y - μ_y) / σ_y
    return Xc, clone.standardize_targets(clone.check_Y(Y, int(Xc.shape[1])))


def _check_after_training(clone, data, epochs, training, settings, *, dropout, seed) -> GradCheckReport:
    """The notes' "check again after some training": train the copy, then check it the same way."""
    epochs = check_int(epochs, "after_training", hint="epochs of training before the second check, e.g. 50")
    options = {"optimizer": "adam", "learning_rate": 0.01, "batch_size": None, "schedule": None, "seed": seed,
               **(training or {})}
    clone.fit(data[0], data[1], epochs=epochs, normalize="keep", **options)
    report = _check_copy(clone, clone, data, settings, dropout=dropout, seed=seed, sweep=False,
                         t0=time.perf_counter())
    report.notes.insert(0, f"after {epochs} epochs of training ({', '.join(f'{k}={v!r}' for k, v in options.items())})")
    return report


def _check_copy(clone, net, data, settings, *, dropout, seed, sweep, t0) -> GradCheckReport:
    """The check of the float64 copy: analytic gradient, cost function, measure, hints.

    ``data`` = (X, Y) as given, for the network's public methods, and (Xc, Yc) as checked.
    """
    epsilon, mode, threshold, samples, directions, worst = settings
    Xc = data[2]
    notes = _rule_notes(net, clone, dropout, Xc.shape[1])
    fixed = dropout == "fixed" and any(p < 1.0 for p in clone.keep_prob)
    with contextlib.ExitStack() as stack:
        J_a, grads, cost = _gradient_and_cost(clone, data, fixed, stack)
        blocks, analytic, hints = _analytic_blocks(clone, grads)
        ev = Evaluator(cost, _flat_views(clone), watch=KinkWatch(clone.layers))
        J0 = ev()
        if not math.isfinite(J0):
            raise NonFiniteError(f"the cost at the network's parameters is {J0}; gradients are checked where the "
                                 "cost is finite (lower the learning rate or re-initialize)")
        consistency = _consistency_hints(J_a, J0, fixed)
        if consistency:  # J is not one function of θ: Z moves without a step, so no kink can be read from it
            ev.watch = None
        hints += consistency
        mode_used = resolve_mode(mode, analytic.size)
        context = {"hints": hints, "notes": notes, "m": int(Xc.shape[1]), "L": clone.L,
                   "l2_terms": _l2_terms(clone, blocks, ev, Xc.shape[1]),
                   "activations": [a.name for a in clone.activations], "seconds": time.perf_counter() - t0,
                   **(_dropout_context(clone.keep_prob) if fixed else {})}
        report = run_check(ev, analytic, blocks, epsilon=epsilon, mode=mode_used, samples=samples,
                           directions=directions, seed=seed, threshold=threshold, n_worst=worst, context=context)
        if mode_used == "fast":
            limit = f"mode='auto' and {analytic.size:,} > {AUTO_EXACT_LIMIT:,} parameters"
            why = "mode='fast'" if mode == "fast" else limit
            report.notes.append(
                f"fast mode ({why}): per block {samples} coordinates (the largest analytic entry among them), the "
                f"direction of the block's gradient and {directions} random direction(s), seed {seed!r}; "
                "mode='exact' checks every parameter")
        if sweep:
            report.sweep()
    if fixed:  # report.sweep() later re-enters the fixed-mask context around each re-measure
        measure = report._remeasure

        def remeasure(eps: float) -> tuple[float, float, int, int]:
            with clone.fixed_dropout_masks():
                return measure(eps)

        report._remeasure = remeasure
    return report


def _rule_notes(net, clone, dropout: str, m: int) -> list[str]:
    """How the notes' rules were applied to this check."""
    notes = [f"checked on a float64 copy of the network ({type(net).__name__}, {net.dtype.name}); the network "
             "itself was not changed"]
    dropping = any(p < 1.0 for p in clone.keep_prob)
    if dropout == "off" and dropping:
        notes.append(f"dropout turned off for the check (keep_prob = {clone.keep_prob}): the notes check "
                     "gradients without dropout, then turn it on; dropout='fixed' checks the dropped network "
                     "with one fixed set of masks")
    if dropout == "fixed" and not dropping:
        notes.append("dropout='fixed' but every keep_prob is 1: nothing is dropped, the check is the plain one")
    if dropout == "fixed" and dropping:
        notes.append("dropout on with fixed masks: one set drawn from the copy's generator and kept for "
                     "every evaluation")
    if m > 256:
        notes.append(f"m = {m} examples: a gradient check needs only a few (X[:, :32] is as good and much faster)")
    return notes


def _gradient_and_cost(clone, data, fixed: bool, stack):
    """(J, grads) from the network's own backprop, and the cost function J(θ) the check differentiates."""
    X, Y, Xc, Yc = data
    if fixed:
        J_a, grads = clone.cost_and_gradients(X, Y, training=True, reuse_masks=False)  # draws the masks
        stack.enter_context(clone.fixed_dropout_masks())
        return J_a, grads, lambda: clone.cost_and_gradients(X, Y, training=True)[0]
    J_a, grads = clone.cost_and_gradients(X, Y, training=False)
    if type(clone).cost is Network.cost:
        # X and Y were validated once: the 2n evaluations skip checking them again.
        return J_a, grads, lambda: clone.batch_cost(Xc, Yc, with_l2=True).cost
    return J_a, grads, lambda: clone.cost(X, Y)  # a subclass's own cost is what the check must use


def _analytic_blocks(clone, grads) -> tuple[list[Block], np.ndarray, list[str]]:
    """dθ as one vector in θ's order, its blocks, and a hint for a gradient of the wrong shape."""
    blocks, parts, hints, start = [], [], [], 0
    for name, shape in clone.parameter_shapes().items():
        key = "d" + name
        if key not in grads:
            raise ShapeError(f"cost_and_gradients returned no {key!r} (it returned {', '.join(grads)}); "
                             f"it must return one gradient per parameter, named d{name}")
        g = np.asarray(grads[key], dtype=np.float64)
        size = int(np.prod(shape))
        if g.size != size:
            raise ShapeError(f"{key} has shape {g.shape} but {name} has shape {shape}; the gradient of a "
                             "parameter has the parameter's shape")
        if g.shape != tuple(shape):
            hints.append(f"{key} has shape {g.shape} but {name} has shape {tuple(shape)} (dW = dZ · A_prev^T "
                         f"is (n[l], n[l-1])); it was compared entry by entry in row-major order")
        blocks.append(Block(name, tuple(shape), start, size))
        parts.append(g.reshape(-1))
        start += size
    return blocks, np.concatenate(parts), hints


def _consistency_hints(J_a: float, J0: float, fixed: bool) -> list[str]:
    """The cost that backprop reported must be the cost that is differentiated."""
    if abs(J0 - J_a) <= 1e-10 * max(1.0, abs(J_a)):
        return []
    if fixed:
        return [f"the cost changed between two calls at the same parameters (J = {J_a:.12g}, then {J0:.12g}): the "
                "dropout masks are not fixed — does cost_and_gradients honour fixed_dropout_masks() / reuse_masks?"]
    return [f"cost(X, Y) = {J0:.12g} but cost_and_gradients(training=False) returned J = {J_a:.12g}: they should "
            "be the same function (the gradient is checked against cost)"]


def _dropout_context(keep_prob) -> dict:
    """What a forgotten 1/keep_prob leaves: dW[l], db[l] scaled by the product of keep_prob[k], k = l..L-1.

    keep_prob[k] belongs to A[k], the input of layer k + 1; its missing division in dropout's backward
    scales the signal reaching every layer at or below k.
    """
    L = len(keep_prob)
    factors, dropped = {}, {k for k in range(1, L) if keep_prob[k] < 1.0}
    for l in range(1, L):
        above = [k for k in range(l, L) if keep_prob[k] < 1.0]
        if above:
            product = float(np.prod([keep_prob[k] for k in above]))
            factors.setdefault(product, "A[" + "], A[".join(str(k) for k in above) + "]")
    for k in sorted(dropped):  # the division forgotten in one layer only: its own keep_prob
        factors.setdefault(float(keep_prob[k]), f"A[{k}]")
    return {"keep_factors": factors, "dropped": dropped}


def _l2_terms(clone, blocks, ev, m) -> dict:
    """{W name: (l2/m) W flattened}: what a missing or doubled L2 term leaves in dW."""
    if not clone.l2:
        return {}
    return {block.name: (clone.l2 / m) * ev.theta0[b] for b, block in enumerate(blocks) if block.name.startswith("W")}


def _flat_views(net: Network) -> list[np.ndarray]:
    views = []
    for name, array in net.params.items():
        flat = array.reshape(-1)
        if not np.shares_memory(flat, array):
            raise ShapeError(f"{name} is not a contiguous live array; gradient_check perturbs parameters in place")
        views.append(flat)
    return views


__all__ = ["gradient_check"]
