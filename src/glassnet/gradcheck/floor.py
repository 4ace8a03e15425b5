"""The noise floor of the two-sided difference: how far a correct gradient's dθ_approx may be off.

Besides any bug, dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε) carries two errors:

    rounding     (δ₊ − δ₋) / (2ε)          δ: the rounding error of one evaluation of J, ≈ eps·|J|
    truncation   ε²·f'''/6 + O(ε⁴)         f''': the third derivative of J along e_i

so each derivative may be off by   floor_i(ε) = MARGIN · (σ / (2ε) + t_i(ε)),   σ the spread of
δ₊ − δ₋ (eps = 2.2e-16 in float64) and t_i the truncation.

σ is at least 2·eps·|J|, and is measured: at PROBES judged coordinates i (one per block at least),
with a step h = min(ε, 1e-7)/1000 far below ε,

    J(θ + h e_i) − J(θ − h e_i) − 2h·dθ[i]

is rounding alone (plus h/ε ≤ 1/1000 of any bug: too little to hide one); σ is their RMS. The
measurement matters: a small J made of larger terms (a linear output near its targets, J ≈ 3e-4
from a ≈ y ≈ 1) rounds like its terms, up to 50 times eps·|J|. A J that changes between two
evaluations at the same θ (dropout masks not fixed) has no floor: its disagreement is judged as it is.

t_i, where ε > 1e-6, by Richardson: the same derivatives once more at ε/2, and

    t_i(ε) = ε²·|f'''|/6 ≈ (4/3)·|dθ_approx[i](ε) − dθ_approx[i](ε/2)|

(the ε² terms are ε²f'''/6 and ε²f'''/24; their difference is ε²f'''/8; no dθ in it, so no bug
either). At ε ≤ 1e-6 the term is left out: ε²·|f'''|/6 < 2e-13·|f'''| stays under the rounding
term eps·|J|/ε > 2e-10·|J| unless |f'''| > 1e3·|J|.

The floor of a set of derivatives, in the units of the notes' difference:
    floor = ‖floor_i‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)
A difference at or below it is what a correct gradient shows at this θ and ε: "at the noise floor".
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import make_rng
from .check import Evaluator, Measurement, measure
from .fast import Block, Plan

__all__ = ["MARGIN", "NoiseFloor", "floor_advice"]

EPS = float(np.finfo(np.float64).eps)
MARGIN = 4.0
"""How many times the estimated error a correct derivative may show (the estimate is rough)."""
PROBES = 8
"""Coordinates (at least one per block) whose tiny two-sided steps measure the rounding of J."""
PROBE_STEP = 1e-3
"""h = PROBE_STEP · min(ε, 1e-7): the probes' step, so small that J moves by h·dθ[i] and rounding only."""
TRUNCATION_FROM = 1e-6
"""ε above which the truncation term is measured (Richardson, at ε/2)."""
ROUNDING_CAP = 1e4
"""A measured spread above ROUNDING_CAP · eps · max(|J|, 1) is not rounding (the cost is noisy): not used."""


class NoiseFloor:
    """The floor of the check at θ0, measured on demand with the check's own evaluator and plan.

    ``per_entry(ε, measured, keep)``: per block, how far each judged derivative may be off at ε.
    ``candidates``: per block, the judged coordinates (where the rounding probes may step).
    """

    def __init__(self, ev: Evaluator, analytic: np.ndarray, blocks: list[Block], plan: Plan, candidates, seed=0):
        self.ev, self.analytic, self.blocks, self.plan, self.seed = ev, analytic, blocks, plan, seed
        self.candidates = candidates
        self.sigma: float | None = None
        self.measured = 0.0  # the probes' spread (0 when not usable)
        self.deterministic = True
        self.noisy = False  # the probes saw more than rounding
        self.truncation: dict[float, float] = {}  # ε -> the largest t_i
        self.evaluations = 0

    def rounding(self, epsilon: float) -> float:
        """σ: the spread of J(θ + ·) − J(θ − ·) from rounding (measured once, h = min(ε, 1e-7)/1000)."""
        if self.sigma is None:
            before = self.ev.evaluations
            self.measured = self._probe(PROBE_STEP * min(epsilon, 1e-7))
            self.evaluations += self.ev.evaluations - before
            self.sigma = max(2.0 * EPS * abs(self.ev.J0 or 0.0), self.measured)
        return self.sigma

    def _probe(self, h: float) -> float:
        ev = self.ev
        if ev() != ev.J0:  # J at θ0 once more: a cost that changes has no floor
            self.deterministic = False
            return 0.0
        residuals = []
        for b, j in self._probe_coordinates():
            plus = ev.at_coordinate(b, j, h)
            crossed = ev.crossed
            minus = ev.at_coordinate(b, j, -h)
            if crossed is None and ev.crossed is None:
                residuals.append(plus - minus - 2 * h * float(self.analytic[self.blocks[b].start + j]))
        spread = math.sqrt(sum(r * r for r in residuals) / len(residuals)) if residuals else 0.0
        if spread > ROUNDING_CAP * EPS * max(abs(ev.J0), 1.0):
            self.noisy = True
            return 0.0
        return spread

    def _probe_coordinates(self) -> list[tuple[int, int]]:
        """Judged coordinates to probe: one random one per block, then round robin up to PROBES in all."""
        rng = make_rng(self.seed)
        pools = [list(rng.permutation(np.asarray(c))) for c in self.candidates]
        chosen = [(b, int(pool.pop())) for b, pool in enumerate(pools) if pool]  # every block once
        while any(pools) and len(chosen) < PROBES:
            for b, pool in enumerate(pools):
                if pool and len(chosen) < PROBES:
                    chosen.append((b, int(pool.pop())))
        return chosen

    def _truncations(self, epsilon: float, measured: Measurement) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """t_i(ε) ≈ (4/3)·|dθ_approx(ε) − dθ_approx(ε/2)| for every measured derivative (0 at ε ≤ 1e-6)."""
        if epsilon <= TRUNCATION_FROM:
            return ([np.zeros(p.size) for p in measured.partials], [np.zeros(d.size) for d in measured.directional])
        before = self.ev.evaluations
        half = measure(self.ev, self.plan, epsilon / 2)
        self.evaluations += self.ev.evaluations - before
        crossed = half.masks()  # where ε/2 crosses a kink the estimate says nothing: 0 there

        def t(a, b, keep):
            return np.where(keep & np.isfinite(b), 4.0 / 3.0 * np.abs(a - b), 0.0)

        parts = ([t(a, b, k) for a, b, k in zip(measured.partials, half.partials, crossed[0], strict=True)],
                 [t(a, b, k) for a, b, k in zip(measured.directional, half.directional, crossed[1], strict=True)])
        self.truncation[epsilon] = max((float(x.max(initial=0.0)) for group in parts for x in group), default=0.0)
        return parts

    def per_entry(self, epsilon: float, measured: Measurement, keep) -> list[np.ndarray]:
        """floor_i(ε) = MARGIN · (σ / (2ε) + t_i(ε)) per block over its judged derivatives (0: J not deterministic)."""
        sigma = self.rounding(epsilon)
        t_p, t_d = self._truncations(epsilon, measured)
        if not self.deterministic:
            return [np.zeros(int(kp.sum() + kd.sum())) for kp, kd in zip(*keep, strict=True)]
        return [MARGIN * (sigma / (2 * epsilon) + np.concatenate([tp[kp], td[kd]]))
                for tp, td, kp, kd in zip(t_p, t_d, *keep, strict=True)]


def floor_advice(floor: NoiseFloor, epsilon: float, difference: float, floor_difference: float,
                 analytic_norm: float) -> str:
    """What "at the noise floor" means here and what to do: another ε, other examples, an earlier check."""
    rounding = floor.rounding(epsilon) / (2 * epsilon)
    truncation = floor.truncation.get(epsilon, 0.0)
    J0 = floor.ev.J0 or 0.0
    how = (f"{floor.measured / (EPS * max(abs(J0), 1e-300)):.0f}·eps·|J|, measured by {PROBES} tiny steps"
           if floor.measured > 2 * EPS * abs(J0) else "2·eps·|J|, eps = 2.2e-16")
    head = (f"at the noise floor: the difference {difference:.2e} is within what finite differences alone give this "
            f"gradient ({floor_difference:.2e}), so it says nothing about backprop: not a bug, and not a pass. ")
    if truncation > rounding:
        return head + (f"ε = {epsilon:g} is too large: each dθ_approx[i] is off by up to {truncation:.1e} from "
                       "truncation (ε²|f'''|/6, measured against ε/2); the two-sided difference is not the "
                       "derivative there. Use a smaller ε: 1e-7 in float64 (the notes' choice), 1e-5 near a minimum")
    return head + (f"‖dθ‖ = {analytic_norm:.1e} is small next to the rounding each dθ_approx[i] carries, about "
                   f"{rounding:.1e} (J = {J0:.4g} is known to {how}, divided by 2ε). To see further: another ε "
                   "(rounding falls like 1/ε, truncation grows like ε²: try 1e-5, or sweep=True), other examples "
                   "(a batch the network has not fitted), or check before convergence (at initialization or early "
                   "in training), where the gradient is larger")
