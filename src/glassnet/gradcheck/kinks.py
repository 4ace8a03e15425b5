"""Kinks: which checked derivatives step across a ReLU kink, read from the pre-activations Z.

ReLU g(z) = max(0, z) and Leaky ReLU g(z) = max(αz, z) have a kink at z = 0, where g' jumps
(from 0 or α to 1). Backprop uses one side of it (g'(z) = 1 for z > 0, else 0 or α). The two-sided
difference

    (J(θ + ε e_i) − J(θ − ε e_i)) / (2ε)

is the derivative only if J is smooth on the segment [θ − ε e_i, θ + ε e_i]. It is not when some
entry Z[l]_jk of a ReLU-type layer has another sign at θ + ε e_i or θ − ε e_i than at θ
(sign −1, 0 or +1: an entry exactly 0 at one point and not at another counts). Then the
difference averages two slopes and disagrees with a correct backprop. Such a derivative is set
aside with its reason (which Z, where, its values), never judged. An entry of Z that is exactly 0
and stays 0 on the whole segment is no crossing: J does not feel the kink along that coordinate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINKED = ("relu", "leaky_relu")
"""Activations with a kink at z = 0."""

__all__ = ["KINKED", "Crossing", "KinkWatch"]


@dataclass
class Crossing:
    """Z[layer][unit, example] had sign(z0) at θ and sign(z) at the perturbed point; ``count`` entries changed."""

    layer: int
    unit: int
    example: int
    z0: float
    z: float
    count: int
    activation: str

    def describe(self, where: str) -> str:
        """Words for the set-aside list: 'Z[2][1, 4] = 3.1e-09 at θ, -2.2e-08 at θ + ε·e_i: the step crosses ...'."""
        more = f" (and {self.count - 1} more entr{'y' if self.count == 2 else 'ies'} of Z)" if self.count > 1 else ""
        name = "ReLU" if self.activation == "relu" else "Leaky ReLU"
        return (f"Z[{self.layer}][{self.unit}, {self.example}] = {self.z0:.2e} at θ, {self.z:.2e} at {where}{more}: "
                f"the step crosses the {name} kink at 0")


class KinkWatch:
    """Watches the Z of every ReLU-type layer of a network across the check's cost evaluations.

    ``set_base()`` after evaluating J at θ keeps sign(Z[l]) there; ``crossing()`` after any later
    evaluation returns the first entry whose sign differs (a ``Crossing``), or None.
    """

    def __init__(self, layers):
        self.layers = [(l, layer) for l, layer in enumerate(layers, start=1) if layer.activation.name in KINKED]
        self.base: list[tuple[np.ndarray, np.ndarray]] | None = None

    def __bool__(self) -> bool:
        return bool(self.layers)

    def _current(self):
        for l, layer in self.layers:
            if layer.cache is not None:
                yield l, layer, np.asarray(layer.cache.Z)

    def set_base(self) -> None:
        """Keep Z and sign(Z) of the evaluation just made (at θ)."""
        self.base = [(Z.copy(), np.sign(Z)) for _, _, Z in self._current()]

    def crossing(self) -> Crossing | None:
        """The first entry of a ReLU-type Z whose sign differs from θ's in the evaluation just made."""
        if not self.base:
            return None
        for (l, layer, Z), (Z0, sign0) in zip(self._current(), self.base, strict=False):
            if Z.shape != Z0.shape:
                continue
            changed = np.sign(Z) != sign0
            if changed.any():
                unit, example = (int(i) for i in np.unravel_index(int(np.argmax(changed)), Z.shape))
                return Crossing(l, unit, example, float(Z0[unit, example]), float(Z[unit, example]),
                                int(changed.sum()), layer.activation.name)
        return None
