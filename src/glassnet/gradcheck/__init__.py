"""Gradient checking (梯度检验): numerical derivatives, the check of a gradient, and its report.

Rooms: ``check`` is the notes' algorithm (two-sided differences, the relative difference, the
1e-7 / 1e-5 / 1e-3 verdict, the difference per parameter); ``fast`` picks what to compare for
large networks; ``hints`` reads the patterns a wrong gradient leaves; ``report`` holds the result
and its ε sweep; ``run`` runs a check on any function; ``network_check`` checks a network by
the notes' rules (L2 included, dropout off, again after training).
"""

from .check import VERDICT_SCALE, numerical_derivative, relative_difference, verdict_for
from .fast import AUTO_EXACT_LIMIT
from .network_check import gradient_check
from .report import DEFAULT_SWEEP, BlockResult, Entry, GradCheckReport
from .run import check_gradients

__all__ = [
    "AUTO_EXACT_LIMIT", "DEFAULT_SWEEP", "VERDICT_SCALE", "BlockResult", "Entry", "GradCheckReport",
    "check_gradients", "gradient_check", "numerical_derivative", "relative_difference", "verdict_for",
]
