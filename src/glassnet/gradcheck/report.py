"""The result of a gradient check: the difference, its verdict, each block, the worst entries, why.

The notes' scale for the difference ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂): at most 1e-7
correct, at most 1e-5 look closer, at most 1e-3 suspicious, above that likely a bug. Two things
are not judged on it: derivatives whose ±ε evaluations cross a ReLU kink (set aside, each with its
reason), and a difference within the noise floor of the two-sided difference ("at the noise
floor": what a correct gradient shows there, with what to do to see further).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import HyperparameterError
from ..validation import check_number
from .check import BUG_VERDICTS, NOISE_FLOOR, verdict_for
from .hints import sweep_hint

NOT_JUDGED = "not judged"
"""The verdict when every checked derivative was set aside (each crossed a ReLU kink)."""

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
    floor: float = 0.0  # the difference rounding and truncation alone can give this block (0: not estimated)
    set_aside: int = 0  # derivatives of this block set aside (their ±ε evaluations cross a kink)

    @property
    def verdict(self) -> str:
        return verdict_for(self.difference, self.floor)

    @property
    def beyond_floor(self) -> bool:
        """A difference above 1e-7 that the noise floor does not explain."""
        return self.verdict not in ("correct", NOISE_FLOOR)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def to_dict(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "difference": self.difference,
                "verdict": self.verdict, "coordinates": self.coordinates, "directions": self.directions,
                "analytic_norm": self.analytic_norm, "numeric_norm": self.numeric_norm,
                "noise_floor": self.floor, "set_aside": self.set_aside}


@dataclass
class SetAside:
    """A derivative measured but not judged: ``where`` (W1[0, 2], or a block's direction), both values, why."""

    where: str
    analytic: float
    numeric: float
    reason: str

    def to_dict(self) -> dict:
        return {"where": self.where, "analytic": self.analytic, "numeric": self.numeric, "reason": self.reason}


@dataclass
class GradCheckReport:
    """The outcome of a gradient check: the difference, its verdict, where it comes from, and why.

    difference = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂) over every judged derivative;
    verdict by the notes' scale (≤ 1e-7 correct, ≤ 1e-5 look closer, ≤ 1e-3 suspicious, else
    likely a bug), except "at the noise floor" when the difference is within ``noise_floor`` (and
    every block within its own), and "not judged" when every derivative was set aside.
    passed = difference ≤ threshold; failed = a verdict that calls the gradient wrong
    ("suspicious", "likely a bug") above the threshold; neither: look closer, at the noise floor,
    not judged. ``set_aside`` the derivatives whose ±ε evaluations cross a ReLU kink, each with
    its reason; ``blocks`` in θ order, ``ranked()`` worst first, ``per_parameter`` {name:
    difference} worst first, ``worst`` the judged entries with the largest |analytic − numeric|,
    ``hints`` the patterns recognized, ``notes`` how it was checked.
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
    noise_floor: float = 0.0  # the difference rounding and truncation alone can give (0: not estimated)
    set_aside: list[SetAside] = field(default_factory=list)
    sweep_floors: dict | None = None  # ε -> the noise floor at that ε
    floor_evaluations: int = 0  # of ``evaluations`` and ``sweep_evaluations``, those that measured the noise floor
    _remeasure: Callable | None = field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> str:
        if self.set_aside and self.n_checked == 0:
            return NOT_JUDGED
        word = verdict_for(self.difference, self.noise_floor)
        if word == NOISE_FLOOR and any(b.beyond_floor for b in self.blocks):
            return verdict_for(self.difference)
        return word

    @property
    def passed(self) -> bool:
        """difference ≤ threshold over at least one judged derivative (and the check after training passed)."""
        again = self.after_training is None or self.after_training.passed
        judged = self.n_checked > 0 or not self.set_aside
        return bool(self.difference <= self.threshold) and judged and again

    @property
    def failed(self) -> bool:
        """The gradient is called wrong: "suspicious" or "likely a bug" above the threshold (here or after training)."""
        here = self.verdict in BUG_VERDICTS and not self.difference <= self.threshold
        return here or (self.after_training is not None and self.after_training.failed)

    @property
    def status(self) -> str:
        """"passed", "FAILED", or the verdict that is neither (look closer, at the noise floor, not judged)."""
        return "passed" if self.passed else "FAILED" if self.failed else self.verdict

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
        result, floors, used = {}, {}, 0
        for e in sorted(eps, reverse=True):
            result[e], floors[e], n, for_floor = self._remeasure(e)
            used += n
            self.floor_evaluations += for_floor
        self.epsilon_sweep = result
        self.sweep_floors = floors
        self.sweep_evaluations = used
        self.hints = [h for h in self.hints if not h.startswith("epsilon sweep")]
        self.hints.append(sweep_hint(result, floors))
        return result

    def to_dict(self) -> dict:
        """A JSON-serializable summary."""
        return {
            "difference": self.difference, "verdict": self.verdict, "passed": self.passed,
            "failed": self.failed, "noise_floor": self.noise_floor,
            "set_aside": [s.to_dict() for s in self.set_aside],
            "threshold": self.threshold, "epsilon": self.epsilon, "mode": self.mode,
            "evaluations": self.evaluations, "n_params": self.n_params, "n_checked": self.n_checked,
            "per_parameter": [b.to_dict() for b in self.ranked()],
            "worst": [e.to_dict() for e in self.worst],
            "hints": list(self.hints), "notes": list(self.notes),
            "epsilon_sweep": None if self.epsilon_sweep is None
            else [[e, d] for e, d in self.epsilon_sweep.items()],
            "sweep_floors": None if self.sweep_floors is None else [[e, f] for e, f in self.sweep_floors.items()],
            "seconds": self.seconds, "sweep_evaluations": self.sweep_evaluations,
            "floor_evaluations": self.floor_evaluations,
            "after_training": None if self.after_training is None else self.after_training.to_dict(),
        }

    def __str__(self) -> str:
        floor = f"; noise floor {self.noise_floor:.1e}" if self.noise_floor else ""
        aside = f", {len(self.set_aside):,} set aside at ReLU kinks" if self.set_aside else ""
        verdict = "" if self.status == self.verdict else f"{self.verdict}; "
        lines = [
            f"gradient check {self.status}: difference {self.difference:.3e} ({verdict}threshold {self.threshold:g}"
            f"{floor})",
            f"mode {self.mode}: {self.n_checked:,} derivatives of {self.n_params:,} parameters{aside}, "
            f"{self.evaluations:,} cost evaluations, epsilon {self.epsilon:g}, {self.seconds:.2f} s",
            "",
            f"{'parameter':<12}{'shape':<14}{'checked':>10}  {'difference':>11}  verdict",
        ]
        for b in self.ranked():
            checked = f"{b.coordinates}" + (f"+{b.directions}v" if b.directions else "")
            lines.append(f"{b.name:<12}{str(b.shape):<14}{checked:>10}  {b.difference:>11.3e}  {b.verdict}"
                         + (f" (floor {b.floor:.1e})" if b.verdict == NOISE_FLOOR else ""))
        if self.worst:
            lines += ["", "largest |analytic - numeric|:"]
            width = max(len(e.label()) for e in self.worst)
            for e in self.worst:
                lines.append(f"  {e.label():<{width}}  analytic {e.analytic: .6e}  numeric {e.numeric: .6e}  "
                             f"|diff| {e.difference:.2e}")
        lines += self._set_aside_lines() + self._sweep_lines()
        if self.hints:
            lines += ["", "hints:"] + [f"  - {h}" for h in self.hints]
        if self.notes:
            lines += ["", "notes:"] + [f"  - {n}" for n in self.notes]
        if self.after_training is not None:
            lines += ["", "and again after training (the notes: check at initialization and after some training):",
                      str(self.after_training)]
        return "\n".join(lines)

    def _set_aside_lines(self, shown: int = 5) -> list[str]:
        if not self.set_aside:
            return []
        lines = ["", f"set aside, not judged ({len(self.set_aside):,}: their ±ε evaluations cross a ReLU kink, where "
                 "the two-sided difference is not the derivative):"]
        lines += [f"  {s.where}  analytic {s.analytic: .6e}  numeric {s.numeric: .6e}  {s.reason}"
                  for s in self.set_aside[:shown]]
        if len(self.set_aside) > shown:
            lines.append(f"  ... and {len(self.set_aside) - shown:,} more (report.set_aside, to_dict()['set_aside'])")
        return lines

    def _sweep_lines(self) -> list[str]:
        if not self.epsilon_sweep:
            return []
        floors = self.sweep_floors or {}
        lines = ["", f"epsilon sweep ({self.sweep_evaluations:,} more cost evaluations):"]
        for e, d in self.epsilon_sweep.items():
            f = floors.get(e, 0.0)
            lines.append(f"  eps {e:<8g} difference {d:.3e}  {verdict_for(d, f)}" + (f" (floor {f:.1e})" if f else ""))
        return lines

    def _repr_html_(self) -> str:
        """The report as a notebook shows it: its status in colour, the text of ``str(report)`` below."""
        from ..display import block, pre

        color = "#1a7f37" if self.passed else "#cf222e" if self.failed else "#9a6700"
        return block(f"gradient check {self.status}: difference {self.difference:.3e}", pre(str(self)), color=color)

    def __repr__(self) -> str:
        return (f"GradCheckReport(difference={self.difference:.3e}, verdict={self.verdict!r}, "
                f"passed={self.passed}, mode={self.mode!r}, evaluations={self.evaluations})")


# ---------------------------------------------------------------------------------- engine


__all__ = ["DEFAULT_SWEEP", "NOT_JUDGED", "BlockResult", "Entry", "GradCheckReport", "SetAside"]
