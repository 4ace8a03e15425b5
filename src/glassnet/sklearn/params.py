"""The estimators' parameters as a RunSpec, and the fit settings the spec cannot say.

``run_spec`` is the one place where an estimator's parameters become a run: every parameter the spec
holds is checked by the spec, and a refusal is said with the parameter's name (``hidden_layer_sizes``,
``random_state``, ``validation_fraction``, ``patience``), not the spec field's. What a spec cannot hold
stays an override of ``runs.fit_settings``: an Optimizer object (or config dict), an EarlyStopping with
``min_delta``, and, when a fitted network goes on training, its normalizer ("keep") and a mini-batch
order drawn from its own generator.

The estimators keep scikit-learn's MLP defaults (``glassnet.defaults`` says why); they are the
parameters' defaults, not the spec's: ``learning_rate=None`` is the optimizer's own rate (Adam 0.001),
not the run default.
"""

from __future__ import annotations

import copy
import numbers
import re

import numpy as np

from ..activations import get_activation
from ..callbacks import EarlyStopping
from ..errors import HyperparameterError
from ..optimizers import OPTIMIZERS, Optimizer, get_optimizer
from ..runs import RunSpec, SpecError, fit_settings
from ..validation import check_bool, check_int

ALIASES = {"logistic": "sigmoid", "identity": "linear"}
"""scikit-learn's MLP names for glassnet's activations."""

PARAMETER_OF_FIELD = {"layers": "hidden_layer_sizes", "seed": "random_state", "dev_fraction": "validation_fraction",
                      "leaky_alpha": "activation"}
"""The estimator's parameter for a spec field of another name (the others have the same name)."""


def seed_from(random_state) -> int:
    """The spec's seed from scikit-learn's ``random_state``.

    An int -> itself; None -> drawn from fresh entropy; a RandomState or Generator -> one draw from it.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint32)[0])
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int32).max))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        return int(random_state)
    raise HyperparameterError(
        f"random_state must be None, a non-negative int, a numpy RandomState or Generator, got "
        f"{random_state!r}; pass an int such as random_state=0 for reproducible fits"
    )


def activation_fields(activation, n_hidden: int, sizes) -> dict:
    """{"activation": "relu" or "tanh,sigmoid", "leaky_alpha": ...} from the ``activation`` parameter.

    One name (scikit-learn's logistic and identity too), an Activation such as LeakyReLU(0.2) or its
    config dict, or a sequence of those, one per hidden layer. Leaky ReLUs share one slope (the spec's).
    """
    if isinstance(activation, str | dict) or not hasattr(activation, "__len__"):
        items = [activation]
    elif len(activation) == n_hidden:
        items = list(activation)
    else:
        raise HyperparameterError(
            f"activation must be one name such as 'relu', or one per hidden layer ({n_hidden} for "
            f"hidden_layer_sizes={sizes!r}), got {activation!r}"
        )
    names, alphas = [], set()
    for item in items:
        if isinstance(item, str):
            names.append(ALIASES.get(item.strip().lower(), item))
            continue
        config = get_activation(item).config()  # an Activation or a config dict
        names.append(config["name"])
        if "alpha" in config:
            alphas.add(config["alpha"])
    if len(alphas) > 1:
        raise HyperparameterError(f"activation: the leaky ReLUs of one network share one slope, got {sorted(alphas)}")
    fields = {"activation": ",".join(names) if names else "relu"}
    return {**fields, "leaky_alpha": alphas.pop()} if alphas else fields


def optimizer_of(estimator) -> Optimizer:
    """A fresh optimizer from ``optimizer`` and ``learning_rate`` (an Optimizer object is copied, never trained).

    ``learning_rate=None`` keeps the optimizer's own rate (its default, or the object's).
    """
    given = estimator.optimizer
    return get_optimizer(copy.deepcopy(given) if isinstance(given, Optimizer) else given, estimator.learning_rate)


def run_spec(estimator, n_samples: int, dtype=None, task: str = "auto") -> RunSpec:
    """The RunSpec of an estimator's parameters for a fit on ``n_samples`` rows.

    ``dtype``: the input's float type, used when the ``dtype`` parameter is None (float64 if not given).
    The data fields say nothing of the estimator's data (it comes to ``fit`` as arrays), except
    ``dev_fraction``: the ``validation_fraction`` that early stopping holds out.
    """
    sizes = estimator.hidden_layer_sizes
    sizes = (sizes,) if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool) else sizes
    n_hidden = len(sizes) if hasattr(sizes, "__len__") and not isinstance(sizes, str) else 1
    optimizer = optimizer_of(estimator)
    early = check_bool(estimator.early_stopping, "early_stopping")
    patience = check_int(estimator.patience, "patience", hint="epochs without improvement") if early else 0
    batch = estimator.batch_size
    fields = dict(
        task=task, layers=sizes, **activation_fields(estimator.activation, n_hidden, sizes),
        dtype=estimator.dtype or (np.dtype(dtype).name if dtype is not None else "float64"),
        initializer=estimator.initializer, init_scale=estimator.init_scale, l2=estimator.l2,
        keep_prob=tuple(estimator.keep_prob) if hasattr(estimator.keep_prob, "__len__") else estimator.keep_prob,
        optimizer=optimizer.name if optimizer.name in OPTIMIZERS else "adam", learning_rate=optimizer.learning_rate,
        schedule="constant", epochs=estimator.epochs, batch_size=min(200, n_samples) if batch == "auto" else batch,
        early_stopping=patience, dev_fraction=estimator.validation_fraction,
        normalize=estimator.normalize, seed=seed_from(estimator.random_state),
    )
    try:
        return RunSpec(**fields)
    except SpecError as exc:
        raise as_parameter_error(exc) from None


def as_parameter_error(exc: SpecError) -> SpecError:
    """The spec's refusal said with the estimator's parameter names (``layers[0]`` -> ``hidden_layer_sizes[0]``)."""
    text = str(exc)
    for field, parameter in PARAMETER_OF_FIELD.items():
        text = re.sub(rf"\b{field}\b", parameter, text)
    field = exc.field.split("[")[0]
    parameter = PARAMETER_OF_FIELD.get(field, field)
    if parameter not in text:
        text = f"{parameter}: {text}"
    return SpecError(text, parameter)


def estimator_fit_settings(estimator, spec: RunSpec, optimizer: Optimizer, *, first: bool) -> dict:
    """``runs.fit_settings(spec)`` with what the spec cannot say: the optimizer object (its state goes on
    in partial_fit), early stopping with ``min_delta``; a fitted network going on keeps its normalizer
    and draws its mini-batch order from its own generator (a new order each call)."""
    settings = fit_settings(spec)
    settings["optimizer"] = optimizer
    settings["learning_rate"] = None  # the optimizer's own: the spec's, or the object's
    if spec.early_stopping and estimator.min_delta:
        settings["early_stopping"] = EarlyStopping(monitor="dev_cost", patience=spec.early_stopping,
                                                   min_delta=estimator.min_delta, restore_best=True)
    if not first:
        settings.update(normalize="keep", seed=None)
    return settings


PARAMETERS_DOC = """
    Parameters (glassnet's names; scikit-learn MLP's in brackets)
    ----------
    hidden_layer_sizes : tuple of int, default (100,)
        n[1], ..., n[L-1]; () for no hidden layer.
    activation : str or sequence, default "relu"
        One activation for every hidden layer or one per hidden layer: relu, leaky_relu, tanh,
        sigmoid (logistic), linear (identity), or a glassnet Activation such as LeakyReLU(0.2).
    initializer : {"he", "xavier", "glorot", "random", "zeros"}, default "glorot"
        The estimators start like MLPClassifier (Glorot scale), which measured 0.4-0.7 points
        better than He on scikit-learn's digits
        (``python -m pytest tests/test_sklearn.py -k accuracy``); the Network class itself defaults to He.
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
        The spec's seed (a RandomState or Generator gives one draw, None a fresh one): the
        initialization, dropout masks, mini-batch order and validation split.
    verbose : {0, 1, 2}, default 0
        1: a progress bar; 2: a line per epoch.
    warm_start : bool, default False
        fit continues from the fitted weights (same architecture and classes; l2 and keep_prob may
        change) with a fresh optimizer.
    dtype : {None, "float32", "float64"}, default None
        The dtype the network computes in. None: the input's, as scikit-learn keeps it (float32 X ->
        float32, float64 X -> float64, anything else -> float64), decided by the first fit.
        "float32" is the fast one: float64 takes 1.6-2x its time
        (``python -m bench --case mlp512-b128,mlp512-b128-f64``).

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


__all__ = ["ALIASES", "PARAMETERS_DOC", "PARAMETER_OF_FIELD", "activation_fields", "as_parameter_error",
           "estimator_fit_settings", "optimizer_of", "run_spec", "seed_from"]
