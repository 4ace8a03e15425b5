"""A network's parameters: the flat vector θ and its views, and the checks of the arguments that shape them.

All parameters live in one contiguous vector θ = [W1, b1, W2, b2, ...] (each matrix in row-major order),
all gradients in another of the same layout. ``views`` cuts a vector into {name: array} views, so the
network's ``params``, its gradients and every layer's W and b are windows onto θ and dθ; ``ParameterDict``
is what ``Network.params`` hands out. ``Network``'s constructor checks its arguments here:
``layer_dims_checked``, ``activations_checked`` and ``names_checked``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .activations import Activation, get_activation
from .backend import xp
from .errors import HyperparameterError, ShapeError, UnknownParameterError
from .losses import LOSS_FOR_OUTPUT
from .validation import as_matrix, check_finite, check_in_range, check_int


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


def views(vector, shapes: dict[str, tuple[int, int]], prefix: str = "") -> dict:
    """{prefix + name: view} of consecutive windows of the flat ``vector``, one per shape, in order."""
    found, offset = {}, 0
    for name, shape in shapes.items():
        size = int(np.prod(shape))
        found[prefix + name] = vector[offset:offset + size].reshape(shape)
        offset += size
    return found


def vector_checked(theta, n_params: int, dtype):
    """``theta`` as a checked 1-D vector of ``n_params`` finite real numbers that fit ``dtype``."""
    try:
        theta = xp.asarray(theta)
    except (ValueError, TypeError) as exc:
        raise ShapeError(f"theta cannot be read as a vector of numbers ({exc}); pass a 1-D array of "
                         f"{n_params} numbers") from exc
    if theta.shape not in ((n_params,), (n_params, 1)):
        raise ShapeError(
            f"theta must have {n_params} entries (the order W1, b1, W2, b2, ...), "
            f"got shape {theta.shape}"
        )
    theta = as_matrix(theta.reshape(1, -1), "theta")  # real numbers only: text, complex, objects refused
    check_finite(theta, "theta")
    check_in_range(theta, "theta", dtype)
    return theta.reshape(-1)


# ---------------------------------------------------------------------- the constructor's arguments
def names_checked(values, name: str, count: int | None, what: str = "") -> list[str] | None:
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


def layer_dims_checked(layer_dims) -> list[int]:
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


def activations_checked(activations, hidden_activation, output_activation, layer_dims: list[int]) -> list[Activation]:
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


__all__ = ["ParameterDict", "activations_checked", "layer_dims_checked", "names_checked", "vector_checked", "views"]
