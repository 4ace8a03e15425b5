"""Network: the notes' L-layer network — layers in order, cost with L2, gradients, predictions.

Layout (one column per example):  X (n_x, m), Y (n_y, m), W[l] (n[l], n[l-1]), b[l] (n[l], 1).

    forward:   A[0] = X;  for l = 1..L:  Z[l] = W[l] A[l-1] + b[l],  A[l] = g[l](Z[l])
    cost:      J = (1/m) sum of losses(A[L], Y)  +  (l2 / 2m) sum_l ||W[l]||_F^2
    backward:  dZ[L] = A[L] - Y;  for l = L..1:  dW[l], db[l], dA[l-1]  (see layers.Dense)

All parameters live in one contiguous vector theta = [W1, b1, W2, b2, ...] (each matrix in
row-major order) and all gradients in another of the same layout; ``params`` and each layer hold
views into it. So ``parameters_to_vector`` is a copy of one array, and an optimizer updates every
parameter with a few in-place passes.

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

The training step. ``fit`` (``glassnet.training.fit``, which is ``Network.fit``) drives the network
through public names only, on inputs that have already passed the pipeline ("prepared": A[0] from
``check_X`` / ``input_pipeline``, Y from ``check_Y`` and ``standardize_targets``):
``train_step`` (forward with dropout, data cost, backward), then the optimizer updates ``theta``
in place from ``dtheta``; ``batch_cost`` and ``evaluate_prepared`` score without dropout.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import training
from .activations import Activation, get_activation
from .backend import DEFAULT_DTYPE, make_rng, resolve_dtype, xp, zeros_vector
from .errors import HyperparameterError, NonFiniteWarning, NotFittedError, ShapeError, UnknownParameterError
from .initializers import check_initializer, initialize_weights
from .layers import Dense
from .losses import LOSS_FOR_OUTPUT
from .metrics import batch_metric_sum, decide, finish_metric, metric_names
from .validation import (
    as_matrix,
    check_buildable,
    check_finite,
    check_in_range,
    check_int,
    check_keep_prob,
    check_number,
)


def _names(values, name: str, count: int | None, what: str = "") -> list[str] | None:
    """None, or ``count`` names as a list of str (``count`` None: no names are possible)."""
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise HyperparameterError(f"{name} must be a list of names, got {values!r}")
    names = [str(v) for v in values]
    if count is None:
        raise HyperparameterError(f"{name} is for classifiers (softmax or one sigmoid unit); got {len(names)} names")
    if len(names) != count:
        raise HyperparameterError(f"{name} needs {count} names ({what or 'one per input feature'}), got {len(names)}")
    return names


class TrainStep(NamedTuple):
    """``Network.train_step``'s result: the mini-batch's data cost J (no L2 term) and its output A[L]."""

    cost: float
    AL: Any


class ParameterDict(Mapping):
    """``{"W1": W1, "b1": b1, ...}`` whose values are the network's live arrays.

    Assigning ``params["W1"] = array`` copies into the live array (shape checked), so the layers,
    the flat vector and any optimizer state stay connected.
    """

    def __init__(self, arrays: dict):
        self._arrays = arrays

    def __getitem__(self, name):
        return self._arrays[name]

    def __setitem__(self, name, value):
        if name not in self._arrays:
            raise UnknownParameterError(
                f"no parameter {name!r}; the parameters are {', '.join(self._arrays)} (W1, b1 ... WL, bL)"
            )
        target = self._arrays[name]
        value = as_matrix(value, name)
        if value.shape != target.shape:
            raise ShapeError(f"{name} must have shape {target.shape}, got {value.shape}")
        check_finite(value, name)
        check_in_range(value, name, target.dtype)
        target[...] = value

    def __iter__(self):
        return iter(self._arrays)

    def __len__(self):
        return len(self._arrays)

    def __repr__(self):
        shapes = ", ".join(f"{k}: {v.shape}" for k, v in self._arrays.items())
        return f"ParameterDict({shapes})"


def _layer_dims(layer_dims) -> list[int]:
    """[n_x, n[1], ..., n[L]] checked: a sequence of at least two positive sizes."""
    if isinstance(layer_dims, str | bytes) or not isinstance(layer_dims, Sequence | np.ndarray):
        raise HyperparameterError(
            f"layer_dims must be a list of layer sizes [n_x, n1, ..., nL], got {layer_dims!r}"
        )
    if len(layer_dims) < 2:
        raise HyperparameterError(
            f"layer_dims needs at least [n_x, n_y] (two sizes), got {list(layer_dims)!r}"
        )
    return [check_int(n, f"layer_dims[{i}]") for i, n in enumerate(layer_dims)]


def _activations(activations, hidden_activation, output_activation, layer_dims: list[int]) -> list[Activation]:
    """One Activation per layer; the output's must have a cost (sigmoid, softmax, linear) and fit its units."""
    L = len(layer_dims) - 1
    if activations is None:
        activations = [hidden_activation] * (L - 1) + [output_activation]
    elif isinstance(activations, str | Activation) or len(activations) != L:
        raise HyperparameterError(
            f"activations must be a list of L = {L} activations (one per layer), "
            f"got {activations!r}"
        )
    activations = [get_activation(a) for a in activations]
    output = activations[-1]
    if output.name not in LOSS_FOR_OUTPUT:
        raise HyperparameterError(
            f"the output activation must be one of {', '.join(LOSS_FOR_OUTPUT)} (each has its "
            f"cost), got {output.name!r}; use {output.name!r} for hidden layers"
        )
    if output.name == "softmax" and layer_dims[-1] < 2:
        raise HyperparameterError(
            "a softmax output needs at least 2 units (one per class); for two classes use "
            "one sigmoid unit: layer_dims[-1] = 1, output_activation='sigmoid'"
        )
    return activations


def _warns_itself(method):
    """NumPy's own overflow warnings off inside ``method``: it says itself (NonFiniteWarning) when a result
    is not finite, once, in words; an overflow that saturates into a finite result is no error."""

    @functools.wraps(method)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return method(*args, **kwargs)

    return quiet


class Network:
    """An L-layer fully-connected network in the notes' notation.

    ``layer_dims`` = [n_x, n[1], ..., n[L]]; ``activations`` (one per layer) overrides
    ``hidden_activation`` / ``output_activation``. The output activation picks the cost:
    sigmoid -> binary cross-entropy, softmax -> categorical cross-entropy, linear -> J = 1/(2m) sum
    (a - y)^2. ``keep_prob`` is a float for every hidden layer or one value per layer input
    [input features, hidden 1, ..., hidden L-1]. ``l2`` is the notes' lambda.

    The input pipeline (module docstring): ``input_scale`` divides every raw input before the
    normalizer (None: no fixed scaling); ``feature_names`` (n_x names) and ``class_names`` (one per
    class: the softmax units, or the two classes of a single sigmoid unit) are kept for the model
    file, ``predict_labels`` and ``glassnet info``. All three may also be set as attributes.
    """

    def __init__(
        self,
        layer_dims: Sequence[int],
        hidden_activation="relu",
        output_activation="sigmoid",
        activations: Sequence | None = None,
        initializer: str = "he",
        init_scale: float = 1.0,
        keep_prob=1.0,
        l2: float = 0.0,
        dtype=DEFAULT_DTYPE,
        seed=None,
        *,
        input_scale: float | None = None,
        feature_names: Sequence[str] | None = None,
        class_names: Sequence[str] | None = None,
    ):
        self.layer_dims = _layer_dims(layer_dims)
        self.activations = _activations(activations, hidden_activation, output_activation, self.layer_dims)
        self.loss = LOSS_FOR_OUTPUT[self.activations[-1].name]()
        self.initializer = check_initializer(initializer)
        self.init_scale = check_number(init_scale, "init_scale", low=0.0)
        self.keep_prob = check_keep_prob(keep_prob, self.L)
        self.l2 = check_number(l2, "l2", low=0.0, hint="l2 = 0 turns the L2 term off")
        self.dtype = resolve_dtype(dtype)
        check_buildable(self.layer_dims, self.dtype, self.initializer, self.init_scale, self.l2)  # before allocating
        self.seed = seed
        self.rng = make_rng(seed)
        self.normalizer = None  # set by fit(normalize=True); applied to X at every public entry
        self.target_normalizer = None  # set by fit(standardize_targets=True) for a linear output
        self.input_scale = None if input_scale is None else check_number(
            input_scale, "input_scale", low=0.0, low_open=True, hint="raw inputs are divided by it, e.g. 255")
        self.feature_names = _names(feature_names, "feature_names", self.layer_dims[0])
        self.class_names = _names(class_names, "class_names", self.n_classes or None, "the network's classes")
        self._masks_fixed = False

        self._build()
        for l in range(1, self.L + 1):
            W = initialize_weights(
                self.initializer, self.layer_dims[l - 1], self.layer_dims[l], self.rng,
                self.init_scale,
            )
            self._params[f"W{l}"][...] = W
            self._params[f"b{l}"][...] = 0.0

    # ------------------------------------------------------------------ structure
    def _build(self, theta=None) -> None:
        """Allocate the flat parameter and gradient vectors (theta copied in if given) and bind views."""
        total = sum(int(np.prod(s)) for s in self.parameter_shapes().values())
        self._theta = zeros_vector(total, self.dtype)
        self._grad = zeros_vector(total, self.dtype)
        if theta is not None:
            self._theta[...] = theta
        self._bind()

    def _bind(self) -> None:
        """Make params, gradients and the layers views into the flat vectors theta and grad."""
        self._params, self._grads, offset = {}, {}, 0
        for name, shape in self.parameter_shapes().items():
            size = int(np.prod(shape))
            self._params[name] = self._theta[offset:offset + size].reshape(shape)
            self._grads["d" + name] = self._grad[offset:offset + size].reshape(shape)
            offset += size
        self.layers = []
        for l in range(1, self.L + 1):
            layer = Dense(self.layer_dims[l - 1], self.layer_dims[l], self.activations[l - 1],
                          self.keep_prob[l - 1])
            layer.bind(self._params[f"W{l}"], self._params[f"b{l}"],
                       self._grads[f"dW{l}"], self._grads[f"db{l}"])
            self.layers.append(layer)

    def __getstate__(self) -> dict:
        # Pickle the flat vectors, not the views: unpickled views would be separate arrays, and
        # training would move theta while the layers kept the old weights. Caches are not kept.
        state = self.__dict__.copy()
        for key in ("layers", "_params", "_grads"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()

    @property
    def L(self) -> int:
        """Number of weight layers (the notes' L; the input layer is layer 0)."""
        return len(self.layer_dims) - 1

    @property
    def n_params(self) -> int:
        return int(self._theta.size)

    @property
    def params(self) -> ParameterDict:
        """{"W1": (n1, n0), "b1": (n1, 1), ...}: the live arrays (views into theta)."""
        return ParameterDict(self._params)

    def parameter_shapes(self) -> dict[str, tuple[int, int]]:
        """{"W1": (n[1], n[0]), "b1": (n[1], 1), ...} in the flat-vector order."""
        shapes = {}
        for l in range(1, self.L + 1):
            shapes[f"W{l}"] = (self.layer_dims[l], self.layer_dims[l - 1])
            shapes[f"b{l}"] = (self.layer_dims[l], 1)
        return shapes

    @property
    def output_activation(self) -> str:
        return self.activations[-1].name

    @property
    def n_classes(self) -> int:
        """Classes this network tells apart: the softmax units, 2 for one sigmoid unit, else 0."""
        if self.output_activation == "softmax":
            return self.layer_dims[-1]
        return 2 if self.output_activation == "sigmoid" and self.layer_dims[-1] == 1 else 0

    # ------------------------------------------------------------------ boundary checks
    def check_X(self, X, name: str = "X", raw: bool = False):
        """Validate X at a public entry point and return it in the network's dtype, normalized.

        Values are checked after the cast to the network's dtype, so a finite float64 beyond
        float32's range (about 3.4e38) is refused rather than turned into infinity. ``raw=True``
        returns X as given (shape and values checked): the fit loop casts it once, itself.
        """
        X = as_matrix(X, name)
        n_x = self.layer_dims[0]
        if X.shape[0] != n_x:
            hint = (
                f"; it looks like (m, n_x): pass {name}.T" if X.ndim == 2 and X.shape[1] == n_x
                else ""
            )
            raise ShapeError(
                f"layer 1: W1 has shape ({self.layer_dims[1]}, {n_x}), so {name} needs {n_x} rows "
                f"(n_x, m), got {name} of shape {X.shape}{hint}"
            )
        check_finite(X, name)
        check_in_range(X, name, self.dtype)
        if raw:
            return X
        return self.input_pipeline(xp.asarray(X, dtype=self.dtype))

    def input_pipeline(self, X):
        """The input pipeline, the one place it is applied: A[0] = standardize(X / input_scale).

        X (n_x, m) already checked (``check_X(X, raw=True)``) and in the network's dtype; each step
        only when set: A[0] = (X / input_scale − μ) / σ. A new array when a step applies, X itself
        when none does. ``check_X`` (every public entry) and the fit loop (each mini-batch) call it.
        """
        if self.input_scale is not None:
            X = X / xp.asarray(self.input_scale, dtype=X.dtype)  # true division: the loaders' own numbers
        if self.normalizer is not None:
            X = self.normalizer.transform(X)
        return X

    def transform_input(self, X):
        """What layer 1 sees for raw X (n_x, m): validated, cast, divided by input_scale, standardized."""
        return self.check_X(X)

    def check_Y(self, Y, m: int, name: str = "Y"):
        """Validate Y (n_y, m) for this network's output and return it as the loss uses it.

        A cost is an average over examples: m = 0 is refused here, for every call that computes one.
        """
        if m == 0:
            raise ShapeError(f"{name} goes with a set of 0 examples (X has shape (n_x, 0)); a cost averages over "
                             "examples: pass at least one column")
        Y = as_matrix(Y, name)
        check_finite(Y, name)
        return self.loss.check_targets(Y, self.layer_dims[-1], m, self.dtype)

    def check_weights(self, sample_weight, m: int, name: str = "sample_weight"):
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
        w = xp.asarray(w, dtype=self.dtype)
        if not float(w.sum()) > 0:
            raise HyperparameterError(f"{name} sums to 0 in {self.dtype.name} (weights below its smallest number); "
                                      "scale the weights up: only their ratios matter")
        return w

    # ------------------------------------------------------------------ forward and backward
    @_warns_itself
    def forward(self, X, training: bool = False, reuse_masks: bool | None = None):
        """A[L] for X (n_x, m); keeps every layer's cache for ``backward``.

        ``training=True`` applies inverted dropout with fresh masks, or with the last masks when
        ``reuse_masks`` is true (or inside ``fixed_dropout_masks()``).
        """
        AL = self._forward(self.check_X(X), training, reuse_masks)
        self._warn_if_not_finite([AL], "the output A[L]")
        return AL

    def _warn_if_not_finite(self, values, what: str) -> None:
        """Say so when checked, finite inputs gave NaN or infinity (an overflow): never an inf without a word."""
        if not all(bool(xp.isfinite(v).all()) for v in values):
            wider = " or use dtype='float64'" if self.dtype != np.float64 else ""
            warnings.warn(f"{what} holds NaN or infinite values: the inputs or the weights are too large for "
                          f"{self.dtype.name} (standardize the inputs, check the weights{wider})",
                          NonFiniteWarning, stacklevel=4)  # past the method and its _warns_itself

    def _forward(self, X, training: bool = False, reuse_masks: bool | None = None,
                 reuse_buffers: bool = False):
        reuse = self._masks_fixed if reuse_masks is None else reuse_masks
        A = X
        for layer in self.layers:
            A = layer.forward(A, training, self.rng, reuse, reuse_buffers)
        return A

    @_warns_itself
    def backward(self, Y) -> dict:
        """{"dW1", "db1", ...} of the cost of the last forward pass (L2 term included); copies."""
        cache = self.layers[-1].cache
        if cache is None:
            raise NotFittedError("backward needs a forward pass first: call net.forward(X)")
        Y = self.check_Y(Y, cache.A.shape[1])
        self._backward(Y)
        self._warn_if_not_finite([self._grad], "the gradients")
        return self.gradients()

    def _backward(self, Y, reuse_buffers: bool = False, weights=None) -> None:
        """Fill the flat gradient vector from the caches, starting from dZ[L] = (A[L] - Y) / m.

        The notes' dZ[L] = A[L] - Y carries no 1/m; their formulas (7) and (8) divide dW and db by
        m in every layer. Here the 1/m is applied once, to dZ[L], so every dZ and dA below is the
        derivative of the average cost J and the layers compute dW = dZ A_prev^T, db = sum(dZ)
        (layers.Dense.backward shows both forms). Same numbers up to rounding. With sample weights
        w (1, m) the average is weighted: dZ[L] = w (A[L] - Y) / sum(w), and m in the L2 term is sum(w).
        """
        AL = self.layers[-1].cache.A
        dZ = self.loss.output_dZ(AL, Y)  # dZ[L] = A[L] - Y (the derivative of the cost through g[L])
        if weights is None:
            m = AL.shape[1]
            dZ *= 1.0 / m  # the average cost's 1/m, once here instead of in every dW and db
        else:
            m = float(weights.sum())
            dZ *= weights / m
        self._backpropagate(dZ, m, reuse_buffers)

    def _backpropagate(self, dZ, m: float, reuse_buffers: bool = False) -> None:
        """Layer by layer from dZ[L] = ∂J/∂Z[L] down to layer 1: dW[l], db[l] and dA[l-1] (m: the L2 term's)."""
        dA = None
        for index in range(self.L - 1, -1, -1):
            dA = self.layers[index].backward(dA, m, self.l2, dZ=dZ, need_dA_prev=index > 0,
                                             reuse_buffers=reuse_buffers)
            dZ = None

    def gradients(self) -> dict:
        """A copy of the last gradients as {"dW1": ..., "db1": ..., ...}."""
        return {name: g.copy() for name, g in self._grads.items()}

    # ------------------------------------------------------------------ costs
    def l2_cost(self, m: int) -> float:
        """(l2 / 2m) * sum over layers of ||W[l]||_F^2."""
        if not self.l2:
            return 0.0
        total = sum(float(xp.vdot(layer.W, layer.W)) for layer in self.layers)
        return self.l2 / (2 * m) * total

    def _data_cost_of_last_forward(self, Y, weights=None) -> float:
        """The data cost of the last forward pass: J without the L2 term."""
        cache = self.layers[-1].cache
        return self.loss.cost(cache.Z, cache.A, Y, weights)

    # ------------------------------------------------------------------ the target pipeline
    def standardize_targets(self, Y):
        """y_std = (y − μ_y) / σ_y with the training targets' statistics; Y itself without a target normalizer."""
        return Y if self.target_normalizer is None else self.target_normalizer.transform(Y)

    def in_target_units(self, AL, Y_std):
        """(σ_y ⊙ A[L], σ_y ⊙ Y_std): outputs and standardized targets rescaled so that their differences
        are ŷ − y in the targets' own units (the offsets μ_y cancel in a cost or an rmse)."""
        if self.target_normalizer is None:
            return AL, Y_std
        scale = xp.asarray(self.target_normalizer.scale, dtype=AL.dtype)
        return AL * scale, Y_std * scale

    def _cost_of_last_forward(self, Y, weights=None) -> float:
        m = self.layers[-1].cache.A.shape[1] if weights is None else float(weights.sum())
        return self._data_cost_of_last_forward(Y, weights) + self.l2_cost(m)

    @_warns_itself
    def cost(self, X, Y, sample_weight=None) -> float:
        """J(X, Y) with the L2 term (l2/2m) Σ‖W‖², never with dropout: the function backprop differentiates."""
        X = self.check_X(X)
        Y = self.standardize_targets(self.check_Y(Y, X.shape[1]))
        J = self.batch_cost(X, Y, self.check_weights(sample_weight, X.shape[1]), with_l2=True).cost
        self._warn_if_not_finite([J], "the cost")
        return J

    @_warns_itself
    def cost_and_gradients(self, X, Y, training: bool = True, reuse_masks: bool | None = None,
                           sample_weight=None):
        """(J, {"dW1": ..., ...}): one forward and one backward pass on (X, Y).

        With ``training=True`` and keep_prob < 1 the cost and gradients are those of the dropped
        network (fresh masks, or the last ones with ``reuse_masks``). ``sample_weight`` (1, m):
        J = Σ w_i loss_i / Σ w_i + (l2 / 2Σw) Σ‖W‖² (an integer weight k is an example repeated k times).
        """
        X = self.check_X(X)
        Y = self.standardize_targets(self.check_Y(Y, X.shape[1]))
        weights = self.check_weights(sample_weight, X.shape[1])
        self._forward(X, training, reuse_masks)
        J = self._cost_of_last_forward(Y, weights)
        self._backward(Y, weights=weights)
        self._warn_if_not_finite([J, self._grad], "the cost or the gradients")
        return J, self.gradients()

    # ------------------------------------------------------------------ the training step (prepared inputs)
    def train_step(self, A0, Y, weights=None) -> TrainStep:
        """One mini-batch of training, short of the update: forward with dropout, data cost, backward.

        For prepared inputs: A0 = A[0] (n_x, b) after the input pipeline, Y (n_y, b) checked (and
        standardized, with a target normalizer), ``weights`` None or (1, b). Computes
            A[L] = forward(A0) with inverted dropout (fresh masks, or the fixed ones)
            J = (1/b) Σ loss(A[L], Y)   (weighted: Σ w_i loss_i / Σ w_i), without the L2 term
        and, only when J is finite, backward from dZ[L] = (A[L] − Y)/b, filling ``dtheta`` with
        ∂(J + (l2/2b) Σ‖W‖²)/∂θ. The caller then steps θ, e.g. ``optimizer.step(net.theta, net.dtheta, lr)``.
        The layers' reused buffers hold A[L]: it is valid until the next step of the same batch size.
        """
        AL = self._forward(A0, training=True, reuse_buffers=True)
        J = self._data_cost_of_last_forward(Y, weights)
        if math.isfinite(J):
            self._backward(Y, reuse_buffers=True, weights=weights)
        return TrainStep(J, AL)

    def batch_cost(self, A0, Y, weights=None, *, with_l2: bool = False) -> TrainStep:
        """(J, A[L]) of prepared inputs (as for ``train_step``), without dropout and without a backward pass.

            J = (1/m) Σ loss(A[L], Y)                 (weighted: Σ w_i loss_i / Σ w_i)
            + (l2 / 2m) Σ_l ‖W[l]‖²_F                 only with ``with_l2`` (m = Σ w with weights)
        ``with_l2=True`` is ``cost``: the function the gradients are of; the default is the data cost
        that ``fit`` records.
        """
        AL = self._forward(A0, training=False)
        J = self._cost_of_last_forward(Y, weights) if with_l2 else self._data_cost_of_last_forward(Y, weights)
        return TrainStep(J, AL)

    @property
    def theta(self):
        """θ = [W1, b1, W2, b2, ...]: the live flat parameter vector, not a copy.

        ``params`` and every layer's W and b are views into it, so an in-place update
        (``net.theta[:] -= α * net.dtheta``, an optimizer's step) moves the parameters. ``parameters_to_vector``
        is the copy to keep.
        """
        return self._theta

    @property
    def dtheta(self):
        """dθ = [dW1, db1, dW2, ...] = ∂J/∂θ of the last backward pass: the live flat gradient vector, not a copy.

        Same layout as ``theta``; ``gradients_to_vector`` is the copy to keep.
        """
        return self._grad

    @contextlib.contextmanager
    def fixed_dropout_masks(self) -> Iterator[Network]:
        """Inside the block, training forwards reuse the last dropout masks (drawn once if none).

        The notes' advice for checking gradients with dropout: fix the dropout pattern, so the
        cost is one deterministic function of the parameters.
        """
        previous, self._masks_fixed = self._masks_fixed, True
        try:
            yield self
        finally:
            self._masks_fixed = previous

    # ------------------------------------------------------------------ predictions
    def predict_proba(self, X):
        """A[L] (n_y, m): probabilities for sigmoid and softmax outputs, values for linear."""
        return self.forward(X, training=False)

    def predict(self, X):
        """(1, m) predictions: 0/1 (threshold 0.5) for sigmoid, the class index for softmax,
        the values for linear ((n_y, m) for several sigmoid or linear outputs)."""
        predictions = self.decide(self.predict_proba(X))
        if self.target_normalizer is not None:  # ŷ = μ_y + σ_y ⊙ A[L], in the targets' own units
            predictions = self.target_normalizer.inverse_transform(predictions)
        return predictions

    def decide(self, AL):
        """Turn the output A[L] into predictions (see ``predict``)."""
        return decide(self.output_activation, AL)

    def predict_labels(self, X):
        """(1, m) predictions in the original labels: ``class_names[predict(X)]`` (str array).

        Without class names (a network trained on labels 0..C-1) the class indices as text.
        """
        n = self.n_classes
        if not n:
            raise HyperparameterError(
                f"predict_labels needs a classifier (softmax output, or one sigmoid unit); this network's "
                f"output is {self.output_activation} with {self.layer_dims[-1]} units: use predict"
            )
        names = np.array(self.class_names if self.class_names is not None else [str(k) for k in range(n)])
        return names[np.asarray(self.predict(X), dtype=np.int64)]

    # ------------------------------------------------------------------ training
    # ``net.fit(X, Y, epochs=..., ...)`` is the fit loop itself, ``glassnet.training.fit`` (its docstring
    # lists the keyword arguments). The loop knows no Network: it drives any object with the public
    # training step (``train_step``, ``theta``, ``dtheta``, ``batch_cost``, ``evaluate_prepared``,
    # ``input_pipeline``: the ``training.Trainable`` protocol), so the network imports the loop.
    fit = training.fit

    @_warns_itself
    def evaluate(self, X, Y, batch_size: int = 4096) -> dict:
        """{"cost": data cost, "accuracy": ...} ("rmse" for a linear output) on (X, Y), without dropout.

        The data cost is the notes' J without the L2 term: (1/m) Σ loss. It can be compared across
        data sets of any size; the L2 term (l2/2m) Σ‖W‖² depends on the m of the training set and
        is ``net.l2_cost(m_train)`` (the history records it as "l2_cost"). Scored in batches of
        ``batch_size`` examples; the sums are finished once, so the numbers do not depend on the
        batch size (up to rounding).
        """
        X = self.check_X(X)
        Y = self.check_Y(Y, X.shape[1])
        batch_size = check_int(batch_size, "batch_size", hint="examples scored per forward pass, e.g. 4096")
        result = self.evaluate_prepared(X, Y, batch_size)
        self._warn_if_not_finite(list(result.values()), f"evaluate's result {result}")
        return result

    def evaluate_prepared(self, A0, Y, batch_size: int = 4096) -> dict:
        """``evaluate`` for prepared inputs: A0 = A[0] after the input pipeline, Y checked, in its own units.

        Without dropout, in batches: cost = (1/m) Σ loss(ŷ, y), with ŷ = A[L] (or μ_y + σ_y ⊙ A[L] with a
        target normalizer); plus accuracy (or rmse for a linear output). No L2 term.
        """
        m = A0.shape[1]
        loss_sum = metric_sum = 0.0
        for start in range(0, m, batch_size):
            stop = min(start + batch_size, m)
            AL = self._forward(A0[:, start:stop], training=False)
            ZL = self.layers[-1].cache.Z
            Yb = Y[:, start:stop]
            if self.target_normalizer is not None:  # scored as ŷ = μ_y + σ_y ⊙ A[L] against y, in y's units
                AL = ZL = self.target_normalizer.inverse_transform(AL)
            loss_sum += self.loss.cost(ZL, AL, Yb) * (stop - start)
            metric_sum += batch_metric_sum(self.output_activation, AL, Yb)
        name = metric_names(self.output_activation)[0]
        return {"cost": loss_sum / m, name: finish_metric(self.output_activation, metric_sum, m)}

    # ------------------------------------------------------------------ the flat vector
    def parameters_to_vector(self):
        """theta = [W1, b1, W2, b2, ...] flattened (each matrix row-major): a copy."""
        return self._theta.copy()

    def vector_to_parameters(self, theta) -> None:
        """Set every parameter from a vector in the order of ``parameters_to_vector``."""
        try:
            theta = xp.asarray(theta)
        except (ValueError, TypeError) as exc:
            raise ShapeError(f"theta cannot be read as a vector of numbers ({exc}); pass a 1-D array of "
                             f"{self.n_params} numbers") from exc
        if theta.shape not in ((self.n_params,), (self.n_params, 1)):
            raise ShapeError(
                f"theta must have {self.n_params} entries (the order W1, b1, W2, b2, ...), "
                f"got shape {theta.shape}"
            )
        theta = as_matrix(theta.reshape(1, -1), "theta")  # real numbers only: text, complex, objects refused
        check_finite(theta, "theta")
        check_in_range(theta, "theta", self.dtype)
        self._theta[...] = theta.reshape(-1)

    def gradients_to_vector(self):
        """The last gradients [dW1, db1, dW2, ...] flattened: a copy."""
        return self._grad.copy()

    # ------------------------------------------------------------------ copies and description
    def config(self) -> dict:
        """The hyperparameters that rebuild this architecture (JSON-serializable)."""
        return {
            "layer_dims": list(self.layer_dims),
            "activations": [a.config() for a in self.activations],
            "initializer": self.initializer,
            "init_scale": self.init_scale,
            "keep_prob": list(self.keep_prob),
            "l2": self.l2,
            "dtype": self.dtype.name,
        }

    @classmethod
    def from_config(cls, config: dict, seed=None) -> Network:
        return cls(
            layer_dims=config["layer_dims"], activations=config["activations"],
            initializer=config["initializer"], init_scale=config["init_scale"],
            keep_prob=config["keep_prob"], l2=config["l2"], dtype=config["dtype"], seed=seed,
        )

    def copy(self, dtype=None) -> Network:
        """An independent copy (optionally in another dtype): same weights, normalizer, generator state.

        It works for subclasses too (a deep copy), and holds no caches of forward passes.
        """
        clone = copy.deepcopy(self)
        if dtype is not None and resolve_dtype(dtype) != clone.dtype:
            clone.dtype = resolve_dtype(dtype)
            clone._build(theta=clone.theta.astype(clone.dtype))
        return clone

    def summary(self) -> str:
        """A table of layers: shapes, activations, keep_prob and parameter counts."""
        rows = [f"{'layer':<7}{'W shape':<16}{'activation':<20}{'keep_prob(in)':<15}{'params':>10}"]
        for l, layer in enumerate(self.layers, start=1):
            rows.append(
                f"{l:<7}{str(layer.W.shape):<16}{layer.activation!r:<20}"
                f"{layer.keep_prob:<15g}{layer.W.size + layer.b.size:>10,}"
            )
        rows.append(f"total parameters: {self.n_params:,}   l2 = {self.l2:g}   dtype = {self.dtype}")
        rows.append(f"input: {self.describe_input()}")
        return "\n".join(rows)

    def describe_input(self) -> str:
        """The input pipeline in words, e.g. "64 raw features / 16 -> standardized (train-set mean, variance)"."""
        steps = [f"{self.layer_dims[0]} raw features"]
        if self.input_scale is not None:
            steps.append(f"/ {self.input_scale:g}")
        steps.append("-> standardized (train-set mean and variance)" if self.normalizer is not None
                     else "-> used as they are" if self.input_scale is None else "")
        if self.target_normalizer is not None:
            steps.append("; targets standardized for training, predictions in their own units")
        return " ".join(s for s in steps if s)

    @property
    def keep_prob(self) -> list[float]:
        """keep_prob per layer input [input features, hidden 1, ..., hidden L-1] (1: no dropout there)."""
        return self._keep_prob

    @keep_prob.setter
    def keep_prob(self, keep_prob) -> None:
        """Set it between fits (a float for every hidden layer, or one per layer input); the layers drop with it
        from the next training forward pass on, the weights are kept."""
        self._keep_prob = check_keep_prob(keep_prob, self.L)
        for layer, p in zip(getattr(self, "layers", ()), self._keep_prob, strict=False):
            layer.keep_prob = p

    def _repr_html_(self) -> str:
        """The layer table as HTML for a notebook (``summary()`` is the text)."""
        from html import escape as html_escape

        from .display import block, table

        rows = [[l, str(layer.W.shape), repr(layer.activation), f"{layer.keep_prob:g}",
                 f"{layer.W.size + layer.b.size:,}"] for l, layer in enumerate(self.layers, start=1)]
        return block(f"Network {self.layer_dims}", table(rows, ["layer", "W shape", "activation", "keep_prob(in)",
                                                                "params"]),
                     f"<div><small>total parameters {self.n_params:,} · l2 = {self.l2:g} · dtype {self.dtype} · "
                     f"input: {html_escape(self.describe_input())}</small></div>")

    def __repr__(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        return (
            f"Network(layer_dims={self.layer_dims}, activations=[{acts}], l2={self.l2:g}, "
            f"keep_prob={self.keep_prob}, dtype={self.dtype.name})"
        )
