"""Hints: the patterns a wrong gradient leaves in a check, named in the notes' terms.

A constant factor between dθ and dθ_approx (−1: a flipped sign; m or 1/m: a 1/m missing or extra;
2 or 1/2), a residual equal to ±(l2/m)·W (the L2 term missing or doubled), a transposed dW, a
block whose gradient is never written, and layers 1..l wrong while l+1..L agree (the error enters
in layer l's backward). Also how to read an ε sweep. A block is read only when its difference is
above 1e-5 and above its noise floor (``floor``): a pattern in finite-difference noise is no
pattern, and a correct backprop must not be blamed for it.

Each pattern hint is a ``Hint``: its English text, and a ``code`` with ``params`` from which a front
end (the playground) words the same hint in another language.
"""

from __future__ import annotations

import numpy as np

from .check import NOISE_FLOOR, relative_difference, verdict_for

BAD = 1e-5
"""A block whose difference is above this is worth a hint ("suspicious" or worse)."""


class Hint(str):
    """A hint's English text, with ``code`` (which pattern) and ``params`` (its numbers and names)."""

    def __new__(cls, text: str, code: str = "", params: dict | None = None):
        hint = super().__new__(cls, text)
        hint.code, hint.params = code, dict(params or {})
        return hint

    def __reduce__(self):
        return (Hint, (str(self), self.code, self.params))


# The formula a factor of m or 1/m points at, by the kind of block it was found in.
M_FORMULA = {"W": "the notes' (7) dW = 1/m dZ A_prev^T", "b": "the notes' (8) db = 1/m np.sum(dZ, axis=1, "
             "keepdims=True)", "": "the notes' (7) dW = 1/m dZ A_prev^T and (8) db = 1/m sum(dZ)"}


def _describe_factor(k: float, m: int | None, keep: dict[float, str] | None = None, kind: str = "") -> Hint:
    """Words for a constant ratio analytic / numeric (``keep``: products of keep_prob -> which layers;
    ``kind``: "W" or "b" when the factor is of one kind of block, which names its formula)."""
    def near(x, target):
        return abs(x - target) <= 0.01 * abs(target)

    for product, layers in (keep or {}).items():
        if near(k, product):
            return Hint(f"off by a factor {k:.4g} = keep_prob of {layers}: the division by keep_prob is missing from "
                        "dropout's backward (inverted dropout: dA[l] = dA[l] * D[l] / keep_prob[l], the same mask "
                        "and the same 1/keep_prob as the forward pass)", "factor_keep_prob", {"k": k, "of": layers})
    if near(k, -1.0):
        return Hint("the sign is flipped (factor -1): the gradient points uphill — A - Y written as Y - A?",
                    "factor_sign", {"k": k})
    if m is not None and m > 2 and near(k, float(m)):
        engine = "" if kind else ("; an engine that divides dZ[L] = (A[L] - Y)/m once must not skip that division")
        return Hint(f"off by a factor {k:.4g} = m: the 1/m is missing ({M_FORMULA[kind]}{engine})", "factor_m",
                    {"k": k, "m": m, "kind": kind})
    if m is not None and m > 2 and near(k, 1.0 / m):
        return Hint(f"off by a factor {k:.4g} = 1/m: the 1/m is applied twice (once in dZ[L] = (A[L] - Y)/m and "
                    "again in dW or db, or the notes' 1/m in (7)/(8) on top of a dZ[L] that already carries it)",
                    "factor_inverse_m", {"k": k, "m": m})
    if near(k, 2.0):
        return Hint("off by a factor 2.0 — a missing 1/2 (J = 1/(2m) sum (a - y)^2 has derivative (a - y)/m) "
                    "or a term counted twice?", "factor_2", {"k": k})
    if near(k, 0.5):
        return Hint("off by a factor 0.5 — an extra 1/2, or half of a term left out?", "factor_half", {"k": k})
    return Hint(f"off by a factor {k:.4g} (analytic ≈ {k:.4g} × numeric) — a missing or extra 1/m or 1/2, or a "
                "wrong scale?", "factor", {"k": k})


def _unwritten(name: str, a: np.ndarray, n: np.ndarray) -> str | None:
    """A gradient that is never written, or written for a parameter the cost does not use."""
    norm_a, norm_n = float(np.linalg.norm(a)), float(np.linalg.norm(n))
    if norm_a == 0.0 and norm_n > 0.0:
        return Hint(f"d{name} is zero at every checked entry but the numerical gradient is not: is d{name} "
                    "ever written (or is this layer skipped in backprop)?", "unwritten", {"name": name})
    if norm_n <= 1e-12 * max(1.0, norm_a, norm_n) and norm_a > 0.0:
        return Hint(f"the cost does not change with {name} (numeric derivative 0) but d{name} is non-zero: "
                    f"is {name} used in the forward pass, or is the gradient written to the wrong block?", "unused",
                    {"name": name})
    return None


def _l2_term(name: str, residual: np.ndarray, w: np.ndarray) -> str | None:
    """analytic − numeric ≈ c·(l2/m)·W: the L2 term missing (c = −1), doubled (c = 1) or mis-scaled."""
    ww = float(w @ w)
    if ww == 0:
        return None
    c = float(residual @ w) / ww
    if float(np.linalg.norm(residual - c * w)) / float(np.linalg.norm(residual)) >= 0.05 or abs(c) <= 0.05:
        return None
    if abs(c + 1) < 0.05:
        return Hint(f"d{name} - numeric ≈ -(l2/m)·{name}: the L2 term (l2/m)·{name} is missing from backprop for "
                    f"d{name} (dW = 1/m dZ A_prev^T + (l2/m) W)", "l2_missing", {"name": name})
    if abs(c - 1) < 0.05:
        return Hint(f"d{name} - numeric ≈ +(l2/m)·{name}: the L2 term is added twice to d{name}", "l2_twice",
                    {"name": name})
    return Hint(f"d{name} carries {1 + c:.4g}·(l2/m)·{name} instead of (l2/m)·{name}: check the L2 factor (l2/m, "
                "not l2/(2m) or l2)", "l2_scaled", {"name": name, "c": 1 + c})


def _factor(a: np.ndarray, n: np.ndarray) -> float | None:
    """k when analytic ≈ k · numeric with k ≠ 1 (a constant factor), else None."""
    nn = float(n @ n)
    if nn == 0:
        return None
    k = float(a @ n) / nn
    fit = float(np.linalg.norm(a - k * n)) / max(float(np.linalg.norm(a)), 1e-300)
    return k if fit < 0.01 and abs(k - 1) > 1e-3 else None


def _transposed(name: str, shape: tuple, g: np.ndarray, idx: np.ndarray, n: np.ndarray) -> str | None:
    """dW written transposed (or read with the shape of its transpose)."""
    if len(shape) != 2 or shape[0] < 2 or shape[1] < 2:
        return None
    rows, cols = shape
    if relative_difference(g.reshape(cols, rows).T.reshape(-1)[idx], n) >= 1e-4:
        return None
    how = "its transpose" if rows == cols else f"it read as ({cols}, {rows}) and transposed"
    return Hint(f"d{name} looks transposed: {how} matches the numerical gradient (dW = dZ · A_prev^T has the "
                f"shape of W, {shape})", "transposed", {"name": name, "rows": rows, "cols": cols})


def _summed_over_units(name: str, a: np.ndarray, n: np.ndarray, whole: bool) -> Hint | None:
    """db with one number in every entry, the sum of the right ones: summed over units and examples alike
    (np.sum(dZ, keepdims=True), the axis=1 forgotten). ``whole``: every entry of the block was judged."""
    if a.size < 2 or np.ptp(a) > 1e-9 * float(np.abs(a).max()) or np.ptp(n) <= 1e-6 * float(np.abs(n).max()):
        return None
    if whole and abs(float(a[0]) - float(n.sum())) > 1e-3 * max(float(np.abs(n).sum()), 1e-300):
        return None
    return Hint(f"every entry of d{name} is the same number{', the sum of the numerical ones' if whole else ''}: "
                f"d{name} sums over the units as well as the examples (db = 1/m np.sum(dZ, axis=1, keepdims=True): "
                "is the axis=1 missing?)", "summed_over_units", {"name": name})


def _wrong(result) -> bool:
    """A block worth reading: its difference is above BAD and beyond what the noise floor explains."""
    return result.difference > BAD and result.beyond_floor


def pattern_hints(blocks, results, analytic, judged, context) -> list[str]:
    """The patterns of the blocks that disagree (unwritten, L2 term, factors, transposes, layers).

    ``judged`` = (coordinates, dθ_approx there) per block, the set-aside derivatives left out.
    """
    hints: list[str] = []
    l2_terms: dict = context.get("l2_terms", {})  # name -> (l2/m) W flattened
    factors: dict[str, float] = {}
    explained: set[str] = set()
    bad = [r.name for r in results if _wrong(r)]
    for b, (block, result) in enumerate(zip(blocks, results, strict=True)):
        g = analytic[block.start:block.start + block.size]
        idx = judged[0][b]
        a, n = g[idx], judged[1][b]
        if not _wrong(result) or a.size == 0:
            continue
        hint = _unwritten(block.name, a, n)
        # a constant factor and an L2-shaped residual can both fit (when the data part of dW is small,
        # 2·dW ≈ dW + (l2/m)·W): then both readings are given
        k = _factor(a, n) if hint is None else None
        if hint is None and block.name in l2_terms:
            penalty = l2_terms[block.name][idx]
            hint = _l2_term(block.name, a - n, penalty)
            if hint is not None and k is not None:
                hint = Hint(hint + f" (or d{block.name} off by a constant factor, above: its data part is small "
                            "here)", hint.code, {**hint.params, "or_factor": True})
            if hint is None and k is None:  # a factor on the data part 1/m dZ A_prev^T, the L2 term kept right
                k = _factor(a - penalty, n - penalty)
        if k is not None:
            factors[block.name] = k
        elif hint is None:
            hint = _transposed(block.name, tuple(block.shape), g, idx, n)
        if hint is None and k is None and block.name.startswith("b"):
            hint = _summed_over_units(block.name, a, n, whole=a.size == block.size)
        if hint is not None:
            hints.append(hint)
        if hint is not None or k is not None:
            explained.add(block.name)
    hints = _factor_hints(factors, len(blocks), context.get("m"), context.get("keep_factors")) + hints
    return hints + _layer_pattern_hint(blocks, bad, explained, context)


def _factor_hints(factors: dict[str, float], n_blocks: int, m: int | None, keep=None) -> list[Hint]:
    """One hint when every block has the same factor, else one per block."""
    if not factors:
        return []
    values = list(factors.values())
    if len(factors) == n_blocks and max(values) - min(values) <= 0.01 * max(abs(v) for v in values):
        return [_who("every block", "", _describe_factor(float(np.mean(values)), m, keep))]
    return [_who(f"d{name}", name, _describe_factor(k, m, keep, name[0])) for name, k in factors.items()]


def _who(who: str, name: str, reading: Hint) -> Hint:
    """"dW1 is off by ..." / "every block: the sign is flipped ..." ("name": the block, "" for every block)."""
    joined = f"{who}: {reading}" if reading.code == "factor_sign" else f"{who} is {reading}"
    return Hint(joined, reading.code, {**reading.params, "name": name})


def _layer_pattern_hint(blocks, bad, explained, context) -> list[str]:
    """Network only: layers 1..l wrong and l+1..L right -> the error enters at layer l's backward."""
    L = context.get("L")
    if not L or not bad or set(bad) <= explained:
        return []
    wrong = {l for l in range(1, L + 1) if f"W{l}" in bad or f"b{l}" in bad}
    top = max(wrong)
    activations = context.get("activations", [])
    if wrong == set(range(1, top + 1)):
        if top == L and L > 1:
            return [Hint("every layer disagrees: the error starts at the output — check dZ[L] = A[L] - Y and the "
                         "cost (or a factor shared by all layers)", "output_layer", {"L": L})]
        if top < L:
            act = activations[top - 1] if len(activations) >= top else "g"
            below = f" and everything below it (layers 1..{top})" if top > 1 else ""
            dropped = top in context.get("dropped", ())
            dropout = f" or dropout's backward dA[{top}] = dA[{top}] * D[{top}] / keep_prob[{top}]" if dropped else ""
            above = f"layer {L} agrees" if top + 1 == L else f"layers {top + 1}..{L} agree"
            return [Hint(f"layer {top}{below} disagrees while {above}: the error enters in layer "
                         f"{top}'s backward — check dZ[{top}] = dA[{top}] * g'(Z[{top}]) (the derivative of {act})"
                         f"{' or dA[l-1] = W[l]^T dZ[l]' if top > 1 else ''}{dropout}", "layer_enters",
                         {"layer": top, "L": L, "activation": act, "dropped": dropped})]
    return []


def small_block_hints(results, overall: float, threshold: float) -> list[str]:
    """A block can be badly wrong while the overall difference passes, if its gradient is small."""
    if overall > threshold:
        return []
    flagged = [r for r in results if r.difference > 1e-3 and r.beyond_floor]
    return [Hint(f"{r.name} alone has difference {r.difference:.2e} but its gradient is small "
                 f"(‖d{r.name}‖ ≈ {r.analytic_norm:.1e}), so it barely moves the overall difference: if that is "
                 "above rounding noise, look at it", "small_block",
                 {"name": r.name, "difference": r.difference, "norm": r.analytic_norm}) for r in flagged]


def sweep_hint(sweep: dict[float, float], floors: dict[float, float] | None = None) -> str:
    """How to read the difference over ε: a bug stays put, finite-difference error moves with ε.

    ``floors`` (ε -> noise floor): an ε whose difference is within its floor counts as no disagreement.
    """
    eps = list(sweep)
    floors = floors or {}
    diffs = np.array([sweep[e] for e in eps])
    finite = np.isfinite(diffs)
    if not finite.any():
        return "epsilon sweep: the difference is not finite at any ε — the cost or the gradient is NaN/inf"
    best_i = int(np.nanargmin(np.where(finite, diffs, np.nan)))
    best, worst = float(diffs[best_i]), float(np.nanmax(np.where(finite, diffs, np.nan)))
    span = f"from ε = {eps[0]:g} to {eps[-1]:g}"
    quiet = [e for e in eps if verdict_for(sweep[e], floors.get(e, 0.0)) == NOISE_FLOOR]
    if best > BAD and worst <= 10 * best and not quiet:
        return (f"epsilon sweep: the difference stays near {best:.1e} {span} — it does not shrink with ε, so it is a "
                "real error in the gradient, not finite-difference noise")
    if best <= BAD:
        return (f"epsilon sweep: the difference falls to {best:.1e} at ε = {eps[best_i]:g} — what moves with ε is "
                "finite-difference error (truncation, falling like ε² as ε shrinks; rounding, growing like 1/ε), "
                "not a bug")
    if quiet:
        return (f"epsilon sweep: at ε = {', '.join(f'{e:g}' for e in quiet)} the difference is within the noise floor "
                "of the two-sided difference: the gradient is too small there for finite differences to judge, "
                "not shown wrong")
    return f"epsilon sweep: the difference moves with ε but never falls below {best:.1e}: likely a bug"


__all__ = ["BAD", "Hint", "pattern_hints", "small_block_hints", "sweep_hint"]
