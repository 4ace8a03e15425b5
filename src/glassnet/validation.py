"""Checks at the public boundary: arrays and hyperparameters, each failure a clear GlassnetError.

The core trusts what passes here and does not re-check in its inner loops.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .backend import xp
from .errors import HyperparameterError, NonFiniteError, RankOneArrayError, ShapeError, unknown_name


def as_matrix(array, name: str, dtype=None) -> np.ndarray:
    """``array`` as a 2-D numeric array; a rank-1 ``(m,)`` array is refused with the reshape to use."""
    if array is None:
        raise ShapeError(f"{name} is None; pass a 2-D array with one column per example")
    a = array if hasattr(array, "__array_namespace__") else np.asarray(array)
    if a.dtype.kind not in "biuf":
        raise ShapeError(f"{name} must hold numbers, got an array of dtype {a.dtype}")
    if a.ndim == 1:
        m = a.shape[0]
        raise RankOneArrayError(
            f"{name} has shape ({m},), a rank-1 array; glassnet needs (n, m) with one column per "
            f"example (the notes' advice: never use rank-1 arrays). Use {name}.reshape(1, -1) for "
            f"{m} examples of one value each, or {name}.reshape(-1, 1) for one example of {m} values"
        )
    if a.ndim != 2:
        hint = (
            f"; for images (m, H, W, C) use {name}.reshape(m, -1).T" if a.ndim > 2 else ""
        )
        raise ShapeError(f"{name} must be 2-D (n, m), got shape {a.shape}{hint}")
    if dtype is not None and a.dtype != dtype:
        a = a.astype(dtype)
    return a


def check_finite(a, name: str) -> None:
    """Refuse NaN and infinity, saying where the first one is."""
    finite = xp.isfinite(a)
    if not bool(finite.all()):
        row, col = (int(i) for i in xp.argwhere(~finite)[0])
        raise NonFiniteError(
            f"{name} holds {int((~finite).sum())} NaN or infinite value(s), the first at "
            f"[{row}, {col}] (feature {row}, example {col}); drop or impute them before training"
        )


def check_in_range(a, name: str, dtype) -> None:
    """Refuse finite values that a cast to ``dtype`` would turn into infinity (float64 beyond float32's range).

    Two passes (max and min) and a cast of one number: no copy of ``a``.
    """
    if a.dtype.kind != "f" or np.finfo(a.dtype).max <= np.finfo(dtype).max or a.size == 0:
        return
    largest = max(float(a.max()), -float(a.min()))
    with np.errstate(over="ignore"):
        overflows = bool(np.isinf(np.asarray(largest, dtype=dtype)))
    if overflows:
        raise NonFiniteError(
            f"{name} holds values up to {largest:.3g} in magnitude, beyond what {np.dtype(dtype).name} can hold "
            f"({float(np.finfo(dtype).max):.3g}): the computation would see infinity; scale the inputs (e.g. "
            f"standardize them) or use dtype='float64'"
        )


def check_number(value, name: str, *, low=None, high=None, low_open=False, high_open=False,
                 hint: str = "") -> float:
    """A finite real in the given interval, else a HyperparameterError naming the interval."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    ok = ok and math.isfinite(float(value))
    if ok:
        v = float(value)
        ok = (low is None or (v > low if low_open else v >= low)) and (
            high is None or (v < high if high_open else v <= high)
        )
    if not ok:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise HyperparameterError(
            f"{name} must be a number in {interval}, got {value!r}{'; ' + hint if hint else ''}"
        )
    return float(value)


def check_int(value, name: str, *, low: int = 1, hint: str = "") -> int:
    """An integer >= low."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise HyperparameterError(
            f"{name} must be an integer >= {low}, got {value!r}{'; ' + hint if hint else ''}"
        )
    return int(value)


def check_keep_prob(keep_prob, n_layers: int) -> list[float]:
    """keep_prob as one value per layer input: [input features, hidden 1, ..., hidden L-1].

    A single float applies to every hidden layer (the input layer is kept whole); a sequence
    must have length L = number of weight layers.
    """
    hint = "keep_prob = 1 keeps every unit (no dropout); 0.8 drops 20 %"
    if isinstance(keep_prob, Sequence) and not isinstance(keep_prob, str):
        if len(keep_prob) != n_layers:
            raise HyperparameterError(
                f"keep_prob as a sequence must have length L = {n_layers} "
                f"([input features, hidden 1, ..., hidden {n_layers - 1}]), got {len(keep_prob)}"
            )
        return [
            check_number(p, f"keep_prob[{i}]", low=0.0, high=1.0, low_open=True, hint=hint)
            for i, p in enumerate(keep_prob)
        ]
    p = check_number(keep_prob, "keep_prob", low=0.0, high=1.0, low_open=True, hint=hint)
    return [1.0] + [p] * (n_layers - 1)


def from_registry(spec, registry: dict, kind: str, base: type, example: str, overrides: dict | None = None):
    """An object from a name (``"leaky-relu"``), a config dict ``{"name": ..., **kwargs}``, or an instance.

    Names are case-insensitive and read '-' as '_'; an unknown name lists the known ones. ``overrides``
    are keyword arguments that win over a dict's own (e.g. a learning rate given separately).
    """
    if isinstance(spec, base):
        return spec
    if isinstance(spec, dict):
        kwargs = dict(spec)
        name = kwargs.pop("name", None)
    elif isinstance(spec, str):
        name, kwargs = spec, {}
    else:
        raise HyperparameterError(
            f"a {kind} must be a name ({', '.join(registry)}), a config dict or an object such as {example}, "
            f"got {spec!r}"
        )
    key = str(name).lower().replace("-", "_")
    if key not in registry:
        raise unknown_name(kind, name, list(registry))
    return registry[key](**{**kwargs, **(overrides or {})})
