"""Run a learner's function on every case, compare it with the reference, and name the mistake.

For each case: the function runs on copies of the inputs (so a change in place shows), with NumPy's global
generator set to another state than the course's seeds and put back afterwards (a function that forgets its
``np.random.seed`` shows too), its printing kept out of the report. Where its result differs, each part that
differs is set beside each known-mistake variant's result on the same case: a variant that gives exactly the
learner's numbers there names the mistake. What no variant explains is probed (a transposed or rank-1 shape, an
array where a number belongs, exactly m times the expected values, a cache in another order). No source text is
read: correct code written any way (np.dot or @, loops, np.mean, a reshape for keepdims) passes.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..errors import HyperparameterError, HyperparameterTypeError
from . import catalog, helpers, index
from .compare import MISSING, Diff, at, compare, probe, same, snapshot
from .report import Finding, Report

OTHER_SEED = 20_240_917  # any state but the course's seeds 1 and 3
PART_FORMULA = {"missing_1_over_m", "extra_1_over_m", "transposed", "transposed_values", "sign", "scaled",
                "sum_wrong_axis", "differs", "no_dA", "l2_grad_missing", "l2_grad_half"}


@dataclass
class CaseResult:
    """One case run: passed, the parts that differ, the error raised, the arguments changed in place."""

    case: catalog.Case
    expected: object
    got: object = None
    diffs: list[Diff] = field(default_factory=list)
    error: BaseException | None = None
    mutated: list[str] = field(default_factory=list)
    accepted_in_place: bool = False

    @property
    def passed(self) -> bool:
        return self.error is None and not self.diffs and (not self.mutated or self.accepted_in_place)


def _quietly(function, args, kwargs, seed: int | None = OTHER_SEED):
    """function(*args, **kwargs) with printing, warnings and NumPy's global state kept in; (result, error)."""
    state = np.random.get_state()
    if seed is not None:
        np.random.seed(seed)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return function(*args, **kwargs), None
    except Exception as exc:  # the learner's code may raise anything: it is reported, not raised
        return None, exc
    finally:
        np.random.set_state(state)


def argument_names(exercise: catalog.Exercise) -> list[str]:
    return list(inspect.signature(getattr(helpers, exercise.name)).parameters)


def run_case(fn, exercise: catalog.Exercise, case: catalog.Case) -> CaseResult:
    expected, error = _quietly(exercise.reference, snapshot(case.args), snapshot(case.kwargs), seed=None)
    if error is not None:
        raise error  # the reference itself failed on a case: a defect of glassnet, not of the learner
    args, kwargs = snapshot(case.args), snapshot(case.kwargs)
    got, error = _quietly(fn, args, kwargs)
    result = CaseResult(case, expected, got, error=error)
    names = argument_names(exercise)
    result.mutated = [names[i] if i < len(names) else f"argument {i + 1}" for i, (before, after)
                      in enumerate(zip(case.args, args, strict=True)) if not same(before, after, rtol=0, atol=0)]
    result.accepted_in_place = exercise.in_place_ok is not None
    if error is None:
        result.diffs = compare(expected, got, (), exercise.rtol, exercise.atol)
        if result.diffs and any(same(_quietly(alt, snapshot(case.args), {})[0], got, exercise.rtol, exercise.atol)
                                for alt in exercise.accepted):
            result.diffs = []
    return result


def label_of(exercise: catalog.Exercise, path: tuple) -> str:
    """A part's name for the report: "db", "cache[0]", "caches[2][1]", "dW1"."""
    return exercise.label_of(path)


def _explains(variant_result, diff: Diff, exercise) -> bool:
    value = at(variant_result, diff.path)
    if value is MISSING or value is None or diff.kind == "missing":
        return False
    return same(value, diff.got, exercise.rtol, exercise.atol) and not same(value, diff.expected, exercise.rtol,
                                                                            exercise.atol)


def _permuted(expected, got) -> bool:
    """got holds expected's parts in another order."""
    if not isinstance(expected, tuple | list) or not isinstance(got, tuple | list) or len(expected) != len(got):
        return False
    left = list(range(len(got)))
    for e in expected:
        match = next((i for i in left if same(e, got[i])), None)
        if match is None:
            return False
        left.remove(match)
    return not same(expected, got)


def _probes(exercise, result: CaseResult, diff: Diff) -> list[tuple[str, dict]]:
    for spec_probe in exercise.probes:
        found = spec_probe(result.case, diff)
        if found:
            return [found]
    for depth in range(len(diff.path), 0, -1):
        parent = diff.path[:depth - 1]
        if _permuted(at(result.expected, parent), at(result.got, parent)):
            return [("cache_order", {"expected": exercise.cache_text or "the course's order"})]
    found = probe(diff, result.case.m)
    if found and exercise.name in ("compute_cost", "compute_cost_with_regularization") and found[0] in (
            "missing_1_over_m", "sign"):
        found = ("cost_missing_1_over_m" if found[0] == "missing_1_over_m" else "cost_sign", found[1])
    return [found] if found else []


def _error_finding(error: BaseException) -> tuple[str, dict]:
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, NameError):
        name = getattr(error, "name", None) or str(error).split("'")[1 if "'" in str(error) else 0]
        if name in helpers.__all__:
            return "missing_helper", {"part": name}
    if isinstance(error, KeyError) and error.args and re.fullmatch(r"d?[Wb]\d+", str(error.args[0])):
        return "layer_count", {"part": str(error.args[0])}
    shapes = isinstance(error, ValueError) and re.search(r"shape|matmul|align|broadcast", str(error))
    return "error" if shapes else "error_other", {"part": text[:300]}


def diagnose(exercise: catalog.Exercise, results: list[CaseResult]) -> list[Finding]:
    """The findings over the failing cases: per part, the mistakes that explain it in the most cases."""
    counts: dict[str, Counter] = {}
    values: dict[tuple[str, str], dict] = {}

    def record(label, key, found_values):
        counts.setdefault(label, Counter())[key] += 1
        values.setdefault((label, key), found_values)

    for result in results:
        if result.passed:
            continue
        for name in result.mutated:
            if not result.accepted_in_place:
                record(name, "input_changed", {"part": name})
        if result.error is not None:
            record("", *_error_finding(result.error))
            continue
        variants = {key: _quietly(v, snapshot(result.case.args), {}, seed=None)[0]
                    for key, v in exercise.mistakes.items()}
        for diff in result.diffs:
            label = label_of(exercise, diff.path)
            keys = [(k, {}) for k, out in variants.items() if _explains(out, diff, exercise)] or _probes(
                exercise, result, diff)
            for key, found in keys or [("differs", _differs_values(diff))]:
                record(label, key, found)
    return _choose(exercise, counts, values, results)


def _differs_values(diff: Diff) -> dict:
    from .compare import describe

    return {"got": describe(diff.got), "expected": describe(diff.expected)}


def _choose(exercise, counts, values, results) -> list[Finding]:
    findings = []
    m = next((r.case.m for r in results if not r.passed and r.case.m), None)
    for label, counter in counts.items():
        best = max(counter.values())
        for key, n in counter.items():
            if n == best or key == "input_changed":
                found = {"part": label, "m": m, **values[(label, key)]}
                formula = exercise.formula_for(label) if key in PART_FORMULA else None
                findings.append(Finding(key, label, found, formula, n))
    merged: dict[tuple, Finding] = {}
    for f in [f for f in findings if f.key != "differs"] or findings:
        slot = (f.key, f.formula)  # the same mistake in several parts (dW1, dW2, dW3) is one finding
        if slot in merged:
            merged[slot].parts.append(f.part)
            merged[slot].count = max(merged[slot].count, f.count)
        else:
            merged[slot] = f
    return sorted(merged.values(), key=lambda f: (f.key != "input_changed", -f.count))


def _calls(fn, exercise, lang: str, depth: int) -> list[str]:
    """Course functions this one calls from its module whose own check fails (named, not read: co_names)."""
    code, scope = getattr(fn, "__code__", None), getattr(fn, "__globals__", {})
    if code is None or depth > 0:
        return []
    failing = []
    for name in code.co_names:
        other = scope.get(name)
        mine = callable(other) and other is not getattr(helpers, name, None) and name != exercise.name
        if name in index.names() and mine and not check(other, name, lang, _depth=depth + 1).passed:
            failing.append(name)
    return failing


def check(fn, name: str | None = None, lang: str = "en", _depth: int = 0) -> Report:
    """Check a learner's course function against ``glassnet.notes``; a ``Report`` with ``passed`` and the diagnosis.

    name: the course's function name (default ``fn.__name__``); lang: "en" or "zh" for the report's language.
    Cases: the course's published case, then generated ones (shapes, layer counts, m = 1, edge values, seeds).
    """
    if lang not in ("en", "zh"):
        raise HyperparameterError(f"lang must be 'en' or 'zh', got {lang!r}; pass lang='zh' for the report in Chinese")
    if not callable(fn):
        raise HyperparameterTypeError(f"fn must be a function (your {name or 'course function'}), got "
                                      f"{type(fn).__name__}; pass the function itself, without calling it")
    exercise = index.get(name or getattr(fn, "__name__", ""))
    results = [run_case(fn, exercise, case) for case in exercise.cases()]
    notes_found = []
    if exercise.in_place_ok and any(r.mutated for r in results):
        notes_found.append(Finding(exercise.in_place_ok, "", {}, None, 1))
    failing = [r for r in results if not r.passed]
    if failing and exercise.loose and all(r.error is None and not r.mutated for r in failing):
        note = exercise.loose([(r.case, r.expected, r.got) for r in results])
        if note:
            notes_found.append(Finding(note, "", {}, None, len(failing)))
            for r in failing:
                r.diffs = []
            failing = []
    findings = diagnose(exercise, results) if failing else []
    calls = _calls(fn, exercise, lang, _depth) if failing else []
    return Report(exercise.name, results, findings, notes_found, calls, lang, argument_names(exercise))


__all__ = ["CaseResult", "argument_names", "check", "diagnose", "label_of", "run_case"]
