"""Checks at the public boundary: arrays and hyperparameters, each failure a clear GlassnetError.

The core trusts what passes here and does not re-check in its inner loops.
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .backend import xp
from .errors import (
    HyperparameterError,
    HyperparameterTypeError,
    NonFiniteError,
    PathError,
    RankOneArrayError,
    ShapeError,
    TooLargeError,
    plain,
    unknown_name,
)
from .initializers import weight_std


def as_matrix(array, name: str, dtype=None) -> np.ndarray:
    """``array`` as a 2-D numeric array; a rank-1 ``(m,)`` array is refused with the reshape to use.

    The result is a plain NumPy array in native byte order: a matrix subclass would turn ``*`` into a
    matrix product, and an explicit byte order ('<f8' from scipy.io.loadmat or h5py) is not a format
    the compiled kernels read.
    """
    if array is None:
        raise ShapeError(f"{name} is None; pass a 2-D array with one column per example")
    a = _plain_array(array, name)
    if a.dtype.kind not in "biuf":
        what = "text" if a.dtype.kind in "USa" else "complex numbers" if a.dtype.kind == "c" else f"dtype {a.dtype}"
        raise ShapeError(
            f"{name} must hold real numbers, got an array of {what}; convert it, e.g. {name}.astype(float), "
            f"after encoding text columns as numbers"
        )
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
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))  # big-endian data on a little-endian machine: one swap
    elif a.dtype.byteorder not in "=|":
        a = a.view(a.dtype.newbyteorder("="))  # '<f8' here is float64 spelled out: a free relabel
    if dtype is not None and a.dtype != dtype:
        a = a.astype(dtype)
    return a


def _plain_array(array, name: str) -> np.ndarray:
    """A NumPy ndarray (not a subclass) of ``array``; ragged nesting and sparse matrices are refused."""
    if type(array) is np.ndarray:
        return array
    if hasattr(array, "tocsr") or hasattr(array, "todense"):
        raise ShapeError(
            f"{name} is a sparse matrix ({type(array).__name__}); glassnet computes on dense arrays: pass "
            f"{name}.toarray() if it fits in memory"
        )
    try:
        return np.asarray(array)
    except (ValueError, TypeError) as exc:
        raise ShapeError(
            f"{name} cannot be read as a 2-D array of numbers: its rows have different lengths or it holds "
            f"something other than numbers ({exc}); pass a rectangular array, e.g. np.array(rows) with equal rows"
        ) from exc


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


def _is_real(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _as_float(value) -> float:
    """float(value), with an integer beyond float's range (10**400, which JSON can carry) as +-inf."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def check_number(value, name: str, *, low=None, high=None, low_open=False, high_open=False,
                 hint: str = "") -> float:
    """A finite real in the given interval, else a HyperparameterError naming the interval.

    A value that is not a real number at all (a string, None, a list) raises HyperparameterTypeError,
    which is also a TypeError.
    """
    v = _as_float(value) if _is_real(value) else math.nan
    ok = math.isfinite(v)
    if ok:
        ok = (low is None or (v > low if low_open else v >= low)) and (
            high is None or (v < high if high_open else v <= high)
        )
    if not ok:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        error = HyperparameterError if _is_real(value) else HyperparameterTypeError
        raise error(f"{name} must be a number in {interval}, got {plain(value)!r}{'; ' + hint if hint else ''}")
    return v


def check_int(value, name: str, *, low: int = 1, high: int | None = None, hint: str = "") -> int:
    """An integer in [low, high]: a float (even 2.0), a string or a bool raises HyperparameterTypeError.

    Python's own ``range`` refuses a float step; so do we, rather than guessing how to round 2.5.
    """
    interval = f">= {low}" if high is None else f"in [{low}, {high}]"
    suffix = f"{'; ' + hint if hint else ''}"
    shown = plain(value)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        fix = f" (use int({shown!r}) if you mean it)" if _is_real(value) and float(value).is_integer() else ""
        raise HyperparameterTypeError(f"{name} must be an integer {interval}, got {shown!r}{fix}{suffix}")
    if value < low or (high is not None and value > high):
        raise HyperparameterError(f"{name} must be an integer {interval}, got {shown!r}{suffix}")
    return int(value)


def check_bool(value, name: str) -> bool:
    """True or False (NumPy's np.bool_ too); 1, "yes" or None raise HyperparameterTypeError."""
    if not isinstance(value, bool | np.bool_):
        raise HyperparameterTypeError(f"{name} must be True or False, got {plain(value)!r}")
    return bool(value)


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

    Names are case-insensitive and read '-' as '_'; an unknown name lists the known ones. A config
    dict's other keys must be parameters of the named class: an unknown key is refused with the
    accepted ones. ``overrides`` are keyword arguments that win over a dict's own (e.g. a learning
    rate given separately).
    """
    if isinstance(spec, base):
        return spec
    if isinstance(spec, dict):
        kwargs = dict(spec)
        if "name" not in kwargs:
            raise HyperparameterError(
                f"the config dict of a {kind} needs a 'name' key, e.g. {{'name': {next(iter(registry))!r}}}, "
                f"got {spec!r}"
            )
        name = kwargs.pop("name")
    elif isinstance(spec, str):
        name, kwargs = spec, {}
    else:
        raise HyperparameterTypeError(
            f"a {kind} must be a name ({', '.join(registry)}), a config dict or an object such as {example}, "
            f"got {spec!r}"
        )
    key = name.lower().replace("-", "_") if isinstance(name, str) else None
    if key not in registry:
        raise unknown_name(kind, name, list(registry))
    cls = registry[key]
    check_config_keys(cls, kwargs, f"{kind} {key!r}")
    return cls(**{**kwargs, **(overrides or {})})


def check_config_keys(cls: type, kwargs: dict, what: str) -> None:
    """Refuse keys of a config dict that ``cls(...)`` does not take, listing those it does."""
    parameters = inspect.signature(cls).parameters.values()
    if any(p.kind == p.VAR_KEYWORD for p in parameters):
        return
    accepted = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        takes = f"it takes {', '.join(map(repr, accepted))} (and 'name')" if accepted else "it takes only 'name'"
        raise HyperparameterTypeError(f"the {what} has no parameter {unknown[0]!r}; {takes}")


# ---------------------------------------------------------------------- sizes and paths


def memory_limit() -> int:
    """Bytes of memory this process can have at most: the machine's RAM, or the container's limit if lower."""
    limit = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 1 << 62
    for cgroup in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(cgroup).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            limit = min(limit, int(text))
    return int(limit)


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.3g} PiB"  # pragma: no cover - the loop returns


def check_memory(n_bytes: float, what: str, fix: str) -> None:
    """Refuse, before allocating, a size that needs more memory than this machine has."""
    limit = memory_limit()
    if n_bytes > limit:
        raise TooLargeError(
            f"{what} would need {format_bytes(n_bytes)} of memory, more than this machine has "
            f"({format_bytes(limit)}); {fix}"
        )


def check_buildable(layer_dims: list[int], dtype, initializer: str, init_scale: float, l2: float = 0.0) -> None:
    """Refuse a network that cannot be built: more memory than the machine has, infinite initial weights, or
    an L2 strength whose term overflows.

    Memory: the flat parameter and gradient vectors (2 P numbers of the dtype) and the float64 draw of the
    largest W. Weights: a draw of std * N(0, 1) stays below 10 std (a larger draw has odds under 1e-22), so
    std * 10 must be finite in the dtype. L2: the gradient term (l2/m) W is computed in the dtype; below
    sqrt(largest) it stays finite for every weight below sqrt(largest) too (1.8e19 in float32).
    """
    dtype = np.dtype(dtype)
    ceiling = math.sqrt(float(np.finfo(dtype).max))
    if l2 >= ceiling:
        raise HyperparameterError(
            f"l2={l2!r} is too large for {dtype.name}: the L2 gradient term (l2/m) W would overflow to infinity "
            f"(l2 must stay below {ceiling:.3g}); usual values are 0 to 10"
        )
    pairs = list(zip(layer_dims[:-1], layer_dims[1:], strict=True))
    n_params = sum(n * n_prev + n for n_prev, n in pairs)
    largest_W = max(n * n_prev for n_prev, n in pairs)
    check_memory(
        2 * n_params * dtype.itemsize + 8 * largest_W,
        f"Network(layer_dims={list(layer_dims)}) has {n_params:,} parameters ({dtype.name}); its parameters "
        f"and gradients",
        "use smaller layers",
    )
    biggest = float(np.finfo(dtype).max)
    for l, (n_prev, n) in enumerate(pairs, start=1):
        std = weight_std(initializer, n_prev, n, init_scale)
        if std * 10 > biggest:
            largest_scale = biggest / (10 * weight_std(initializer, n_prev, n, 1.0))
            raise HyperparameterError(
                f"init_scale={init_scale!r} gives the {initializer!r} weights of layer {l} a standard deviation "
                f"of {std:.3g}: some would be infinite in {dtype.name} (largest {biggest:.3g}); use "
                f"init_scale below {largest_scale:.3g} (the notes' large-weights experiment uses 10)"
            )


def check_folder(path, name: str) -> Path:
    """A folder path to write into: refused when it names an existing file (or is not a path at all)."""
    if not isinstance(path, str | os.PathLike) or str(path) == "":
        raise HyperparameterTypeError(f"{name} must be a folder path (str or pathlib.Path), got {path!r}")
    folder = Path(path)
    for part in (folder, *folder.parents):
        if part.exists():
            if not part.is_dir():
                raise PathError(
                    f"{name}={str(path)!r} cannot be a folder: {str(part)!r} is a file; pass a folder path "
                    f"(it is created if missing)"
                )
            break
    return folder
