"""glassnet.exercises: check your own course functions against ``glassnet.notes`` and name the mistake.

    import glassnet.exercises as ex
    report = ex.check(linear_backward)          # or check(fn, name="linear_backward", lang="zh")
    report.passed                               # True / False
    print(report)                               # what ran, what differs, the diagnosis with the notes' formula

The course's functions with the course's signatures are covered (``names()``); each is run on the course's
published case and on generated ones (shapes, layer counts, one example, edge values, seeds), compared with the
reference, and a difference is set beside known mistakes (a missing 1/m, a rank-1 db, a transpose, ReLU's mask
from dA, the dropout mask not reused, a one-sided difference, ...) to say which one it is and where the notes
write the formula. ``helpers`` holds the course's helper functions (sigmoid, relu, ... forward_propagation_n) that
the assignments import from files that cannot be shared. This room imports ``glassnet.notes`` and NumPy only.
"""

from . import helpers
from .check import check
from .index import names
from .report import Report

TOPICS = {
    "broadcasting": ("linear_forward", "compute_cost"),
    "activations": ("sigmoid", "relu", "sigmoid_backward", "relu_backward"),
    "forward": ("linear_activation_forward", "L_model_forward"),
    "backward": ("linear_backward", "linear_activation_backward", "L_model_backward", "update_parameters"),
    "initialization": ("initialize_parameters", "initialize_parameters_deep"),
    "regularization": ("compute_cost_with_regularization", "backward_propagation_with_regularization",
                       "forward_propagation_with_dropout", "backward_propagation_with_dropout"),
    "gradient_checking": ("gradient_check_n",),
}
"""The notes' topics, one notebook each (``glassnet exercise new``), and the course functions each asks for."""

__all__ = ["TOPICS", "Report", "check", "helpers", "names"]
