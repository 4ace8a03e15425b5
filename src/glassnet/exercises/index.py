"""Every exercise, in the order of the notes: ``get(name)`` and ``names()``.

Loading this module loads the three modules that define the exercises (each registers its own).
"""

from __future__ import annotations

from ..errors import UnknownNameError
from . import backward, forward, regularization  # noqa: F401  (each registers its exercises)
from .catalog import REGISTRY, Exercise

ORDER = ("sigmoid", "relu", "sigmoid_backward", "relu_backward", "initialize_parameters", "initialize_parameters_deep",
         "linear_forward", "linear_activation_forward", "L_model_forward", "compute_cost", "linear_backward",
         "linear_activation_backward", "L_model_backward", "update_parameters", "compute_cost_with_regularization",
         "backward_propagation_with_regularization", "forward_propagation_with_dropout",
         "backward_propagation_with_dropout", "gradient_check_n")


def names() -> list[str]:
    """The course's function names that can be checked, in the order of the notes."""
    return [name for name in ORDER if name in REGISTRY]


def get(name: str) -> Exercise:
    """The exercise of a course function name; an unknown name lists the known ones."""
    if name not in REGISTRY:
        raise UnknownNameError(f"no exercise named {name!r} (the name argument, or the function's __name__); "
                               f"expected one of: {', '.join(names())}. Pass name='<course name>' to check a "
                               "function under another name")
    return REGISTRY[name]


__all__ = ["ORDER", "get", "names"]
