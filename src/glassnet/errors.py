"""The library's exceptions: one family, each message says what was expected, what came, and the fix.

Every error raised at a public boundary is a ``GlassnetError``. The subclasses also derive from the
built-in exception a Python user would expect (``ValueError``, ``TypeError``, ``OSError``,
``MemoryError``, ``KeyError``) so that existing ``except ValueError`` code keeps working.

    GlassnetError
      ShapeError (ValueError)               RankOneArrayError
      LabelError (ValueError)
      NonFiniteError (ValueError)
      HyperparameterError (ValueError)      UnknownNameError, HyperparameterTypeError (also TypeError)
      UnknownParameterError (KeyError)
      NotFittedError (RuntimeError)
      DivergenceError (FloatingPointError)
      TooLargeError (MemoryError)
      ModelFileError (OSError)
      DatasetError (OSError)
      PathError (OSError)                   FolderBusyError
      SolutionFileError (ValueError)
      ExportError (ValueError)
      MissingDependencyError (ImportError)
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


class HyperparameterTypeError(HyperparameterError, TypeError):
    """A hyperparameter of the wrong type: a string or a float where an integer belongs, a config dict
    with a key its class does not take."""


class UnknownParameterError(GlassnetError, KeyError):
    """A parameter name (``W9``, ``b0``) that the network does not have."""

    def __str__(self) -> str:
        # KeyError's own str() shows the message quoted, as a repr; the message reads better plain.
        return str(self.args[0]) if self.args else ""


class NotFittedError(GlassnetError, RuntimeError):
    """An operation needs state that does not exist yet (a forward pass before backward, ...)."""


class DivergenceError(GlassnetError, FloatingPointError):
    """Training produced a NaN or infinite cost."""


class TooLargeError(GlassnetError, MemoryError):
    """A size that would need more memory than the machine has; refused before anything is allocated."""


class ModelFileError(GlassnetError, OSError):
    """A model or checkpoint file is missing, corrupt, truncated, foreign or of a newer format."""


class DatasetError(GlassnetError, OSError):
    """A data set file is missing, corrupt, or does not have the expected format."""


class PathError(GlassnetError, OSError):
    """A path that cannot serve its purpose: a file where a folder belongs, a folder where a file belongs."""


class FolderBusyError(PathError):
    """A folder another run writes to right now (``folderlock.FolderLock``): the message names the holder."""


class ExportError(GlassnetError, ValueError):
    """A network that cannot be written in another format (ONNX): an activation with no operator there,
    parameters that are not finite, an input pipeline or class names that do not fit the layers."""


class MissingDependencyError(GlassnetError, ImportError):
    """An optional package a feature needs is not installed; the message names the extra that installs it."""


class SolutionFileError(GlassnetError, ValueError):
    """A learner's solution file that cannot be checked: it does not run, or it defines no course function."""


class NonFiniteWarning(RuntimeWarning):
    """A result holds NaN or infinity although the inputs were finite (an overflow in the forward pass)."""


def plain(value: object) -> object:
    """A NumPy scalar as the Python value it holds, for messages: np.str_('a') -> 'a', np.float64(2.0) -> 2.0."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        return value.item()
    return value


def unknown_name(kind: str, received: object, known: list[str]) -> UnknownNameError:
    """Build the error for an unknown name, listing the names that are known."""
    return UnknownNameError(
        f"unknown {kind} {plain(received)!r}; expected one of: {', '.join(sorted(known))}"
    )
