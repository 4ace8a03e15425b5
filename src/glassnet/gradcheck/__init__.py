"""Gradient checking (梯度检验): numerical derivatives, the check of a gradient, and its report.

Rooms: ``check`` is the notes' algorithm (two-sided differences, the relative difference, the
1e-7 / 1e-5 / 1e-3 verdict, the difference per parameter); ``kinks`` sets aside the derivatives
whose ±ε steps cross a ReLU kink (read from Z at θ ± ε); ``floor`` measures the noise floor of the
two-sided difference (rounding ≈ eps·|J|/ε, truncation ε²·|f'''|/6), below which a difference is
"at the noise floor", not a bug; ``fast`` picks what to compare for large networks; ``hints``
reads the patterns a wrong gradient leaves; ``report`` holds the result and its ε sweep; ``run``
runs a check on any function; ``network_check`` checks a network by the notes' rules (L2
included, dropout off, again after training).
"""

from .check import BUG_VERDICTS, NOISE_FLOOR, VERDICT_SCALE, numerical_derivative, relative_difference, verdict_for
from .fast import AUTO_EXACT_LIMIT
from .network_check import gradient_check
from .report import DEFAULT_SWEEP, NOT_JUDGED, BlockResult, Entry, GradCheckReport, SetAside
from .run import check_gradients

__all__ = [
    "AUTO_EXACT_LIMIT", "BUG_VERDICTS", "DEFAULT_SWEEP", "NOISE_FLOOR", "NOT_JUDGED", "VERDICT_SCALE", "BlockResult",
    "Entry", "GradCheckReport", "SetAside", "check_gradients", "gradient_check", "numerical_derivative",
    "relative_difference", "verdict_for",
]
