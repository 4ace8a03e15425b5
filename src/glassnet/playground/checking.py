"""The gradient check as the page shows it: glassnet.gradient_check on a few training examples, block by block.

The frame carries the verdict, the per-block differences, the worst entries, and the check's hints
with their codes and parameters (``gradcheck.Hint``) so that the page words each hint in its own
language; the library's report text comes too, for the English "full report". In the quiz ("find
the bug") the frame says nothing of the bug: no name, dropout fixed whenever the network drops (not
only when the bug is in dropout), and the hints and report text held back until the learner has
answered (they stay on the server: the quiz keeps them until then).
"""

from __future__ import annotations

import numpy as np

import glassnet as gn

from .views import finite as _finite
from .views import hidden_outputs

CHECK_EXAMPLES = 32  # examples used by the gradient check
KINK_TOLERANCE = 1e-4  # an example whose ReLU input |Z| is below this sits on a kink (1e3 x the check's epsilon)


def _plain(value):
    """A hint parameter as JSON: numbers finite or None, tuples as lists."""
    if isinstance(value, float | np.floating):
        return _finite(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    return value


def hint_frames(hints) -> list[dict]:
    """Each hint as {"code", "params", "text"}; a hint without a code (a plain string) has code None."""
    return [{"code": getattr(h, "code", None) or None,
             "params": {k: _plain(v) for k, v in getattr(h, "params", {}).items()}, "text": str(h)} for h in hints]


def check_examples(net, X, tolerance: float = KINK_TOLERANCE) -> tuple[np.ndarray, int]:
    """The first CHECK_EXAMPLES columns of X that sit on no ReLU kink, and how many were passed over.

    Where Z of a ReLU unit is (within ``tolerance`` of) 0, a step of epsilon crosses the kink and the
    two-sided difference disagrees with backprop without any bug (a dead unit whose bias never moved
    gives Z exactly 0 where its inputs are all 0). Such examples are left out, as the notes advise;
    if fewer than 8 are left, the first examples are checked as they are.
    """
    on_kink = np.zeros(X.shape[1], dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for (Z, _), activation in zip(hidden_outputs(net, X), net.activations, strict=True):
            if activation.name in ("relu", "leaky_relu"):
                on_kink |= (np.abs(Z) < tolerance).any(axis=0)
    idx = np.flatnonzero(~on_kink)[:CHECK_EXAMPLES]
    if idx.size < min(8, X.shape[1]):
        return np.arange(min(CHECK_EXAMPLES, X.shape[1])), 0
    return idx, int(on_kink[: idx[-1] + 1].sum())


def check_frame(net, X_train, Y_train, epoch: int, bug: str, hidden: bool) -> tuple[dict, dict]:
    """glassnet.gradient_check of ``net`` on the first CHECK_EXAMPLES training examples off the kinks: the frame,
    and {"hints", "text"} (in the frame too, unless ``hidden``).

    ``bug``: the open-mode bug (its name is shown); ``hidden``: the quiz's, whose name and hints are not.
    """
    idx, skipped = check_examples(net, X_train)
    drops = any(p < 1 for p in net.keep_prob[1:])
    # The notes check with dropout off; the forgotten /keep_prob lives in dropout, so that bug is checked
    # with dropout on and one fixed set of masks (in the quiz: whenever the network drops, bug or not).
    dropout = "fixed" if drops and (hidden or bug == "no_keep_prob") else "off"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        report = gn.gradient_check(net, X_train[:, idx], Y_train[:, idx], dropout=dropout)
    ranked = report.ranked()
    worst = ranked[0] if ranked else None
    words = {"hints": hint_frames(report.hints), "text": str(report)}
    return {
        "type": "gradcheck", "difference": _finite(report.difference), "verdict": report.verdict,
        "passed": report.passed, "failed": report.failed, "noise_floor": _finite(report.noise_floor),
        "set_aside": len(report.set_aside), "threshold": report.threshold, "epsilon": report.epsilon,
        "mode": report.mode, "examples": int(idx.size), "skipped_at_kinks": skipped, "dropout": dropout,
        "n_params": report.n_params, "seconds": round(report.seconds, 3), "epoch": epoch,
        "bug": None if hidden else bug, "dormant": None if hidden else net.dormant_reason(), "quiz": hidden,
        "worst_block": None if worst is None else worst.name,
        "worst_difference": None if worst is None else _finite(worst.difference),
        "blocks": [{"name": b.name, "shape": list(b.shape), "checked": b.coordinates,
                    "difference": _finite(b.difference), "verdict": b.verdict} for b in ranked],
        "worst": [{"label": e.label(), "analytic": _finite(e.analytic), "numeric": _finite(e.numeric)}
                  for e in report.worst],
        "hints": [] if hidden else words["hints"], "text": "" if hidden else words["text"],
    }, words
