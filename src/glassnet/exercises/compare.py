"""Compare a learner's result with the reference's, part by part, and probe a difference for its kind.

A result is a number, an array, or tuples, lists and dicts of them (a cache, grads). ``compare`` walks both and
returns one ``Diff`` per part that differs: its path (``("grads", "dW1")``, ``(1, 0, 2)``), what differs (the
type, the shape, the values, a key that is missing) and both values. ``probe`` reads one difference without any
known-mistake variant: a transposed or rank-1 shape, an array where a number belongs, values that are exactly m
times, 1/m times or minus the expected ones.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

RTOL, ATOL = 1e-6, 1e-9


@dataclass
class Diff:
    """One part that differs: ``kind`` is "type", "shape", "value", "missing", "length" or "number"."""

    path: tuple
    kind: str
    expected: object
    got: object


def is_number(x) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def compare(expected, got, path: tuple = (), rtol: float = RTOL, atol: float = ATOL) -> list[Diff]:
    """The parts of ``got`` that differ from ``expected`` (an empty list: the same, within rtol and atol)."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [Diff(path, "type", expected, got)]
        diffs = []
        for key, value in expected.items():
            if key not in got:
                diffs.append(Diff(path + (key,), "missing", value, None))
            else:
                diffs += compare(value, got[key], path + (key,), rtol, atol)
        return diffs
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list):
            return [Diff(path, "type", expected, got)]
        if len(got) != len(expected):
            return [Diff(path, "length", expected, got)]
        return [d for i, (e, g) in enumerate(zip(expected, got, strict=True)) for d in compare(e, g, path + (i,),
                                                                                              rtol, atol)]
    if isinstance(expected, str | bool | None):
        return [] if type(got) is type(expected) and got == expected else [Diff(path, "type", expected, got)]
    if is_number(expected):
        if isinstance(got, np.ndarray) and got.ndim > 0:
            return [Diff(path, "number", expected, got)]
        if not (is_number(got) or (isinstance(got, np.ndarray) and got.dtype.kind in "fiub")):
            return [Diff(path, "type", expected, got)]
        same = np.isclose(float(got), float(expected), rtol=rtol, atol=atol, equal_nan=True)
        return [] if same else [Diff(path, "value", expected, got)]
    expected = np.asarray(expected)
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "fiub":
        return [Diff(path, "type", expected, got)]
    if got.shape != expected.shape:
        return [Diff(path, "shape", expected, got)]
    if not np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return [Diff(path, "value", expected, got)]
    return []


def same(a, b, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """a and b hold the same numbers in the same structure (either may be the reference)."""
    try:
        return not compare(a, b, (), rtol, atol)
    except (TypeError, ValueError):
        return False


def at(result, path: tuple):
    """The part of ``result`` at ``path``, or a sentinel ``MISSING`` when it has no such part."""
    for key in path:
        try:
            result = result[key]
        except (KeyError, IndexError, TypeError):
            return MISSING
    return result


class _Missing:
    def __repr__(self):
        return "<missing>"


MISSING = _Missing()


def snapshot(args):
    """A deep copy of the arguments, to see afterwards whether a function changed them in place."""
    return copy.deepcopy(args)


def _constant_ratio(expected: np.ndarray, got: np.ndarray) -> float | None:
    """r when got = r * expected everywhere (to 1e-9 relative), over the entries where expected is not 0."""
    e, g = np.asarray(expected, dtype=float).ravel(), np.asarray(got, dtype=float).ravel()
    if e.shape != g.shape or not np.all(np.isfinite(g)):
        return None
    nonzero = np.abs(e) > 1e-12
    if not nonzero.any() or np.any(np.abs(g[~nonzero]) > 1e-12):
        return None
    ratios = g[nonzero] / e[nonzero]
    r = float(np.median(ratios))
    return r if np.allclose(ratios, r, rtol=1e-7, atol=0) else None


def probe(diff: Diff, m: int | None) -> tuple[str, dict] | None:
    """(mistake key, values) read from one difference alone, or None when it has no known look."""
    e, g = diff.expected, diff.got
    if diff.kind == "number":
        if np.size(g) == 1:
            return "number_as_array", {"got": tuple(np.shape(g))}
        return "sum_wrong_axis", {"got": tuple(np.shape(g)), "expected": "a number"}
    if diff.kind == "shape":
        es, gs = np.shape(e), np.shape(g)
        if len(es) == 2 and gs == es[::-1] and es[0] != es[1]:
            return "transposed", {"got": gs, "expected": es}
        if len(es) == 2 and es[1] == 1 and gs == (es[0],):
            return "rank1", {"got": gs, "expected": es, "expected_rows": es[0]}
        if len(es) == 2 and es[1] == 1 and (gs in ((1,), (1, 1)) or (len(gs) <= 2 and gs and gs[-1] == m)):
            return "sum_wrong_axis", {"got": gs, "expected": es}
        return None
    if diff.kind == "value":
        if is_number(e) or np.ndim(e) == 0:
            e, g = np.array([[float(e)]]), np.array([[float(np.asarray(g).ravel()[0])]])
        r = _constant_ratio(e, g)
        if r is None:
            return None
        if m and m > 1 and np.isclose(r, m, rtol=1e-9):
            return "missing_1_over_m", {"m": m}
        if m and m > 1 and np.isclose(r, 1 / m, rtol=1e-9):
            return "extra_1_over_m", {"m": m}
        if np.isclose(r, -1.0, rtol=1e-9):
            return "sign", {}
        return "scaled", {"got": f"{r:.4g}"}
    return None


def describe(value, limit: int = 6) -> str:
    """A short text of a value: a number, an array's shape and first entries, a tuple's parts' shapes."""
    if value is MISSING or value is None:
        return "nothing" if value is None else "<missing>"
    if is_number(value):
        return f"{float(value):.8g}"
    if isinstance(value, np.ndarray):
        flat = value.ravel()
        shown = ", ".join(f"{float(v):.6g}" for v in flat[:limit]) + (", ..." if flat.size > limit else "")
        return f"array {value.shape} [{shown}]" if value.ndim else f"array () {float(value):.8g}"
    if isinstance(value, tuple | list):
        inner = ", ".join(shape_text(v) for v in value[:limit]) + (", ..." if len(value) > limit else "")
        return f"{type(value).__name__} of {len(value)}: ({inner})"
    if isinstance(value, dict):
        return "dict with keys " + ", ".join(map(str, value))
    return f"{type(value).__name__} {value!r}"[:80]


def shape_text(value) -> str:
    """(3, 4) for an array, a number for a number, a nested (..) for a tuple."""
    if isinstance(value, np.ndarray):
        return str(value.shape)
    if isinstance(value, tuple | list):
        return "(" + ", ".join(shape_text(v) for v in value) + ")"
    if is_number(value):
        return f"{float(value):.4g}"
    return type(value).__name__


def first_difference(expected: np.ndarray, got: np.ndarray) -> str:
    """'[0, 2]: yours 0.29, expected 0.073' at the largest difference of two arrays of one shape."""
    e, g = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
    if e.shape != g.shape or e.size == 0:
        return ""
    gap = np.abs(np.nan_to_num(g - e, nan=np.inf))
    index = np.unravel_index(int(np.argmax(gap)), e.shape)
    return f"[{', '.join(map(str, index))}]", float(g[index]), float(e[index])


__all__ = ["ATOL", "MISSING", "RTOL", "Diff", "at", "compare", "describe", "first_difference", "is_number", "probe",
           "same", "shape_text", "snapshot"]
