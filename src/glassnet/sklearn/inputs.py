"""The estimators' boundary: scikit-learn's input checks answered as glassnet errors, the cast to the
network's dtype, and sample weights (checked by the network's own rule, ``Network.check_weights``)."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from .. import errors
from ..errors import HyperparameterError, NonFiniteError, RankOneArrayError, ShapeError
from ..validation import check_in_range

INPUT_DTYPES = (np.float64, np.float32)
"""The float dtypes kept as they come (scikit-learn's convention); anything else becomes the first."""


class NotFittedError(errors.NotFittedError, SklearnNotFittedError):
    """A method that needs a fitted estimator was called before ``fit``.

    Both glassnet's ``NotFittedError`` and scikit-learn's, so either ``except`` catches it.
    """


class DataTypeError(ShapeError, TypeError):
    """X, y or sample_weight holds data the network cannot compute on: complex or text values, Python
    objects that are not numbers, a sparse matrix.

    A ``ShapeError`` like the core's "must hold numbers" (so a ``ValueError``, what scikit-learn
    raises for complex data) and a ``TypeError`` (what NumPy raises for objects that are not numbers).
    """


def glassnet_error(exc: Exception, name: str) -> errors.GlassnetError:
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


def refuse_kind(value, name: str) -> None:
    """Refuse a sparse matrix and complex numbers in ``value`` before scikit-learn converts it."""
    if scipy.sparse.issparse(value):
        dense = value.shape[0] * value.shape[1] * 8
        raise DataTypeError(
            f"{name} is a sparse matrix ({type(value).__name__} of shape {value.shape}); the network computes on "
            f"dense arrays: pass {name}.toarray() (as float64 it takes {dense / 2**20:.3g} MiB)"
        )
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "c":
        raise glassnet_error(ValueError("Complex data not supported"), name)



def cast(X, dtype, name: str):
    """X as a C-contiguous array of ``dtype`` (None: as it is); no copy when it already is one.

    A float64 X cast to float32 is first checked to fit in float32's range (no silent infinity).
    """
    if dtype is not None and X.dtype != dtype:
        check_in_range(X, name, dtype)
    return np.ascontiguousarray(X, dtype=dtype)


def check_sample_weight(sample_weight, m: int, net) -> np.ndarray | None:
    """None, or the weights as a new float64 (m,) array, checked by ``net.check_weights`` (finite,
    non-negative, a positive sum in the network's dtype), refusals said in the estimator's words.

    A number gives every sample that weight (scikit-learn's convention).
    """
    if sample_weight is None:
        return None
    refuse_kind(sample_weight, "sample_weight")
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool | np.bool_):
        return np.full(m, float(sample_weight))
    try:
        w = np.array(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise glassnet_error(exc, "sample_weight") from exc
    if w.shape != (m,):
        hint = "; use sample_weight.ravel()" if w.size == m else ""
        raise ShapeError(f"sample_weight must have shape ({m},), one weight per row of X, got shape {w.shape}{hint}")
    try:
        net.check_weights(w.reshape(1, -1), m)
    except NonFiniteError:
        first = int(np.flatnonzero(~np.isfinite(w))[0])
        raise NonFiniteError(f"sample_weight holds {int((~np.isfinite(w)).sum())} NaN or infinite value(s), the "
                             f"first at index {first}; every weight must be a finite number >= 0") from None
    except HyperparameterError as exc:
        raise HyperparameterError(f"{exc}: {_why(w)}") from None
    return w


def _why(w: np.ndarray) -> str:
    """What the network's weight rule found in w, in the estimator's words."""
    if (w < 0).any():
        i = int(np.argmin(w))
        return (f"got {w[i]:g} at index {i}; a weight says how many times a sample counts (0 leaves it out)")
    if not (w > 0).any():
        return ("sample_weight is zero for every sample: every sample would be left out; give at least one "
                "sample a positive weight")
    return "only the weights' ratios matter"


__all__ = ["INPUT_DTYPES", "DataTypeError", "NotFittedError", "cast", "check_sample_weight", "glassnet_error",
           "refuse_kind"]
