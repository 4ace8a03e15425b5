"""What an exercise is: the course's function, its reference, its generated cases and its known mistakes.

An ``Exercise`` names the course's function and its reference (``glassnet.notes`` in the course's signature);
``cases()`` makes the inputs (the course's published case first, then several shapes, layer counts, seeds and
edge values); ``mistakes`` maps a known mistake's key to a function with the same signature that makes that
mistake, so that a learner's wrong output is recognised by being equal to it; ``accepted`` are other answers that
are right too (a convention the notes leave open). ``parts`` names the parts of the output (``("Z", "cache")``) and
``formulas`` the formula each part comes from, for a difference that matches no known mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Case:
    """One input: ``label`` (English, Chinese) says what it tries; ``args`` are passed positionally."""

    label: tuple[str, str]
    args: tuple
    kwargs: dict = field(default_factory=dict)

    @property
    def m(self) -> int | None:
        """The number of examples: the columns of the first array argument of two dimensions."""
        for value in _arrays(self.args):
            if value.ndim == 2:
                return int(value.shape[1])
        return None


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, tuple | list):
        for v in value:
            yield from _arrays(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v)


@dataclass
class Exercise:
    """A course function to check: reference, cases, known mistakes, and the formula behind each output part."""

    name: str
    topic: str
    reference: Callable
    cases: Callable[[], list[Case]]
    parts: tuple[str, ...] = ()
    formulas: dict[str, str] = field(default_factory=dict)
    mistakes: dict[str, Callable] = field(default_factory=dict)
    accepted: list[Callable] = field(default_factory=list)
    probes: list[Callable] = field(default_factory=list)  # (case, diff) -> (key, values) or None
    loose: Callable | None = None  # [(case, expected, got)] -> a note key when every difference is acceptable
    rtol: float = 1e-6
    atol: float = 1e-9
    cache_text: str = ""  # how the course's cache is laid out, for a cache in another order
    in_place_ok: str | None = None  # a note key: changing the inputs in place is allowed, and noted

    def label_of(self, path: tuple) -> str:
        """A part's name for the report: "db", "cache[0]", "caches[2][1]", "dW1"."""
        if not path:
            return self.parts[0] if self.parts else "result"
        head, rest = path[0], path[1:]
        if isinstance(head, int) and head < len(self.parts):
            head = self.parts[head]
        return str(head) + "".join(f"[{p}]" for p in rest)

    def formula_for(self, label: str) -> str:
        """The formula key of an output part, by its label ("dW1" reads as "dW"; a cache's parts as "cache")."""
        base = label.split("[")[0].rstrip("0123456789")
        return self.formulas.get(label.split("[")[0], self.formulas.get(base, self.formulas.get("*", "forward")))


REGISTRY: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry (forward.py, backward.py and regularization.py do, as they load)."""
    REGISTRY[exercise.name] = exercise
    return exercise


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def layer_parameters(r: np.random.Generator, layer_dims, scale: float = 1.0) -> dict:
    """{"W1", "b1", ...} of standard-normal draws (times scale) for the given layer sizes."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = scale * r.standard_normal((layer_dims[l], layer_dims[l - 1]))
        parameters[f"b{l}"] = scale * r.standard_normal((layer_dims[l], 1))
    return parameters


__all__ = ["REGISTRY", "Case", "Exercise", "layer_parameters", "register", "rng"]
