"""Network: the notes' L-layer network — layers in order, cost with L2, gradients, predictions.

Layout (one column per example):  X (n_x, m), Y (n_y, m), W[l] (n[l], n[l-1]), b[l] (n[l], 1).

    forward:   A[0] = X;  for l = 1..L:  Z[l] = W[l] A[l-1] + b[l],  A[l] = g[l](Z[l])
    cost:      J = (1/m) sum of losses(A[L], Y)  +  (l2 / 2m) sum_l ||W[l]||_F^2
    backward:  dZ[L] = A[L] - Y;  for l = L..1:  dW[l], db[l], dA[l-1]  (see layers.Dense)

All parameters live in one contiguous vector theta = [W1, b1, W2, b2, ...] (each matrix in
row-major order) and all gradients in another of the same layout; ``params`` and each layer hold
views into it. So ``parameters_to_vector`` is a copy of one array, and an optimizer updates every
parameter with a few in-place passes.

The data's way in and out, ``glassnet.pipeline``: the checks at every public entry (``check_X``,
``check_Y``, ``check_weights``), the input pipeline A[0] = standardize(X / input_scale) (``input_pipeline``)
and, for a linear output, the target pipeline y_std = (y − μ_y) / σ_y, whose ``predict`` answers
ŷ = μ_y + σ_y ⊙ A[L]. Its functions are methods of Network, as ``fit`` is.

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
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import display, pipeline, training
from .backend import DEFAULT_DTYPE, make_rng, resolve_dtype, xp, zeros_vector
from .errors import NonFiniteWarning, NotFittedError
from .initializers import check_initializer, initialize_weights
from .layers import Dense
from .losses import LOSS_FOR_OUTPUT
from .metrics import batch_metric_sum, finish_metric, metric_names
from .parameters import ParameterDict, activations_checked, layer_dims_checked, names_checked, vector_checked, views
from .validation import check_buildable, check_int, check_keep_prob, check_number


class TrainStep(NamedTuple):
    """``Network.train_step``'s result: the mini-batch's data cost J (no L2 term) and its output A[L]."""

    cost: float
    AL: Any


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
        self.layer_dims = layer_dims_checked(layer_dims)
        self.activations = activations_checked(activations, hidden_activation, output_activation, self.layer_dims)
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
        self.feature_names = names_checked(feature_names, "feature_names", self.layer_dims[0])
        self.class_names = names_checked(class_names, "class_names", self.n_classes or None, "the network's classes")
        self._masks_fixed = False

        self._build()
        for l in range(1, self.L + 1):
            n_prev, n = self.layer_dims[l - 1], self.layer_dims[l]
            self._params[f"W{l}"][...] = initialize_weights(self.initializer, n_prev, n, self.rng, self.init_scale)
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
        self._params = views(self._theta, self.parameter_shapes())
        self._grads = views(self._grad, self.parameter_shapes(), prefix="d")
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

    # ------------------------------------------------------------------ the data's way in (glassnet.pipeline)
    # Functions of the network's public attributes, methods here as ``fit`` is; their docstrings give the formulas.
    check_X = pipeline.check_X  # noqa: N815 (the notes' X and Y)
    input_pipeline = pipeline.input_pipeline  # A[0] = (X / input_scale − μ) / σ, each step when set
    transform_input = pipeline.transform_input
    check_Y = pipeline.check_Y  # noqa: N815
    check_weights = pipeline.check_weights
    standardize_targets = pipeline.standardize_targets  # y_std = (y − μ_y) / σ_y
    in_target_units = pipeline.in_target_units  # (σ_y ⊙ A[L], σ_y ⊙ Y_std)

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
        if weights is None:
            m = AL.shape[1]
            # dZ[L] = A[L] - Y (the derivative of the cost through g[L]) times the average cost's 1/m, once
            # here instead of in every dW and db: dZ = A[L] - Y;  dZ *= 1.0 / m (one compiled pass)
            dZ = self.loss.output_dZ(AL, Y, scale=1.0 / m)
        else:
            m = float(weights.sum())
            dZ = self.loss.output_dZ(AL, Y)
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

    # ------------------------------------------------------------------ predictions (glassnet.pipeline: the way out)
    predict_proba = pipeline.predict_proba  # A[L] = forward(X), without dropout
    decide = pipeline.decide  # A[L] -> 0/1, class index, or values
    predict = pipeline.predict  # decide(A[L]); ŷ = μ_y + σ_y ⊙ A[L] with a target normalizer
    predict_labels = pipeline.predict_labels  # class_names[predict(X)]

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
        self._theta[...] = vector_checked(theta, self.n_params, self.dtype)

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

    summary = display.network_summary  # the layer table as text (glassnet.display)
    describe_input = display.describe_input  # the input pipeline in words
    _repr_html_ = display.network_html  # the layer table as HTML for a notebook

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

    def __repr__(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        return (
            f"Network(layer_dims={self.layer_dims}, activations=[{acts}], l2={self.l2:g}, "
            f"keep_prob={self.keep_prob}, dtype={self.dtype.name})"
        )
