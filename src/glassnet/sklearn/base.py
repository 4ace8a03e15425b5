"""The shared estimator: parameters -> RunSpec -> ``runs.build`` and the fit settings of ``runs.fit_settings``;
the dev set, warm start, partial fit and prediction of both estimators."""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_array
from sklearn.utils.validation import column_or_1d, validate_data

from ..activations import get_activation
from ..backend import resolve_dtype, spawn_seed
from ..data.preprocessing import train_test_split
from ..errors import HyperparameterError, ShapeError
from ..network import Network
from ..runs import RunSpec, build
from ..validation import check_bool
from .inputs import INPUT_DTYPES, DataTypeError, NotFittedError, cast, check_sample_weight, glassnet_error, refuse_kind
from .params import estimator_fit_settings, optimizer_of, run_spec

PREDICT_BATCH = 4096
"""Examples per forward pass in predict: bounds the activations held in memory at once."""


def architecture(activations) -> list[dict]:
    """Comparable descriptions of a list of activations (names and their parameters)."""
    return [get_activation(a).config() for a in activations]


class GlassEstimator(BaseEstimator):
    """The fit loop, dev set, warm start, partial fit and prediction of both estimators.

    Subclasses set ``_targets`` (y -> the core's Y and the output layer) and the prediction methods.
    A fitted estimator pickles as its parameters and fitted attributes: its network and optimizer
    pickle themselves (``Network`` keeps its flat parameter vector, normalizers and generator).
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        initializer="glorot",
        init_scale=1.0,
        keep_prob=1.0,
        l2=0.0,
        optimizer="adam",
        learning_rate=0.001,
        batch_size=200,
        epochs=200,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        min_delta=0.0,
        normalize=False,
        random_state=None,
        verbose=0,
        warm_start=False,
        dtype=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.initializer = initializer
        self.init_scale = init_scale
        self.keep_prob = keep_prob
        self.l2 = l2
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.normalize = normalize
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.dtype = dtype


    # ------------------------------------------------------------------ the run
    _task = "auto"

    def run_spec(self, n_samples: int, dtype=None) -> RunSpec:
        """The RunSpec of these parameters for a fit on ``n_samples`` rows (``params.run_spec``).

        ``dtype``: the input's float type, used when the ``dtype`` parameter is None. A bad parameter
        raises a HyperparameterError naming the parameter. With ``random_state=None`` each call draws
        a new seed; ``run_spec_`` is the spec of the last fit.
        """
        return run_spec(self, n_samples, dtype, self._task)

    # ------------------------------------------------------------------ input checks
    def _validate_X(self, X, *, reset: bool, dtype, name: str = "X"):
        """X (n_samples, n_features), C-contiguous, in ``dtype`` (None: its own float dtype, as scikit-learn keeps it).

        Records n_features_in_ (and feature_names_in_) on reset, checks them otherwise.
        """
        return cast(self._validate_rows(X, reset=reset, name=name), dtype, name)

    def _validate_rows(self, X, *, reset: bool, name: str = "X"):
        """X (n_samples, n_features) checked by scikit-learn, in its own float dtype (float64 for any other)."""
        refuse_kind(X, name)
        try:
            return validate_data(self, X, reset=reset, dtype=INPUT_DTYPES)
        except (ValueError, TypeError) as exc:
            raise glassnet_error(exc, name) from exc

    def checked_targets(self, y, m: int, name: str = "y"):
        """y as an array of m targets: (m,) for classes, (m,) or (m, n_outputs) of numbers for regression.

        A column (m, 1) given to a classifier is raveled with scikit-learn's DataConversionWarning.
        """
        if y is None:
            raise ShapeError(f"{type(self).__name__} requires {name} to be passed, but the target {name} is None; "
                             f"pass one target per row of X")
        refuse_kind(y, name)
        try:
            y = check_array(y, ensure_2d=False, dtype=None, input_name=name, ensure_min_samples=0)
            if self._y_numeric and y.dtype.kind == "O":
                y = y.astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise glassnet_error(exc, name) from exc
        if y.ndim == 2 and y.shape[1] > 1 and not self._multi_output:
            raise ShapeError(
                f"{type(self).__name__} takes one label per sample, {name} of shape (n_samples,), got shape {y.shape}; "
                f"for one-hot rows pass {name}.argmax(axis=1), for several targets per sample use GlassRegressor"
            )
        if y.ndim == 2 and not self._multi_output:
            y = column_or_1d(y, warn=True)
        if y.ndim not in (1, 2):
            raise ShapeError(f"{name} must have shape (n_samples,) or (n_samples, n_outputs), got shape {y.shape}")
        if self._y_numeric and y.dtype.kind not in "biuf":
            first = y.ravel()[:1].tolist()[0]  # a plain value: 'a', not np.str_('a')
            raise DataTypeError(f"{name} must hold numbers, got dtype {y.dtype} (first value {first!r}); "
                                "a regressor predicts numbers: convert them, or use GlassClassifier for labels")
        if y.shape[0] != m:
            raise ShapeError(f"{name} has {y.shape[0]} targets but X has {m} rows: pass one target per row of X")
        return y

    def _validate_Xy(self, X, y, *, reset: bool, dtype):
        if y is None:
            self.checked_targets(y, 0)
        X = self._validate_X(X, reset=reset, dtype=dtype)
        return X, self.checked_targets(y, X.shape[0])

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "network_")

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X, y) (or partial_fit) before "
                "predicting"
            )

    # ------------------------------------------------------------------ fitting
    _multi_output = False
    _y_numeric = False

    def _check_weighted_targets(self, Y) -> None:
        """Refuse targets that the positive sample weights leave nothing to learn from (classifiers)."""

    def _output_activation(self) -> str:
        raise NotImplementedError

    def _targets(self, y, *, first: bool, incremental: bool, classes=None):
        """Y for the core from validated y; on the first pass also sets the output attributes."""
        raise NotImplementedError

    def _dev_targets(self, y_dev, m_dev: int):
        """Y_dev for the core from a user's y_dev (validated against what fit learned)."""
        raise NotImplementedError

    def _n_outputs(self) -> int:
        """Units of the output layer."""
        raise NotImplementedError

    def _stratify(self) -> bool:
        return False


    def _build_network(self, spec: RunSpec, n_features: int, dtype) -> Network:
        """The notes' network [n_x, hidden..., n_y] of the spec (``runs.build``), in the input's dtype."""
        return build(spec, n_features, self._n_outputs(), self._output_activation(), dtype=dtype)

    def _continue_network(self, spec: RunSpec) -> Network:
        """The fitted network, checked against the spec, with the spec's l2 and keep_prob.

        Warm start and partial_fit continue the weights, so the architecture must not change;
        l2 and keep_prob are training settings and take their current values.
        """
        net = self.network_
        wanted = [net.layer_dims[0], *spec.layers, net.layer_dims[-1]]
        activations = [*spec.hidden_activations, self._output_activation()]
        if wanted != net.layer_dims or architecture(activations) != architecture(net.activations):
            raise HyperparameterError(
                f"warm_start and partial_fit continue the fitted network {net.layer_dims} with activations "
                f"{[a.name for a in net.activations]}, but the parameters now ask for {wanted} with "
                f"{[get_activation(a).name for a in activations]}; restore hidden_layer_sizes and activation, "
                "or set warm_start=False to start a new network"
            )
        if self.dtype is not None and resolve_dtype(self.dtype) != net.dtype:
            raise HyperparameterError(
                f"the fitted network computes in {net.dtype.name} but dtype={self.dtype!r}; restore it, "
                "or set warm_start=False to start a new network"
            )
        net.l2 = spec.l2
        net.keep_prob = spec.network_keep_prob  # the layers drop with it from the next training pass
        return net

    def _start(self, incremental: bool, X_dev, y_dev) -> tuple[bool, object]:
        """(first, dtype) of one call of fit or partial_fit, checked before any data is looked at.

        first: a new network (not warm start or partial_fit of a fitted one); dtype: the ``dtype``
        parameter for a new network (None: the input's float dtype), the fitted network's otherwise.
        """
        warm = check_bool(self.warm_start, "warm_start")
        first = not hasattr(self, "network_") or not (warm or incremental)
        if incremental and check_bool(self.early_stopping, "early_stopping"):
            raise HyperparameterError(
                "partial_fit trains one epoch per call and has no dev set to stop on; set "
                "early_stopping=False, or use fit"
            )
        if (X_dev is None) != (y_dev is None):
            raise HyperparameterError("pass both X_dev and y_dev to fit, or neither")
        own = None if self.dtype is None else resolve_dtype(self.dtype)
        return first, own if first else self.network_.dtype

    def train_on(self, X, y, sample_weight=None, X_dev=None, y_dev=None, *, incremental: bool = False, classes=None):
        """Shared body of fit and partial_fit: validate, build or continue the network, train it."""
        first, dtype = self._start(incremental, X_dev, y_dev)
        if first and hasattr(self, "network_"):
            del self.network_  # a refit that fails leaves the estimator unfitted, not half old, half new
        X, y = self._validate_Xy(X, y, reset=first, dtype=dtype)
        spec = self.run_spec(X.shape[0], X.dtype)
        Y = self._targets(y, first=first, incremental=incremental, classes=classes)
        net = self._build_network(spec, X.shape[1], X.dtype) if first else self._continue_network(spec)
        w = check_sample_weight(sample_weight, X.shape[0], net)
        if w is not None and not w.all():  # weight 0 = left out (the core would only multiply it by 0)
            keep = w > 0
            X, Y, w = X[keep], Y[:, keep], w[keep]
        if w is not None and not incremental:
            self._check_weighted_targets(Y)
        optimizer = (self._optimizer if incremental and not first and hasattr(self, "_optimizer")
                     else optimizer_of(self))
        (X_train, Y_train, w_train), dev = self._dev_set(X, Y, w, X_dev, y_dev, net, spec)
        settings = estimator_fit_settings(self, spec, optimizer, first=first)
        if incremental:
            settings["epochs"] = 1
        # The notes' layout: (n_x, m) views. Continuing keeps the first fit's normalizer (settings say "keep").
        history = net.fit(X_train.T, Y_train, X_dev=None if dev is None else dev[0],
                          Y_dev=None if dev is None else dev[1], verbose=self.verbose,
                          sample_weight=None if w_train is None else w_train.reshape(1, -1), **settings)
        self.network_, self._optimizer, self.run_spec_ = net, optimizer, spec
        self._record(history, first, None if dev is None else dev[1])
        return self

    def _dev_set(self, X, Y, w, X_dev, y_dev, net: Network, spec: RunSpec):
        """((X_train, Y_train, w_train), (X_dev.T, Y_dev) or None): fit's dev set, else a held-out part
        of X when early stopping needs one, else none. X still one row per example."""
        if X_dev is not None:
            Xd = self._validate_X(X_dev, reset=False, dtype=net.dtype, name="X_dev")
            return (X, Y, w), (Xd.T, self._dev_targets(y_dev, Xd.shape[0]))
        if spec.early_stopping:
            return self._split(X, Y, w, net, spec)
        return (X, Y, w), None

    def _record(self, history, first: bool, Y_dev=None) -> None:
        """The fitted attributes from a History; the curves go on across warm starts and partial fits.

        ``validation_scores_`` (as MLP's): the dev set's score after each epoch, what ``score`` gives
        for those weights: accuracy for a classifier; for a regressor the (variance-weighted) R² =
        1 - rmse² / mean over outputs of Var(y_dev), from the history's dev rmse.
        """
        if first:
            self.loss_curve_, self.l2_cost_curve_, self._dev_curve, self._dev_scores = [], [], [], []
        offset = len(self.loss_curve_)
        self.loss_curve_ += history["cost"]
        self.l2_cost_curve_ += history["l2_cost"]
        self._dev_curve += history["dev_cost"]
        self._dev_scores += self._scores(history, Y_dev)
        has_dev = any(v is not None for v in self._dev_curve)
        self.validation_loss_curve_ = list(self._dev_curve) if has_dev else None
        self.validation_scores_ = list(self._dev_scores) if has_dev else None
        self.n_iter_ = len(history)
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else None
        self.best_epoch_ = offset + history.best_epoch if history.best_epoch is not None else None
        self.history_ = history

    @staticmethod
    def _scores(history, Y_dev) -> list:
        """Per-epoch dev scores: accuracy, or R² from rmse and the dev targets' variance."""
        if Y_dev is None:
            return [None] * len(history)
        if "dev_accuracy" in history:
            return list(history["dev_accuracy"])
        variance = float(np.mean(np.var(np.asarray(Y_dev, dtype=np.float64), axis=1)))
        return [None if r is None or variance == 0 else 1.0 - r * r / variance for r in history["dev_rmse"]]

    def _split(self, X, Y, w, net: Network, spec: RunSpec):
        """Hold out ``validation_fraction`` of the rows of X (m, n_x): seeded, stratified for classes.

        Returns ((X_train, Y_train, w_train), (X_dev.T, Y_dev)); the dev part is scored unweighted.
        """
        m = X.shape[0]
        f = spec.dev_fraction  # validation_fraction, checked by the spec
        n_val = int(math.floor(f * m + 0.5))
        if n_val < 1 or n_val >= m:
            raise HyperparameterError(
                f"validation_fraction={f:g} of {m} samples holds out {n_val}; early stopping needs at least "
                "1 sample for validation and 1 for training: use more samples or another "
                "validation_fraction, or pass X_dev and y_dev to fit"
            )
        # Split the sample indices (the split depends on Y and the seed only), then take rows of X and w.
        index_tr, Y_tr, index_va, Y_va = train_test_split(np.arange(m).reshape(1, -1), Y, test=n_val,
                                                          stratify=self._stratify(), seed=spawn_seed(net.rng))
        tr, va = index_tr[0], index_va[0]
        return (X[tr], Y_tr, None if w is None else w[tr]), (X[va].T, Y_va)

    def fit(self, X, y, sample_weight=None, *, X_dev=None, y_dev=None):
        """Train a new network on X (n_samples, n_features) and y; returns self.

        ``sample_weight`` (n_samples,): how much each sample counts in the cost and its gradients (see
        the module's docstring). ``X_dev``, ``y_dev``: an optional dev set, evaluated after every epoch
        and used by ``early_stopping`` instead of holding out ``validation_fraction`` of X. With
        ``warm_start=True`` a fitted estimator continues from its weights for ``epochs`` more epochs.
        """
        return self.train_on(X, y, sample_weight, X_dev, y_dev)

    # ------------------------------------------------------------------ prediction

    # ------------------------------------------------------------------ prediction
    def output_layer(self, X):
        """(A[L].T, Z[L].T), each (n_samples, n_y), for X (n_samples, n_features), without dropout.

        Computed in the network's dtype; returned in the wider of that dtype and X's float dtype
        (float64 for any other X), as scikit-learn's MLP does: float32 in, float32 out.
        """
        self._check_fitted()
        net = self.network_
        X = self._validate_rows(X, reset=False)
        out = np.promote_types(X.dtype, net.dtype)
        X = cast(X, net.dtype, "X")
        m, n_y = X.shape[0], net.layer_dims[-1]
        A = np.empty((m, n_y), dtype=out)
        Z = np.empty((m, n_y), dtype=out)
        XT = X.T
        for start in range(0, m, PREDICT_BATCH):
            stop = min(start + PREDICT_BATCH, m)
            A[start:stop] = net.forward(XT[:, start:stop]).T
            Z[start:stop] = net.layers[-1].cache.Z.T  # the output layer's Z[L] of this batch
        return A, Z

    # ------------------------------------------------------------------ pickling

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags



__all__ = ["PREDICT_BATCH", "GlassEstimator", "architecture"]
