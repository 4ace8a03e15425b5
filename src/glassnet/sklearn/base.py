"""scikit-learn estimators on glassnet networks: ``GlassClassifier`` and ``GlassRegressor``.

    from glassnet.sklearn import GlassClassifier
    clf = GlassClassifier(hidden_layer_sizes=(64, 32), l2=0.1, epochs=100, random_state=0)
    clf.fit(X_train, y_train).score(X_test, y_test)      # X (n_samples, n_features), y (n_samples,)

Layout. scikit-learn stores one row per example, X (m, n_x); the notes and glassnet's core one
column per example, X (n_x, m). At the boundary X is made C-contiguous in the network's dtype (no
copy when it already is) and the core gets ``X.T``, a view: each example's features stay
contiguous, the storage order the core's mini-batch gather wants (see DESIGN.md). Predictions
come back as (m, ...) arrays.

Dtype. As in scikit-learn, the input's float dtype is kept: with ``dtype=None`` (the default) a
float32 X is computed in float32 and a float64 X in float64 (anything else, integers included, in
float64). ``dtype="float32"`` or ``"float64"`` fixes it whatever X is: float32 is the fast one
(float64 takes 1.6-2x its time), so pass ``dtype="float32"`` (or float32 X) for speed. A fitted
network keeps its dtype: ``partial_fit``, warm start and prediction cast X to it (a finite float64
beyond float32's range is refused, not turned into infinity). Predictions and probabilities come
back in the wider of the network's dtype and X's (float32 in, float32 out), as scikit-learn's MLP
returns them.

Outputs and costs (the L2 term l2/(2m) sum_l ||W[l]||^2 is added for the gradients):

* two classes   -> one sigmoid unit,   binary cross-entropy, y mapped to 0/1 (1, m)
* C > 2 classes -> C softmax units,    categorical cross-entropy, y mapped to labels 0..C-1 (1, m)
* regression    -> n_outputs linear units,  J = 1/(2m) sum (a - y)^2, Y = y.T (n_outputs, m)

Labels of any type (strings, ints, floats holding classes) map to 0..C-1 in the order of
``classes_`` (sorted, as ``np.unique`` gives).

Sample weights. ``fit(X, y, sample_weight=w)`` and ``partial_fit(..., sample_weight=w)``, w of
shape (n_samples,): the cost becomes J = sum_i w_i loss_i / sum_i w_i + l2/(2 sum w) sum ||W||^2
and the gradients are its gradients, so an integer weight k counts an example k times. Examples of
weight 0 are dropped before training: they change nothing, as in scikit-learn. With full-batch
training (``batch_size=None``, or one at least as large as the repeated data) integer weights
give the repeated rows' network up to rounding; with mini-batches the batches differ, so the two
agree only on average. The dev set is scored unweighted.

Costs reported. ``loss_curve_`` is the data cost per epoch (J without the L2 term, averaged over
the epoch's mini-batches), the number ``validation_loss_curve_`` and ``sklearn.metrics.log_loss``
give on a dev set, so the two curves can be compared; ``l2_cost_curve_`` holds the L2 term beside
it (l2/(2m) sum ||W||^2 with the training set's m). scikit-learn's MLP differs: its
``loss_curve_`` adds its penalty alpha/(2b) sum ||W||^2 to each mini-batch of b examples before
averaging, so it is about ``loss_curve_ + n_batches * l2_cost_curve_`` (the weights move between
batches), not ``loss_curve_``. The L2 gradient is the same: l2/b W here, alpha/b W there, for l2 = alpha.

A dev set. ``fit(X, y, X_dev=..., y_dev=...)``: the dev set is evaluated after every epoch
(``validation_loss_curve_``) and, with ``early_stopping=True``, watched for ``patience`` epochs
with the best epoch's weights restored. Without one, ``early_stopping=True`` holds out a seeded,
stratified ``validation_fraction`` of X. A dev set passed to ``fit`` inside a Pipeline does not go
through the Pipeline's transformers: there, prefer ``validation_fraction``.

Errors. Every input the estimators refuse raises a ``GlassnetError`` subclass naming the argument,
what came and the fix; each also derives from the built-in exception scikit-learn raises there
(``ValueError``, and ``TypeError`` for ``DataTypeError``), so code that catches those still works.

Importing this module imports scikit-learn; ``import glassnet`` does not.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Sequence

import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d, validate_data

from . import errors
from .activations import Activation, get_activation
from .backend import resolve_dtype, spawn_seed
from .data.preprocessing import train_test_split
from .errors import HyperparameterError, LabelError, NonFiniteError, RankOneArrayError, ShapeError
from .network import Network
from .optimizers import Optimizer, get_optimizer
from .training import EarlyStopping
from .validation import check_in_range, check_int, check_keep_prob, check_number

__all__ = ["DataTypeError", "GlassClassifier", "GlassRegressor", "NotFittedError"]

_ACTIVATION_ALIASES = {"logistic": "sigmoid", "identity": "linear"}
"""scikit-learn's MLP names for glassnet's activations."""

_PREDICT_BATCH = 4096
"""Examples per forward pass in predict: bounds the activations held in memory at once."""

_INPUT_DTYPES = (np.float64, np.float32)
"""The float dtypes kept as they come (scikit-learn's convention); anything else becomes the first."""


class NotFittedError(errors.NotFittedError, _SklearnNotFittedError):
    """A method that needs a fitted estimator was called before ``fit``.

    Both glassnet's ``NotFittedError`` and scikit-learn's, so either ``except`` catches it.
    """


class DataTypeError(ShapeError, TypeError):
    """X, y or sample_weight holds data the network cannot compute on: complex or text values, Python
    objects that are not numbers, a sparse matrix.

    A ``ShapeError`` like the core's "must hold numbers" (so a ``ValueError``, what scikit-learn
    raises for complex data) and a ``TypeError`` (what NumPy raises for objects that are not numbers).
    """


# ---------------------------------------------------------------------- helpers


def _glassnet_error(exc: Exception, name: str) -> errors.GlassnetError:
    """The GlassnetError for an error of scikit-learn's (or NumPy's) input validation of ``name``.

    scikit-learn's text is kept (its checks match on it) and the fix is added.
    """
    text = str(exc).strip()
    if "Complex data" in text or "'complex'" in text:  # scikit-learn's words, or NumPy's for a list
        return DataTypeError(f"Complex data not supported: {name} holds complex numbers, and the network computes "
                             f"on real numbers; pass {name}.real, or the real and imaginary parts as separate columns")
    if isinstance(exc, TypeError) or "could not convert" in text:
        return DataTypeError(f"{text}; {name} must hold real numbers: encode text or categories as numbers first "
                             "(e.g. sklearn.preprocessing.OneHotEncoder in a Pipeline)")
    if "NaN" in text or "infinity" in text:
        return NonFiniteError(f"{text} Drop or impute them before fitting (for example with "
                              "sklearn.impute.SimpleImputer in a Pipeline).")
    if "feature names should match" in text:
        return ShapeError(f"{name} has other columns than the estimator was fitted on. {text.rstrip('.')}. Select "
                          f"the fitted columns in their order: {name}[estimator.feature_names_in_]")
    if "features" in text and "expecting" in text:
        return ShapeError(f"{text} Pass {name} with the columns the estimator was fitted on.")
    if "got 1D array" in text:
        return RankOneArrayError(f"{name}: {text}")
    if "while dim <= 2" in text:
        text += f" Pass one row per sample: {name}.reshape(len({name}), -1) flattens each sample."
    elif "0 sample(s)" in text:
        text += f" Pass at least one row in {name}."
    return ShapeError(text if text.startswith(name) or f" {name} " in text else f"{name}: {text}")


def _refuse_kind(value, name: str) -> None:
    """Refuse a sparse matrix and complex numbers in ``value`` before scikit-learn converts it."""
    if scipy.sparse.issparse(value):
        dense = value.shape[0] * value.shape[1] * 8
        raise DataTypeError(
            f"{name} is a sparse matrix ({type(value).__name__} of shape {value.shape}); the network computes on "
            f"dense arrays: pass {name}.toarray() (as float64 it takes {dense / 2**20:.3g} MiB)"
        )
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "c":
        raise _glassnet_error(ValueError("Complex data not supported"), name)


def _cast(X, dtype, name: str):
    """X as a C-contiguous array of ``dtype`` (None: as it is); no copy when it already is one.

    A float64 X cast to float32 is first checked to fit in float32's range (no silent infinity).
    """
    if dtype is not None and X.dtype != dtype:
        check_in_range(X, name, dtype)
    return np.ascontiguousarray(X, dtype=dtype)


def _check_sample_weight(sample_weight, m: int) -> np.ndarray | None:
    """None, or the weights as a new float64 (m,) array: finite, non-negative, with a positive sum.

    A number gives every sample that weight (scikit-learn's convention).
    """
    if sample_weight is None:
        return None
    _refuse_kind(sample_weight, "sample_weight")
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool | np.bool_):
        return np.full(m, float(sample_weight))
    try:
        w = np.array(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise _glassnet_error(exc, "sample_weight") from exc
    if w.shape != (m,):
        hint = "; use sample_weight.ravel()" if w.size == m else ""
        raise ShapeError(f"sample_weight must have shape ({m},), one weight per row of X, got shape {w.shape}{hint}")
    if not np.isfinite(w).all():
        raise NonFiniteError(f"sample_weight holds {int((~np.isfinite(w)).sum())} NaN or infinite value(s); every "
                             "weight must be a finite number >= 0")
    if (w < 0).any():
        i = int(np.argmin(w))
        raise HyperparameterError(f"sample_weight must be non-negative, got {w[i]:g} at index {i}; a weight says how "
                                  "many times a sample counts (0 leaves it out)")
    if not w.sum() > 0:
        raise HyperparameterError("sample_weight is zero for every sample (its sum is 0): every sample would be left "
                                  "out; give at least one sample a positive weight")
    return w


def _seed(random_state):
    """The core's seed from scikit-learn's ``random_state``.

    None -> fresh entropy; an int -> itself; a RandomState -> one draw from it; a Generator -> itself.
    """
    if random_state is None or isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        return int(random_state)
    raise HyperparameterError(
        f"random_state must be None, a non-negative int, a numpy RandomState or Generator, got "
        f"{random_state!r}; pass an int such as random_state=0 for reproducible fits"
    )


def _check_bool(value, name: str) -> bool:
    """``value`` as a bool; anything but True/False (or NumPy's) is refused."""
    if not isinstance(value, bool | np.bool_):
        raise HyperparameterError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _architecture(activations) -> list[dict]:
    """Comparable descriptions of a list of activations (names and their parameters)."""
    return [get_activation(a).config() for a in activations]


# ---------------------------------------------------------------------- the shared estimator


class _GlassEstimator(BaseEstimator):
    """The fit loop, dev set, warm start, partial fit, pickling and prediction of both estimators.

    Subclasses set ``_targets`` (y -> the core's Y and the output layer) and the prediction methods.
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

    # ------------------------------------------------------------------ hyperparameters
    def _hidden_sizes(self) -> list[int]:
        """hidden_layer_sizes as a list [n[1], ..., n[L-1]] (an int means one hidden layer)."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = [sizes]
        if isinstance(sizes, str) or not isinstance(sizes, Sequence | np.ndarray):
            raise HyperparameterError(
                f"hidden_layer_sizes must be a tuple of layer sizes such as (100,) or (64, 32), got "
                f"{sizes!r}; use () for no hidden layer"
            )
        return [check_int(n, f"hidden_layer_sizes[{i}]", hint="every hidden layer needs at least one unit")
                for i, n in enumerate(sizes)]

    def _hidden_activations(self, n_hidden: int) -> list:
        """``activation`` as one activation per hidden layer ('logistic' and 'identity' accepted)."""
        spec = self.activation
        if isinstance(spec, str | Activation | dict):
            specs = [spec] * n_hidden
        elif isinstance(spec, Sequence) and len(spec) == n_hidden:
            specs = list(spec)
        else:
            raise HyperparameterError(
                f"activation must be one name such as 'relu', or one per hidden layer ({n_hidden} for "
                f"hidden_layer_sizes={self.hidden_layer_sizes!r}), got {spec!r}"
            )
        return [_ACTIVATION_ALIASES.get(s.lower(), s) if isinstance(s, str) else s for s in specs]

    def _batch_size(self, m: int) -> int | None:
        """The core's batch size: an int, 'auto' = min(200, m), or None (full batch)."""
        b = self.batch_size
        if b is None:
            return None
        if isinstance(b, str) and b == "auto":
            return min(200, m)
        return check_int(b, "batch_size", hint="or 'auto' (min(200, n_samples)), or None for full batch")

    def _new_optimizer(self) -> Optimizer:
        """A fresh optimizer from ``optimizer`` and ``learning_rate`` (an Optimizer object is copied)."""
        spec = copy.deepcopy(self.optimizer) if isinstance(self.optimizer, Optimizer) else self.optimizer
        return get_optimizer(spec, self.learning_rate)

    def _early_stopping(self) -> EarlyStopping | None:
        if not _check_bool(self.early_stopping, "early_stopping"):
            return None
        return EarlyStopping(monitor="dev_cost", patience=self.patience, min_delta=self.min_delta,
                             restore_best=True)

    # ------------------------------------------------------------------ input checks
    def _validate_X(self, X, *, reset: bool, dtype, name: str = "X"):
        """X (n_samples, n_features), C-contiguous, in ``dtype`` (None: its own float dtype, as scikit-learn keeps it).

        Records n_features_in_ (and feature_names_in_) on reset, checks them otherwise.
        """
        return _cast(self._validate_rows(X, reset=reset, name=name), dtype, name)

    def _validate_rows(self, X, *, reset: bool, name: str = "X"):
        """X (n_samples, n_features) checked by scikit-learn, in its own float dtype (float64 for any other)."""
        _refuse_kind(X, name)
        try:
            return validate_data(self, X, reset=reset, dtype=_INPUT_DTYPES)
        except (ValueError, TypeError) as exc:
            raise _glassnet_error(exc, name) from exc

    def _validate_y(self, y, m: int, name: str = "y"):
        """y as an array of m targets: (m,) for classes, (m,) or (m, n_outputs) of numbers for regression.

        A column (m, 1) given to a classifier is raveled with scikit-learn's DataConversionWarning.
        """
        if y is None:
            raise ShapeError(f"{type(self).__name__} requires {name} to be passed, but the target {name} is None; "
                             f"pass one target per row of X")
        _refuse_kind(y, name)
        try:
            y = check_array(y, ensure_2d=False, dtype=None, input_name=name, ensure_min_samples=0)
            if self._y_numeric and y.dtype.kind == "O":
                y = y.astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise _glassnet_error(exc, name) from exc
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
            self._validate_y(y, 0)
        X = self._validate_X(X, reset=reset, dtype=dtype)
        return X, self._validate_y(y, X.shape[0])

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

    def _build_network(self, n_features: int, dtype) -> Network:
        """The notes' network [n_x, hidden..., n_y] from the hyperparameters, seeded from random_state."""
        sizes = self._hidden_sizes()
        activations = self._hidden_activations(len(sizes)) + [self._output_activation()]
        return Network([n_features, *sizes, self._n_outputs()], activations=activations,
                       initializer=self.initializer, init_scale=self.init_scale, keep_prob=self.keep_prob,
                       l2=self.l2, dtype=dtype, seed=_seed(self.random_state))

    def _continue_network(self) -> Network:
        """The fitted network, checked against the hyperparameters, with the current l2 and keep_prob.

        Warm start and partial_fit continue the weights, so the architecture must not change;
        l2 and keep_prob are training settings and take their current values.
        """
        net = self.network_
        sizes = self._hidden_sizes()
        wanted = [net.layer_dims[0], *sizes, net.layer_dims[-1]]
        activations = self._hidden_activations(len(sizes)) + [self._output_activation()]
        if wanted != net.layer_dims or _architecture(activations) != _architecture(net.activations):
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
        net.l2 = check_number(self.l2, "l2", low=0.0, hint="l2 = 0 turns the L2 term off")
        net.keep_prob = check_keep_prob(self.keep_prob, net.L)
        for layer, p in zip(net.layers, net.keep_prob, strict=True):
            layer.keep_prob = p
        return net

    def _settings(self, incremental: bool, X_dev, y_dev) -> dict:
        """The checked training settings of one call of fit or partial_fit (before any data is looked at)."""
        warm = _check_bool(self.warm_start, "warm_start")
        first = not hasattr(self, "network_") or not (warm or incremental)
        # A new network: dtype, or the input's float dtype when it is None; a fitted one: its own.
        own = None if self.dtype is None else resolve_dtype(self.dtype)
        dtype = own if first else self.network_.dtype
        early_stopping = self._early_stopping()
        if incremental and early_stopping is not None:
            raise HyperparameterError(
                "partial_fit trains one epoch per call and has no dev set to stop on; set "
                "early_stopping=False, or use fit"
            )
        if (X_dev is None) != (y_dev is None):
            raise HyperparameterError("pass both X_dev and y_dev to fit, or neither")
        return {"first": first, "dtype": dtype, "early_stopping": early_stopping,
                "epochs": 1 if incremental else check_int(self.epochs, "epochs"),
                "normalize": _check_bool(self.normalize, "normalize")}

    def _fit(self, X, y, sample_weight=None, X_dev=None, y_dev=None, *, incremental: bool = False, classes=None):
        """Shared body of fit and partial_fit: validate, build or continue the network, train it."""
        settings = self._settings(incremental, X_dev, y_dev)
        first = settings["first"]
        if first and hasattr(self, "network_"):
            del self.network_  # a refit that fails leaves the estimator unfitted, not half old, half new

        X, y = self._validate_Xy(X, y, reset=first, dtype=settings["dtype"])
        w = _check_sample_weight(sample_weight, X.shape[0])
        Y = self._targets(y, first=first, incremental=incremental, classes=classes)
        if w is not None and not w.all():  # weight 0 = left out (the core would only multiply it by 0)
            keep = w > 0
            X, Y, w = X[keep], Y[:, keep], w[keep]
        if w is not None and not incremental:
            self._check_weighted_targets(Y)
        net = self._build_network(X.shape[1], X.dtype) if first else self._continue_network()
        optimizer = (self._optimizer if incremental and not first and hasattr(self, "_optimizer")
                     else self._new_optimizer())

        train, dev = (X, Y, w), None  # X still one row per example
        if X_dev is not None:
            Xd = self._validate_X(X_dev, reset=False, dtype=net.dtype, name="X_dev")
            dev = (Xd.T, self._dev_targets(y_dev, Xd.shape[0]))
        elif settings["early_stopping"] is not None:
            train, dev = self._split(X, Y, w, net)

        X_train, Y_train, w_train = train
        # The notes' layout: (n_x, m) views. Continuing keeps the first fit's normalizer: the weights were
        # learned on its scale.
        history = net.fit(
            X_train.T, Y_train, epochs=settings["epochs"], batch_size=self._batch_size(X_train.shape[0]),
            schedule=None, optimizer=optimizer, X_dev=None if dev is None else dev[0],
            Y_dev=None if dev is None else dev[1],
            early_stopping=settings["early_stopping"], normalize=settings["normalize"] if first else "keep",
            verbose=self.verbose, sample_weight=None if w_train is None else w_train.reshape(1, -1),
        )
        self.network_ = net
        self._optimizer = optimizer
        self._record(history, first, None if dev is None else dev[1])
        return self

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

    def _split(self, X, Y, w, net: Network):
        """Hold out ``validation_fraction`` of the rows of X (m, n_x): seeded, stratified for classes.

        Returns ((X_train, Y_train, w_train), (X_dev.T, Y_dev)); the dev part is scored unweighted.
        """
        m = X.shape[0]
        f = check_number(self.validation_fraction, "validation_fraction", low=0.0, high=1.0, low_open=True,
                         high_open=True, hint="a fraction of the training samples such as 0.1")
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
        return self._fit(X, y, sample_weight, X_dev, y_dev)

    # ------------------------------------------------------------------ prediction
    def _output(self, X):
        """(A[L].T, Z[L].T), each (n_samples, n_y), for X (n_samples, n_features), without dropout.

        Computed in the network's dtype; returned in the wider of that dtype and X's float dtype
        (float64 for any other X), as scikit-learn's MLP does: float32 in, float32 out.
        """
        self._check_fitted()
        net = self.network_
        X = self._validate_rows(X, reset=False)
        out = np.promote_types(X.dtype, net.dtype)
        X = _cast(X, net.dtype, "X")
        m, n_y = X.shape[0], net.layer_dims[-1]
        A = np.empty((m, n_y), dtype=out)
        Z = np.empty((m, n_y), dtype=out)
        XT = X.T
        for start in range(0, m, _PREDICT_BATCH):
            stop = min(start + _PREDICT_BATCH, m)
            A[start:stop] = net.forward(XT[:, start:stop]).T
            Z[start:stop] = net.layers[-1].cache.Z.T  # the output layer's Z[L] of this batch
        return A, Z

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        """Pickle the network as its config, parameter vector, normalizer and generator.

        A Network's parameters are views into one flat vector; pickle would store them as separate
        copies and the layers would no longer see the vector a later fit updates.
        """
        state = dict(super().__getstate__())
        net = state.get("network_")
        if isinstance(net, Network):
            state["network_"] = {"config": net.config(), "theta": net.parameters_to_vector(),
                                 "normalizer": net.normalizer, "rng": net.rng, "seed": net.seed}
        return state

    def __setstate__(self, state):
        state = dict(state)
        saved = state.get("network_")
        if isinstance(saved, dict):
            net = Network.from_config(saved["config"])
            net.vector_to_parameters(saved["theta"])
            net.normalizer, net.rng, net.seed = saved["normalizer"], saved["rng"], saved["seed"]
            state["network_"] = net
            optimizer = state.get("_optimizer")
            if isinstance(optimizer, Optimizer) and optimizer.slots and optimizer.state:
                arrays = {k: np.array(v) for k, v in optimizer.state_arrays().items()}
                t = optimizer.t
                optimizer.attach(net.parameter_shapes(), dtype=net.dtype)
                optimizer.load_state(arrays, t)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags


_PARAMETERS_DOC = """
    Parameters (glassnet's names; scikit-learn MLP's in brackets)
    ----------
    hidden_layer_sizes : tuple of int, default (100,)
        n[1], ..., n[L-1]; () for no hidden layer.
    activation : str or sequence, default "relu"
        One activation for every hidden layer or one per hidden layer: relu, leaky_relu, tanh,
        sigmoid (logistic), linear (identity), or a glassnet Activation such as LeakyReLU(0.2).
    initializer : {"he", "xavier", "glorot", "random", "zeros"}, default "glorot"
        The estimators start like MLPClassifier (Glorot scale), which measured 0.4-0.7 points
        better than He on scikit-learn's digits; the Network class itself defaults to He.
    init_scale : float, default 1.0
        Multiplies the initializer's standard deviation.
    keep_prob : float or sequence, default 1.0
        Inverted dropout: a float for every hidden layer, or one value per layer input
        [input features, hidden 1, ..., hidden L-1].
    l2 : float, default 0.0  [alpha]
        J += l2/(2m) sum_l ||W[l]||^2, m the mini-batch size (its sum of sample weights); the same
        number as MLP's alpha gives the same gradients.
    optimizer : {"adam", "gd", "momentum", "rmsprop"}, dict or glassnet Optimizer, default "adam"
        An Optimizer object is copied at each fit, never modified.
    learning_rate : float or None, default 0.001  [learning_rate_init]
        None keeps the optimizer's own rate (its default, or an Optimizer object's).
    batch_size : int, "auto" or None, default 200
        "auto" is min(200, n_samples) as in scikit-learn; None is full-batch gradient descent.
    epochs : int, default 200  [max_iter]
        Every epoch is run unless early stopping ends training.
    early_stopping : bool, default False
        Watch the dev cost after each epoch; stop after ``patience`` epochs without an improvement
        of ``min_delta`` and restore the best epoch's weights. The dev set is ``fit``'s X_dev/y_dev,
        else a seeded (stratified for classifiers) ``validation_fraction`` of X.
    validation_fraction : float in (0, 1), default 0.1
    patience : int, default 10  [n_iter_no_change]
    min_delta : float, default 0.0  [tol]
    normalize : bool, default False
        Standardize the features with statistics of the training samples (stored in the network,
        applied at predict). Warm start and partial_fit keep the first fit's statistics.
    random_state : None, int, RandomState or Generator, default None
        Seeds the initialization, dropout masks, mini-batch order and validation split.
    verbose : {0, 1, 2}, default 0
        1: a progress bar; 2: a line per epoch.
    warm_start : bool, default False
        fit continues from the fitted weights (same architecture and classes; l2 and keep_prob may
        change) with a fresh optimizer.
    dtype : {None, "float32", "float64"}, default None
        The dtype the network computes in. None: the input's, as scikit-learn keeps it (float32 X ->
        float32, float64 X -> float64, anything else -> float64), decided by the first fit.
        "float32" is the fast one: float64 takes 1.6-2x its time (DESIGN.md's measurements).

    Attributes
    ----------
    network_ : glassnet.Network          the trained network (its layout: X (n_x, m))
    n_features_in_ : int
    feature_names_in_ : ndarray of str   when X had string column names (a DataFrame)
    n_iter_ : int                        epochs run by the last fit (1 for partial_fit)
    loss_curve_ : list of float          training data cost per epoch since the weights were initialized:
                                         J without the L2 term (MLP's loss_curve_ includes its penalty;
                                         see the module's docstring)
    l2_cost_curve_ : list of float       the L2 term l2/(2m) sum ||W||^2 after each epoch (m: the training
                                         set's, its sum of sample weights when weighted)
    validation_loss_curve_ : list or None  dev data cost per epoch (None where an epoch had no dev set)
    validation_scores_ : list or None    dev score per epoch, as ``score`` gives it (accuracy; R² for a
                                         regressor), as MLP's validation_scores_
    best_epoch_ : int                    1-based index into loss_curve_ of the lowest dev cost (the
                                         training cost without a dev set); with early stopping, the
                                         epoch whose weights were kept
    loss_ : float                        the last epoch's training data cost (loss_curve_[-1])
    history_ : glassnet.History          the last fit's per-epoch records
"""


class GlassClassifier(ClassifierMixin, _GlassEstimator):
    """A glassnet network as a scikit-learn classifier: sigmoid output for 2 classes, softmax for more.

    p(class k | x) = A[L] of the notes' forward pass on x; predict = argmax_k; for two classes one
    sigmoid unit a = p(classes_[1] | x) and decision_function = z[L], predict = classes_[z > 0].
    """

    __doc__ = (__doc__ or "") + _PARAMETERS_DOC + (
        "    classes_ : ndarray (n_classes,)     the labels, sorted; predict_proba's column k is classes_[k]\n"
    )

    def _output_activation(self) -> str:
        return "sigmoid" if len(self.classes_) == 2 else "softmax"

    def _n_outputs(self) -> int:
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _stratify(self) -> bool:
        return True

    def _encode(self, y, name: str) -> np.ndarray:
        """Class indices (m,) of labels y in classes_; labels outside classes_ are refused."""
        classes = self.classes_
        try:
            idx = np.searchsorted(classes, y)
            idx[idx >= len(classes)] = 0
            unknown = classes[idx] != y
        except TypeError:  # labels of another type than classes_ (strings against numbers)
            unknown = np.ones(len(y), dtype=bool)
        if np.any(unknown):
            found = np.unique(np.asarray(y)[unknown])[:5].tolist()
            raise LabelError(
                f"{name} holds labels {found} that are not among the classes {classes.tolist()} the estimator "
                "knows; for partial_fit pass every class in classes= on the first call"
            )
        return idx

    def _as_Y(self, idx: np.ndarray) -> np.ndarray:
        """(1, m): 0/1 for the sigmoid output, class indices for softmax."""
        if len(self.classes_) == 2:
            return idx.reshape(1, -1).astype(np.float64)
        return idx.reshape(1, -1)

    def _targets(self, y, *, first, incremental, classes=None):
        try:
            check_classification_targets(y)
        except ValueError as exc:
            raise LabelError(f"{exc}. GlassClassifier needs class labels; for real-valued targets use "
                             "GlassRegressor") from exc
        if first and incremental:  # the first partial_fit
            if classes is None:
                raise LabelError("classes must be passed on the first call to partial_fit: every label of "
                                 "the whole data set, e.g. classes=np.unique(y_all)")
            self.classes_ = np.unique(classes)
        elif first:
            self.classes_ = np.unique(y)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise LabelError(f"classes={list(classes)} differs from the classes {self.classes_.tolist()} "
                             "of the first call to partial_fit")
        if len(self.classes_) < 2:
            raise LabelError(
                f"GlassClassifier needs samples of at least 2 classes, got 1 class "
                f"({self.classes_.tolist()}); a classifier has nothing to learn from one class"
            )
        return self._as_Y(self._encode(y, "y"))

    def _dev_targets(self, y_dev, m_dev):
        return self._as_Y(self._encode(self._validate_y(y_dev, m_dev, "y_dev"), "y_dev"))

    def _check_weighted_targets(self, Y) -> None:
        present = np.unique(Y)
        if present.size < 2:
            label = self.classes_[int(present[0])].tolist()  # Y holds class indices (0/1 for a sigmoid output)
            raise LabelError(
                f"sample_weight leaves samples of only one class ({label!r}) with a positive weight; a classifier "
                "needs samples of at least 2 classes to learn from: give samples of another class a positive weight"
            )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on (X, y), continuing the weights and optimizer state; returns self.

        ``classes`` (every label of the whole data set) is required on the first call, as in
        scikit-learn, because the output layer is sized from it. ``sample_weight`` as in ``fit``.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def decision_function(self, X):
        """z[L] before the output activation: (n_samples,) for two classes, else (n_samples, n_classes)."""
        _, Z = self._output(X)
        return Z[:, 0].copy() if len(self.classes_) == 2 else Z

    def predict_proba(self, X):
        """p(classes_[k] | x): (n_samples, n_classes), rows summing to 1 (two columns for two classes)."""
        A, _ = self._output(X)
        if len(self.classes_) == 2:
            p = A[:, 0]
            return np.column_stack([1.0 - p, p])
        return A

    def predict_log_proba(self, X):
        """log of ``predict_proba``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row of X: (n_samples,) labels from classes_."""
        _, Z = self._output(X)
        idx = (Z[:, 0] > 0).astype(np.intp) if len(self.classes_) == 2 else Z.argmax(axis=1)
        return self.classes_[idx]


class GlassRegressor(RegressorMixin, _GlassEstimator):
    """A glassnet network as a scikit-learn regressor: linear outputs, J = 1/(2m) sum (a - y)^2.

    y (n_samples,) or (n_samples, n_outputs) -> Y = y.T (n_outputs, m); predict returns the shape y had.
    """

    __doc__ = (__doc__ or "") + _PARAMETERS_DOC + "    n_outputs_ : int                     the number of targets\n"

    _multi_output = True
    _y_numeric = True

    def _output_activation(self) -> str:
        return "linear"

    def _n_outputs(self) -> int:
        return self.n_outputs_

    def _as_Y(self, y, name: str) -> np.ndarray:
        """Y (n_outputs, m) from y (m,) or (m, n_outputs)."""
        Y = y.reshape(1, -1) if y.ndim == 1 else y.T
        if Y.shape[0] != self.n_outputs_:
            raise ShapeError(
                f"{name} has {Y.shape[0]} target column(s) but the estimator was fitted on "
                f"{self.n_outputs_}; pass {name} of shape (n_samples, {self.n_outputs_})"
            )
        return Y

    def _targets(self, y, *, first, incremental, classes=None):
        if first:
            self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
            self._y_ndim = y.ndim
        return self._as_Y(y, "y")

    def _dev_targets(self, y_dev, m_dev):
        return self._as_Y(self._validate_y(y_dev, m_dev, "y_dev"), "y_dev")

    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on (X, y), continuing the weights and optimizer state; returns self.

        ``sample_weight`` as in ``fit``.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """A[L].T: (n_samples,) when fitted on a 1-D y, else (n_samples, n_outputs)."""
        A, _ = self._output(X)
        return A[:, 0].copy() if self._y_ndim == 1 else A

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
