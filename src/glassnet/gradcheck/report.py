"""The result of a gradient check: the difference, its verdict, each block, the worst entries, why.

The notes' scale for the difference ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂): at most 1e-7
correct, at most 1e-5 look closer, at most 1e-3 suspicious, above that likely a bug.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import HyperparameterError
from ..validation import check_number
from .check import verdict_for
from .hints import sweep_hint

DEFAULT_SWEEP = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
"""The ε values of ``GradCheckReport.sweep()``."""


@dataclass
class Entry:
    """One checked partial derivative: block ``name``, ``index`` in it, both values."""

    name: str
    index: tuple
    analytic: float
    numeric: float

    @property
    def difference(self) -> float:
        """|analytic − numeric|."""
        return abs(self.analytic - self.numeric)

    def __iter__(self):
        """Unpacks as (name, index, analytic, numeric)."""
        return iter((self.name, self.index, self.analytic, self.numeric))

    def label(self) -> str:
        return f"{self.name}[{', '.join(str(i) for i in self.index)}]"

    def to_dict(self) -> dict:
        return {"name": self.name, "index": list(self.index), "analytic": self.analytic,
                "numeric": self.numeric, "difference": self.difference}


@dataclass
class BlockResult:
    """The check of one block (W1, b1, ...): the difference over its checked derivatives."""

    name: str
    shape: tuple
    difference: float
    coordinates: int  # partial derivatives checked
    directions: int  # directional derivatives checked
    analytic_norm: float  # ‖analytic‖ over the checked coordinates
    numeric_norm: float

    @property
    def verdict(self) -> str:
        return verdict_for(self.difference)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def to_dict(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "difference": self.difference,
                "verdict": self.verdict, "coordinates": self.coordinates, "directions": self.directions,
                "analytic_norm": self.analytic_norm, "numeric_norm": self.numeric_norm}


@dataclass
class GradCheckReport:
    """The outcome of a gradient check: the difference, its verdict, where it comes from, and why.

    difference = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂) over every checked derivative;
    verdict by the notes' scale (≤ 1e-7 correct, ≤ 1e-5 look closer, ≤ 1e-3 suspicious, else
    likely a bug); passed = difference ≤ threshold. ``blocks`` in θ order, ``ranked()`` worst
    first, ``per_parameter`` {name: difference} worst first, ``worst`` the entries with the
    largest |analytic − numeric|, ``hints`` the patterns recognized, ``notes`` how it was checked.
    """

    difference: float
    threshold: float
    epsilon: float
    mode: str
    evaluations: int
    n_params: int
    blocks: list[BlockResult]
    worst: list[Entry]
    hints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    epsilon_sweep: dict | None = None
    seconds: float = 0.0
    sweep_evaluations: int = 0
    after_training: GradCheckReport | None = None  # the notes' second check, after some training
    _remeasure: Callable | None = field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> str:
        return verdict_for(self.difference)

    @property
    def passed(self) -> bool:
        """difference ≤ threshold (and the check after training passed too, when there is one)."""
        again = self.after_training is None or self.after_training.passed
        return bool(self.difference <= self.threshold) and again

    @property
    def n_checked(self) -> int:
        """Derivatives compared: partial derivatives plus directional derivatives."""
        return sum(b.coordinates + b.directions for b in self.blocks)

    def ranked(self) -> list[BlockResult]:
        """The blocks, worst difference first."""
        return sorted(self.blocks, key=lambda b: -b.difference if math.isfinite(b.difference) else -math.inf)

    @property
    def per_parameter(self) -> dict[str, float]:
        """{name: difference}, worst first."""
        return {b.name: b.difference for b in self.ranked()}

    def sweep(self, epsilons: Sequence[float] = DEFAULT_SWEEP) -> dict[float, float]:
        """The difference at each ε (same coordinates and directions); adds a hint reading it.

        A real bug gives a difference that stays put as ε shrinks; finite-difference error moves
        with ε: truncation falls like ε² as ε shrinks, rounding grows like 1/ε.
        """
        if self._remeasure is None:
            raise HyperparameterError(
                "this report cannot re-measure (it was rebuilt from a dict); run the check again "
                "with sweep=True"
            )
        eps = [check_number(e, "epsilons[]", low=0.0, low_open=True) for e in epsilons]
        if not eps:
            raise HyperparameterError("epsilons must hold at least one positive step, got none")
        result, used = {}, 0
        for e in sorted(eps, reverse=True):
            result[e], n = self._remeasure(e)
            used += n
        self.epsilon_sweep = result
        self.sweep_evaluations = used
        self.hints = [h for h in self.hints if not h.startswith("epsilon sweep")]
        self.hints.append(sweep_hint(result))
        return result

    def to_dict(self) -> dict:
        """A JSON-serializable summary."""
        return {
            "difference": self.difference, "verdict": self.verdict, "passed": self.passed,
            "threshold": self.threshold, "epsilon": self.epsilon, "mode": self.mode,
            "evaluations": self.evaluations, "n_params": self.n_params, "n_checked": self.n_checked,
            "per_parameter": [b.to_dict() for b in self.ranked()],
            "worst": [e.to_dict() for e in self.worst],
            "hints": list(self.hints), "notes": list(self.notes),
            "epsilon_sweep": None if self.epsilon_sweep is None
            else [[e, d] for e, d in self.epsilon_sweep.items()],
            "seconds": self.seconds, "sweep_evaluations": self.sweep_evaluations,
            "after_training": None if self.after_training is None else self.after_training.to_dict(),
        }

    def __str__(self) -> str:
        status = "passed" if self.passed else "FAILED"
        lines = [
            f"gradient check {status}: difference {self.difference:.3e} ({self.verdict}; "
            f"threshold {self.threshold:g})",
            f"mode {self.mode}: {self.n_checked:,} derivatives of {self.n_params:,} parameters, "
            f"{self.evaluations:,} cost evaluations, epsilon {self.epsilon:g}, {self.seconds:.2f} s",
            "",
            f"{'parameter':<12}{'shape':<14}{'checked':>10}  {'difference':>11}  verdict",
        ]
        for b in self.ranked():
            checked = f"{b.coordinates}" + (f"+{b.directions}v" if b.directions else "")
            lines.append(f"{b.name:<12}{str(b.shape):<14}{checked:>10}  {b.difference:>11.3e}  {b.verdict}")
        if self.worst:
            lines += ["", "largest |analytic - numeric|:"]
            width = max(len(e.label()) for e in self.worst)
            for e in self.worst:
                lines.append(f"  {e.label():<{width}}  analytic {e.analytic: .6e}  numeric {e.numeric: .6e}  "
                             f"|diff| {e.difference:.2e}")
        if self.epsilon_sweep:
            lines += ["", f"epsilon sweep ({self.sweep_evaluations:,} more cost evaluations):"]
            lines += [f"  eps {e:<8g} difference {d:.3e}  {verdict_for(d)}" for e, d in self.epsilon_sweep.items()]
        if self.hints:
            lines += ["", "hints:"] + [f"  - {h}" for h in self.hints]
        if self.notes:
            lines += ["", "notes:"] + [f"  - {n}" for n in self.notes]
        if self.after_training is not None:
            lines += ["", "and again after training (the notes: check at initialization and after some training):",
                      str(self.after_training)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"GradCheckReport(difference={self.difference:.3e}, verdict={self.verdict!r}, "
                f"passed={self.passed}, mode={self.mode!r}, evaluations={self.evaluations})")


# ---------------------------------------------------------------------------------- engine


__all__ = ["DEFAULT_SWEEP", "BlockResult", "Entry", "GradCheckReport"]
