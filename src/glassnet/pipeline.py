"""The data's way into and out of a network: checks at the public entries, the input and target pipelines.

The input pipeline travels with the network: X as the user has it (raw features, one column per
example) becomes what layer 1 sees in one place, ``input_pipeline``, used by every public entry
point (``check_X``) and by the fit loop for each mini-batch:

    A[0] = standardize(X / input_scale)     (each step only when set)

``input_scale`` is the fixed scaling a loader applies (digits 16, image pixels 255), ``normalizer``
the Standardizer that ``fit(normalize=True)`` fits on the training set. With ``feature_names`` and
``class_names`` a saved model also knows which columns it takes and answers in the original labels
(``predict_labels``).

A linear output may carry a target pipeline too: ``target_normalizer``, the Standardizer that
``fit(standardize_targets=True)`` fits on the training targets. The network then learns the
standardized targets, ŷ_std = A[L] with y_std = (y − μ_y) / σ_y, so its output starts near their
mean instead of spending its steps climbing to it; ``predict`` answers ŷ = μ_y + σ_y ⊙ A[L], and
``evaluate`` (and the history of ``fit``) report the cost and rmse of ŷ in the targets' own units.
``cost`` and ``cost_and_gradients`` stay the training objective, J of the standardized targets,
the function the gradients are of.

Every function here is a method of ``Network`` (``Network.check_X`` is ``check_X``, as ``Network.fit``
is ``glassnet.training.fit``) and reads only the network's public attributes: ``layer_dims``,
``dtype``, ``loss``, ``input_scale``, ``normalizer``, ``target_normalizer``, ``class_names`` and ``forward``.
"""

from __future__ import annotations

import numpy as np

from . import metrics
from .backend import xp
from .errors import HyperparameterError, ShapeError
from .validation import as_matrix, check_finite, check_in_range


# ---------------------------------------------------------------------- the way in
def check_X(net, X, name: str = "X", raw: bool = False):
    """Validate X at a public entry point and return it in the network's dtype, normalized.

    Values are checked after the cast to the network's dtype, so a finite float64 beyond
    float32's range (about 3.4e38) is refused rather than turned into infinity. ``raw=True``
    returns X as given (shape and values checked): the fit loop casts it once, itself.
    """
    X = as_matrix(X, name)
    n_x = net.layer_dims[0]
    if X.shape[0] != n_x:
        hint = (
            f"; it looks like (m, n_x): pass {name}.T" if X.ndim == 2 and X.shape[1] == n_x
            else ""
        )
        raise ShapeError(
            f"layer 1: W1 has shape ({net.layer_dims[1]}, {n_x}), so {name} needs {n_x} rows "
            f"(n_x, m), got {name} of shape {X.shape}{hint}"
        )
    check_finite(X, name)
    check_in_range(X, name, net.dtype)
    if raw:
        return X
    return net.input_pipeline(xp.asarray(X, dtype=net.dtype))


def input_pipeline(net, X):
    """The input pipeline, the one place it is applied: A[0] = standardize(X / input_scale).

    X (n_x, m) already checked (``check_X(X, raw=True)``) and in the network's dtype; each step
    only when set: A[0] = (X / input_scale − μ) / σ. A new array when a step applies, X itself
    when none does. ``check_X`` (every public entry) and the fit loop (each mini-batch) call it.
    """
    if net.input_scale is not None:
        X = X / xp.asarray(net.input_scale, dtype=X.dtype)  # true division: the loaders' own numbers
    if net.normalizer is not None:
        X = net.normalizer.transform(X)
    return X


def transform_input(net, X):
    """What layer 1 sees for raw X (n_x, m): validated, cast, divided by input_scale, standardized."""
    return net.check_X(X)


def check_Y(net, Y, m: int, name: str = "Y"):
    """Validate Y (n_y, m) for this network's output and return it as the loss uses it.

    A cost is an average over examples: m = 0 is refused here, for every call that computes one.
    """
    if m == 0:
        raise ShapeError(f"{name} goes with a set of 0 examples (X has shape (n_x, 0)); a cost averages over "
                         "examples: pass at least one column")
    Y = as_matrix(Y, name)
    check_finite(Y, name)
    return net.loss.check_targets(Y, net.layer_dims[-1], m, net.dtype)


def check_weights(net, sample_weight, m: int, name: str = "sample_weight"):
    """None, or sample weights (1, m): finite, non-negative, not all zero, in the network's dtype."""
    if sample_weight is None:
        return None
    w = as_matrix(sample_weight, name)
    if w.shape != (1, m):
        raise ShapeError(f"{name} must have shape (1, m) = (1, {m}), one weight per example, got {w.shape}")
    check_finite(w, name)
    if bool((w < 0).any()) or not float(w.sum()) > 0:
        raise HyperparameterError(f"{name} must be non-negative with a positive sum, got min {float(w.min())}, "
                                  f"sum {float(w.sum())}")
    w = xp.asarray(w, dtype=net.dtype)
    if not float(w.sum()) > 0:
        raise HyperparameterError(f"{name} sums to 0 in {net.dtype.name} (weights below its smallest number); "
                                  "scale the weights up: only their ratios matter")
    return w


# ---------------------------------------------------------------------- the targets
def standardize_targets(net, Y):
    """y_std = (y − μ_y) / σ_y with the training targets' statistics; Y itself without a target normalizer."""
    return Y if net.target_normalizer is None else net.target_normalizer.transform(Y)


def in_target_units(net, AL, Y_std):
    """(σ_y ⊙ A[L], σ_y ⊙ Y_std): outputs and standardized targets rescaled so that their differences
    are ŷ − y in the targets' own units (the offsets μ_y cancel in a cost or an rmse)."""
    if net.target_normalizer is None:
        return AL, Y_std
    scale = xp.asarray(net.target_normalizer.scale, dtype=AL.dtype)
    return AL * scale, Y_std * scale


# ---------------------------------------------------------------------- the way out: predictions
def predict_proba(net, X):
    """A[L] (n_y, m): probabilities for sigmoid and softmax outputs, values for linear."""
    return net.forward(X, training=False)


def decide(net, AL):
    """Turn the output A[L] into predictions (see ``predict``)."""
    return metrics.decide(net.output_activation, AL)


def predict(net, X):
    """(1, m) predictions: 0/1 (threshold 0.5) for sigmoid, the class index for softmax,
    the values for linear ((n_y, m) for several sigmoid or linear outputs)."""
    predictions = net.decide(net.predict_proba(X))
    if net.target_normalizer is not None:  # ŷ = μ_y + σ_y ⊙ A[L], in the targets' own units
        predictions = net.target_normalizer.inverse_transform(predictions)
    return predictions


def predict_labels(net, X):
    """(1, m) predictions in the original labels: ``class_names[predict(X)]`` (str array).

    Without class names (a network trained on labels 0..C-1) the class indices as text.
    """
    n = net.n_classes
    if not n:
        raise HyperparameterError(
            f"predict_labels needs a classifier (softmax output, or one sigmoid unit); this network's "
            f"output is {net.output_activation} with {net.layer_dims[-1]} units: use predict"
        )
    names = np.array(net.class_names if net.class_names is not None else [str(k) for k in range(n)])
    return names[np.asarray(net.predict(X), dtype=np.int64)]


__all__ = ["check_X", "check_Y", "check_weights", "decide", "in_target_units", "input_pipeline", "predict",
           "predict_labels", "predict_proba", "standardize_targets", "transform_input"]
