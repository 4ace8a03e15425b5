"""The library's exceptions: one family, each message says what was expected, what came, and the fix.

Every error raised at a public boundary is a ``GlassnetError``. The subclasses also derive from the
built-in exception a Python user would expect (``ValueError``, ``TypeError``, ``OSError``) so that
existing ``except ValueError`` code keeps working.
"""

from __future__ import annotations


class GlassnetError(Exception):
    """Base class of every error glassnet raises on purpose."""


class ShapeError(GlassnetError, ValueError):
    """An array has the wrong number of dimensions or the wrong shape."""


class RankOneArrayError(ShapeError):
    """A rank-1 ``(m,)`` array reached a boundary that needs ``(n, m)`` (the notes' warning)."""


class LabelError(GlassnetError, ValueError):
    """Labels do not fit the output layer (values outside {0, 1}, classes out of range, ...)."""


class NonFiniteError(GlassnetError, ValueError):
    """An input holds NaN or infinity."""


class HyperparameterError(GlassnetError, ValueError):
    """A hyperparameter is out of its range or of the wrong type."""


class UnknownNameError(HyperparameterError):
    """A name (activation, initializer, optimizer, ...) is not one the library knows."""


class NotFittedError(GlassnetError, RuntimeError):
    """An operation needs state that does not exist yet (a forward pass before backward, ...)."""


class DivergenceError(GlassnetError, FloatingPointError):
    """Training produced a NaN or infinite cost."""


class ModelFileError(GlassnetError, OSError):
    """A model or checkpoint file is missing, corrupt, truncated, foreign or of a newer format."""


class DatasetError(GlassnetError, OSError):
    """A data set file is missing, corrupt, or does not have the expected format."""


def unknown_name(kind: str, received: object, known: list[str]) -> UnknownNameError:
    """Build the error for an unknown name, listing the names that are known."""
    return UnknownNameError(
        f"unknown {kind} {received!r}; expected one of: {', '.join(sorted(known))}"
    )
