"""Find the bug: the page plants a hidden bug, the learner runs the gradient check and names the layer and formula.

A quiz draws one (bug, layer) among those that bite in the network as it is (``bugs.plantable``):
first a kind of mistake, each kind as likely as the others, then a layer where it bites. The
learner reads the gradient check's per-block differences (which blocks disagree, by what factor,
from which layer down) and answers with a layer l and one of the notes' backward formulas
(``bugs.FORMULAS``). Both right: solved, and the answer comes back explained (the mistake, the
formula as it should read, and the hints of the last check, held back until then). A wrong answer
says which half was right and no more; ``reveal`` gives up and explains. Nothing of the bug goes to
the page before that.
"""

from __future__ import annotations

import random

from .bugs import FORMULA_OF, FORMULAS, plantable
from .protocol import ProtocolError

_RANDOM = random.SystemRandom()


def choose(pool: list[tuple[str, int]], rng=_RANDOM) -> tuple[str, int]:
    """One (bug, layer) of ``pool``: a kind of bug, each equally likely, then one of its layers."""
    kind = rng.choice(sorted({bug for bug, _ in pool}))
    return kind, rng.choice([layer for bug, layer in pool if bug == kind])


class Quiz:
    """One hidden bug: what was planted, the answers so far, the hints of the last check (held back)."""

    def __init__(self, net):
        pool = plantable(net)
        if not pool:
            raise ProtocolError("quiz_impossible", "no bug of the notes' list changes this network's gradients")
        self.bug, self.layer = choose(pool)
        self.L = net.L
        self.tries, self.solved, self.revealed = 0, False, False
        self.checked = 0  # gradient checks run since the bug was planted
        self.words = None  # the last check's hints and report text, held back until the answer

    @property
    def over(self) -> bool:
        """Answered right, or given up: the bug may be told."""
        return self.solved or self.revealed

    def plant(self, net) -> None:
        """Put the hidden bug into ``net`` (a PlantedBugNetwork)."""
        net.bug, net.bug_layer = self.bug, self.layer

    def public(self) -> dict:
        """What the page may know: that a bug is hidden, the answers' choices, how it goes."""
        return {"type": "quiz", "active": not self.over, "layers": self.L, "formulas": list(FORMULAS),
                "tries": self.tries, "solved": self.solved, "checked": self.checked,
                **(self.explanation() if self.over else {})}

    def explanation(self) -> dict:
        """The bug, where it was, the formula it broke, and what the last check said of it."""
        return {"bug": self.bug, "layer": self.layer, "formula": FORMULA_OF[self.bug],
                "hints": (self.words or {}).get("hints", []), "text": (self.words or {}).get("text", "")}

    def answer(self, layer: int, formula: str) -> dict:
        """Check an answer; raises ProtocolError for a layer the network does not have or an unknown formula."""
        if not 1 <= layer <= self.L:
            raise ProtocolError("out_of_range", f"layer must be from 1 to {self.L}, got {layer}", "layer",
                                low=1, high=self.L)
        if formula not in FORMULAS:
            raise ProtocolError("bad_choice", f"formula must be one of {', '.join(FORMULAS)}", "formula",
                                choices=list(FORMULAS))
        if self.over:
            return {**self.public(), "answer": {"layer": layer, "formula": formula, "right": self.solved}}
        self.tries += 1
        layer_right, formula_right = layer == self.layer, formula == FORMULA_OF[self.bug]
        self.solved = layer_right and formula_right
        return {**self.public(), "answer": {"layer": layer, "formula": formula, "right": self.solved,
                                            "layer_right": layer_right, "formula_right": formula_right}}

    def reveal(self) -> dict:
        """Give up: the explanation."""
        self.revealed = True
        return self.public()
