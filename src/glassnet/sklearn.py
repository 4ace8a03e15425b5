"""scikit-learn estimators on glassnet networks: ``GlassClassifier`` and ``GlassRegressor``.

    from glassnet.sklearn import GlassClassifier
    clf = GlassClassifier(hidden_layer_sizes=(64, 32), l2=0.1, epochs=100, random_state=0)
    clf.fit(X_train, y_train).score(X_test, y_test)      # X (n_samples, n_features), y (n_samples,)

Layout. scikit-learn stores one row per example, X (m, n_x); the notes and glassnet's core one
column per example, X (n_x, m). At the boundary X is made C-contiguous in the network's dtype (no
copy when it already is) and the core gets ``X.T``, a view: each example's features stay
contiguous, the storage order the core's mini-batch gather wants (see DESIGN.md). Predictions
come back as (m, ...) arrays.

Outputs and costs (L2 term l2/(2m) sum_l ||W[l]||^2 added to each):

* two classes   -> one sigmoid unit,   binary cross-entropy, y mapped to 0/1 (1, m)
* C > 2 classes -> C softmax units,    categorical cross-entropy, y mapped to labels 0..C-1 (1, m)
* regression    -> n_outputs linear units,  J = 1/(2m) sum (a - y)^2, Y = y.T (n_outputs, m)

Labels of any type (strings, ints, floats holding classes) map to 0..C-1 in the order of
``classes_`` (sorted, as ``np.unique`` gives).

A dev set. ``fit(X, y, X_dev=None, y_dev=None)``: the dev set is evaluated after every epoch
(``validation_loss_curve_``) and, with ``early_stopping=True``, watched for ``patience`` epochs
with the best epoch's weights restored. Without one, ``early_stopping=True`` holds out a seeded,
stratified ``validation_fraction`` of X. A dev set passed to ``fit`` inside a Pipeline does not go
through the Pipeline's transformers: there, prefer ``validation_fraction``.

Importing this module imports scikit-learn; ``import glassnet`` does not.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, column_or_1d, validate_data

from . import errors
from .activations import Activation, get_activation
from .backend import resolve_dtype, spawn_seed
from .data.preprocessing import train_test_split
from .errors import HyperparameterError, LabelError, NonFiniteError, RankOneArrayError, ShapeError
from .network import Network
from .optimizers import Optimizer, get_optimizer
from .training import EarlyStopping
from .validation import check_int, check_keep_prob, check_number

__all__ = ["GlassClassifier", "GlassRegressor", "NotFittedError"]

_ACTIVATION_ALIASES = {"logistic": "sigmoid", "identity": "linear"}
"""scikit-learn's MLP names for glassnet's activations."""

_PREDICT_BATCH = 4096
"""Examples per forward pass in predict: bounds the activations held in memory at once."""


class NotFittedError(errors.NotFittedError, _SklearnNotFittedError):
    """A method that needs a fitted estimator was called before ``fit``.

    Both glassnet's ``NotFittedError`` and scikit-learn's, so either ``except`` catches it.
    """


# ---------------------------------------------------------------------- helpers


def _glassnet_error(exc: ValueError, name: str) -> ValueError | None:
    """The GlassnetError for a ValueError from scikit-learn's input validation, or None to keep it."""
    text = str(exc)
    if "NaN" in text or "infinity" in text:
        return NonFiniteError(
            f"{text} Drop or impute them before fitting (for example with "
            "sklearn.impute.SimpleImputer in a Pipeline)."
        )
    if "features" in text and "expecting" in text:
        return ShapeError(f"{text} Pass {name} with the columns the estimator was fitted on.")
    if "got 1D array" in text:
        return RankOneArrayError(text)
    if "2D array" in text or "sample(s)" in text or "inconsistent numbers of samples" in text:
        return ShapeError(text)
    return None


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
        dtype="float32",
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
        """X (n_samples, n_features) as a C-contiguous array of ``dtype``; records n_features_in_ on reset."""
        try:
            return validate_data(self, X, reset=reset, dtype=dtype, order="C")
        except ValueError as exc:
            error = _glassnet_error(exc, name)
            if error is None:
                raise
            raise error from exc

    def _validate_Xy(self, X, y, *, reset: bool, dtype):
        try:
            return validate_data(self, X, y, reset=reset, dtype=dtype, order="C",
                                 multi_output=self._multi_output, y_numeric=self._y_numeric)
        except ValueError as exc:
            error = _glassnet_error(exc, "X")
            if error is None:
                raise
            raise error from exc

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
        if resolve_dtype(self.dtype) != net.dtype:
            raise HyperparameterError(
                f"the fitted network computes in {net.dtype.name} but dtype={self.dtype!r}; restore it, "
                "or set warm_start=False to start a new network"
            )
        net.l2 = check_number(self.l2, "l2", low=0.0, hint="l2 = 0 turns the L2 term off")
        net.keep_prob = check_keep_prob(self.keep_prob, net.L)
        for layer, p in zip(net.layers, net.keep_prob, strict=True):
            layer.keep_prob = p
        return net

    def _fit(self, X, y, X_dev=None, y_dev=None, *, incremental: bool = False, classes=None):
        """Shared body of fit and partial_fit: validate, build or continue the network, train it."""
        warm = _check_bool(self.warm_start, "warm_start")
        first = not hasattr(self, "network_") or not (warm or incremental)
        dtype = resolve_dtype(self.dtype) if first else self.network_.dtype
        epochs = 1 if incremental else check_int(self.epochs, "epochs")
        early_stopping = self._early_stopping()
        if incremental and early_stopping is not None:
            raise HyperparameterError(
                "partial_fit trains one epoch per call and has no dev set to stop on; set "
                "early_stopping=False, or use fit"
            )
        if (X_dev is None) != (y_dev is None):
            raise HyperparameterError("pass both X_dev and y_dev to fit, or neither")
        normalize = _check_bool(self.normalize, "normalize")
        if first and hasattr(self, "network_"):
            del self.network_  # a refit that fails leaves the estimator unfitted, not half old, half new

        X, y = self._validate_Xy(X, y, reset=first, dtype=dtype)
        Y = self._targets(y, first=first, incremental=incremental, classes=classes)
        net = self._build_network(X.shape[1], dtype) if first else self._continue_network()
        optimizer = (self._optimizer if incremental and not first and hasattr(self, "_optimizer")
                     else self._new_optimizer())

        X_train, Y_train, dev = X.T, Y, None  # the notes' layout: (n_x, m) views
        if X_dev is not None:
            Xd = self._validate_X(X_dev, reset=False, dtype=dtype, name="X_dev")
            dev = (Xd.T, self._dev_targets(y_dev, Xd.shape[0]))
        elif early_stopping is not None:
            X_train, Y_train, *dev = self._split(X.T, Y, net)

        # Continuing keeps the first fit's normalizer: the weights were learned on its scale.
        history = net.fit(
            X_train, Y_train, epochs=epochs, batch_size=self._batch_size(X_train.shape[1]),
            optimizer=optimizer, X_dev=None if dev is None else dev[0],
            Y_dev=None if dev is None else dev[1], early_stopping=early_stopping,
            normalize=normalize if first else "keep", verbose=self.verbose,
        )

        self.network_ = net
        self._optimizer = optimizer
        if first:
            self.loss_curve_, self._dev_curve = [], []
        offset = len(self.loss_curve_)
        self.loss_curve_ += history["cost"]
        self._dev_curve += history["dev_cost"]
        self.validation_loss_curve_ = (list(self._dev_curve) if any(v is not None for v in self._dev_curve)
                                       else None)
        self.n_iter_ = len(history)
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else None
        self.best_epoch_ = offset + history.best_epoch if history.best_epoch is not None else None
        self.history_ = history
        return self

    def _split(self, X, Y, net: Network):
        """Hold out ``validation_fraction`` of the columns of X (n_x, m): seeded, stratified for classes."""
        m = X.shape[1]
        f = check_number(self.validation_fraction, "validation_fraction", low=0.0, high=1.0, low_open=True,
                         high_open=True, hint="a fraction of the training samples such as 0.1")
        n_val = int(math.floor(f * m + 0.5))
        if n_val < 1 or n_val >= m:
            raise HyperparameterError(
                f"validation_fraction={f:g} of {m} samples holds out {n_val}; early stopping needs at least "
                "1 sample for validation and 1 for training: use more samples or another "
                "validation_fraction, or pass X_dev and y_dev to fit"
            )
        X_tr, Y_tr, X_va, Y_va = train_test_split(X, Y, test=n_val, stratify=self._stratify(),
                                                  seed=spawn_seed(net.rng))
        return X_tr, Y_tr, X_va, Y_va

    def fit(self, X, y, X_dev=None, y_dev=None):
        """Train a new network on X (n_samples, n_features) and y; returns self.

        ``X_dev``, ``y_dev``: an optional dev set, evaluated after every epoch and used by
        ``early_stopping`` instead of holding out ``validation_fraction`` of X. With
        ``warm_start=True`` a fitted estimator continues from its weights for ``epochs`` more epochs.
        """
        return self._fit(X, y, X_dev, y_dev)

    # ------------------------------------------------------------------ prediction
    def _output(self, X):
        """(A[L].T, Z[L].T), each (n_samples, n_y), for X (n_samples, n_features), without dropout.

        Computed in the network's dtype, returned in float64 as scikit-learn's predictions are.
        """
        self._check_fitted()
        net = self.network_
        X = self._validate_X(X, reset=False, dtype=net.dtype)
        m, n_y = X.shape[0], net.layer_dims[-1]
        A = np.empty((m, n_y), dtype=np.float64)
        Z = np.empty((m, n_y), dtype=np.float64)
        XT = X.T
        for start in range(0, m, _PREDICT_BATCH):
            stop = min(start + _PREDICT_BATCH, m)
            A[start:stop] = net.forward(XT[:, start:stop]).T
            Z[start:stop] = net.layers[-1].cache[1].T  # the cache is (A_prev, Z, A)
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
        J += l2/(2m) sum_l ||W[l]||^2, m the mini-batch size; the same number as MLP's alpha.
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
    dtype : {"float32", "float64"}, default "float32"

    Attributes
    ----------
    network_ : glassnet.Network          the trained network (its layout: X (n_x, m))
    n_features_in_ : int
    feature_names_in_ : ndarray of str   when X had string column names (a DataFrame)
    n_iter_ : int                        epochs run by the last fit (1 for partial_fit)
    loss_curve_ : list of float          training cost per epoch since the weights were initialized
    validation_loss_curve_ : list or None  dev cost per epoch (None where an epoch had no dev set)
    best_epoch_ : int                    1-based index into loss_curve_ of the lowest dev cost (the
                                         training cost without a dev set); with early stopping, the
                                         epoch whose weights were kept
    loss_ : float                        the last epoch's training cost
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
        y_dev = column_or_1d(y_dev, warn=True)
        check_consistent_length(np.empty(m_dev), y_dev)
        return self._as_Y(self._encode(y_dev, "y_dev"))

    def partial_fit(self, X, y, classes=None):
        """Train one epoch on (X, y), continuing the weights and optimizer state; returns self.

        ``classes`` (every label of the whole data set) is required on the first call, as in
        scikit-learn, because the output layer is sized from it.
        """
        return self._fit(X, y, incremental=True, classes=classes)

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
        y_dev = check_array(y_dev, ensure_2d=False, dtype=np.float64, input_name="y_dev")
        check_consistent_length(np.empty(m_dev), y_dev)
        return self._as_Y(y_dev, "y_dev")

    def partial_fit(self, X, y):
        """Train one epoch on (X, y), continuing the weights and optimizer state; returns self."""
        return self._fit(X, y, incremental=True)

    def predict(self, X):
        """A[L].T: (n_samples,) when fitted on a 1-D y, else (n_samples, n_outputs)."""
        A, _ = self._output(X)
        return A[:, 0].copy() if self._y_ndim == 1 else A

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
