"""What a sweep writes and answers: results.csv, summary.csv, sweep.json, errors.log and ``SweepResult``.

results.csv has one row per trial, appended as each trial finishes (a crash loses no finished
trial) and rewritten in trial order at the end; a rerun reads it back and skips the rows with
status "ok". summary.csv has one row per configuration: median, min and max over its seeds,
ranked by the median dev data cost (the training data cost without a dev set). sweep.json
describes the sweep: its base RunSpec, what was swept, the data's fingerprint; a rerun into the
same folder must have the same base and data (grid values and seeds may change).

Every file but the appended results.csv is written atomically (``write_text_atomic``); results.csv
is appended one whole, fsynced line per row and heals a torn last line (``rowfile``).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import HyperparameterError
from .parallel import TrialOutcome
from .rowfile import append_whole, format_line, read_rows, write_text_atomic
from .search import describe, format_value


@dataclass
class Trial:
    index: int
    config: dict     # the swept settings only
    settings: dict   # the trial's RunSpec as a dict: the base updated with config, and the seed
    seed: int
    id: str
    group: int       # which configuration (position in the list of configurations)


# ---------------------------------------------------------------------- files


def check_sweep_file(out: Path, fixed: dict, varying: dict) -> None:
    """Refuse a folder whose sweep had another base or other data; else (re)write sweep.json."""
    path = out / "sweep.json"
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except (OSError, ValueError):
            old = None
        if old is not None:
            stored = {k: old.get(k) for k in fixed}
            now = json.loads(json.dumps(fixed))
            if stored != now:
                diff = ", ".join(k for k in fixed if stored[k] != now[k])
                raise HyperparameterError(
                    f"{out} holds a sweep with other {diff}; a rerun resumes only the same sweep (grid values "
                    "and seeds may change): choose another out folder or delete this one")
    text = json.dumps({**fixed, **varying, "written": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=1)
    write_text_atomic(path, text)


def write_rows(path: Path, columns: list, rows: list) -> None:
    """A CSV file of ``columns`` (a row's other keys left out), one line per row, written atomically."""
    header = format_line(columns, {c: c for c in columns})
    write_text_atomic(path, header + "".join(format_line(columns, row) for row in rows))


def record(outcomes, pending: list, rows: dict, out: Path, columns: list, bar) -> int:
    """Append each finished trial to results.csv as it comes (one whole line, fsynced), its traceback
    to errors.log when it failed; return how many failed."""
    failed = 0
    for i, outcome in outcomes:
        t = pending[i]
        rows[t.id] = row = outcome_row(t, outcome)
        append_whole(out / "results.csv", format_line(columns, csv_row(row)))
        if not outcome.ok:
            failed += 1
            append_whole(out / "errors.log",
                         f"== trial {t.index} ({describe(t.config) or 'fixed settings'}, seed {t.seed}) on "
                         f"{outcome.worker}, {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
                         f"{(outcome.traceback or outcome.error).rstrip()}\n")
        bar.update()
        bar.set_postfix(failed=failed)
    return failed


# ---------------------------------------------------------------------- rows


def _number(text):
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def stored_row(t: Trial, stored: dict, keys: list) -> dict:
    """A row read back from results.csv, with this sweep's values (not their text) for the swept settings."""
    row = {k: _number(v) for k, v in stored.items() if k not in keys}
    row.update({"trial": t.index, "id": t.id, "seed": t.seed, "error": stored.get("error", ""),
                "worker": stored.get("worker", ""), "status": stored.get("status")})
    row.update(t.config)
    return row


def outcome_row(t: Trial, outcome: TrialOutcome) -> dict:
    row = {"trial": t.index, "id": t.id, **t.config, "seed": t.seed, "status": "ok" if outcome.ok else "error",
           "seconds": outcome.seconds, "worker": outcome.worker, "error": outcome.error}
    if outcome.ok:
        value = outcome.value
        if not isinstance(value, dict):
            row.update(status="error", error=f"TypeError: the trial function returned {type(value).__name__}, "
                                             "not a dict of results")
        else:
            row.update({k: v for k, v in value.items() if k not in row})
    return row


def csv_row(row: dict) -> dict:
    text = {}
    for key, value in row.items():
        if isinstance(value, float | np.floating):
            text[key] = repr(float(value))  # the shortest text that reads back to the same float
        elif isinstance(value, list | tuple) or value is None:
            text[key] = "" if value is None else format_value(value)
        else:
            text[key] = str(value)
    return text


# ---------------------------------------------------------------------- summary and best


def stats(values: list) -> tuple[float, float, float]:
    """(median, min, max) of the values that are not None; NaNs when there are none."""
    values = np.asarray([v for v in values if v is not None], dtype=float)
    if values.size == 0:
        return math.nan, math.nan, math.nan
    return float(np.median(values)), float(values.min()), float(values.max())


def ok_rows(trials: list, rows: dict, group: int | None = None) -> list[dict]:
    """The finished rows (status "ok") of the trials, of one configuration when ``group`` is given."""
    return [rows[t.id] for t in trials if (group is None or t.group == group) and t.id in rows
            and rows[t.id].get("status") == "ok"]


def summarize(trials, configs, rows, metric_columns, rank_by) -> list[dict]:
    summary = []
    for group, config in enumerate(configs):
        ok = ok_rows(trials, rows, group)
        tried = sum(1 for t in trials if t.group == group and t.id in rows)
        entry = {**config, "seeds": len(ok), "failed": tried - len(ok)}
        for column in [*metric_columns, "best_epoch", "seconds"]:
            median, low, high = stats([r.get(column) for r in ok])
            entry[f"{column}_median"] = median
            if column in metric_columns:
                entry[f"{column}_min"], entry[f"{column}_max"] = low, high
        summary.append(entry)
    summary.sort(key=lambda e: (math.isnan(e[f"{rank_by}_median"]), e[f"{rank_by}_median"]))
    return [{"rank": i + 1, **entry} for i, entry in enumerate(summary)]


def summary_csv(entry: dict, keys: list) -> dict:
    """Swept values as in results.csv; statistics to 6 significant digits (results.csv has them exactly)."""
    return {k: (format_value(v) if k in keys else f"{v:.6g}" if isinstance(v, float) else v)
            for k, v in entry.items()}


def best_trial(summary, trials, rows, rank_by) -> dict | None:
    """The best configuration's best seed: {"config", "seed", "id", "settings", "row", "model"}, or None
    when no trial of the best-ranked configuration finished."""
    if summary[0]["seeds"] == 0:
        return None
    config = {k: summary[0][k] for k in trials[0].config}
    candidates = [t for t in trials if t.config == config and t.id in rows and rows[t.id].get("status") == "ok"]
    t = min(candidates, key=lambda c: (rows[c.id][rank_by], c.seed))
    return {"config": config, "seed": t.seed, "id": t.id, "settings": t.settings, "row": rows[t.id], "model": None}


# ---------------------------------------------------------------------- the result


@dataclass
class SweepResult:
    """What a sweep measured: ``rows`` (one per trial, in order), ``summary`` (one per configuration,
    ranked), ``best`` ({"config", "seed", "row", "model"} or None) and the files it wrote in ``out``."""

    out: Path
    keys: list[str]
    rows: list[dict]
    summary: list[dict]
    rank_by: str
    best: dict | None = None
    ran: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    backend: str = "local"
    figures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, top: int = 10) -> str:
        """The ``top`` configurations of the summary as a text table."""
        metrics = [c for c in self.summary[0] if c.endswith("_median") and not c.startswith(("seconds", "best_"))] \
            if self.summary else []
        columns = ["rank", *self.keys, "seeds", "failed", *metrics]
        cells = [[_cell(row.get(c)) for c in columns] for row in self.summary[:top]]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
        if len(self.summary) > top:
            lines.append(f"... {len(self.summary) - top} more configurations in {self.out / 'summary.csv'}")
        return "\n".join(lines)

    def report(self, top: int = 10) -> str:
        """What ran, the ``top`` configurations, notes and the best trial, as text."""
        head = (f"{len(self.summary)} configurations, {len(self.rows)} trials on {self.backend}: {self.ran} ran, "
                f"{self.skipped} were already done, {self.failed} failed ({self.seconds:.1f} s); ranked by the "
                f"median {self.rank_by.replace('_', ' ')}")
        parts = [head, self.table(top), *self.notes]
        if self.best is not None:
            parts.append(f"best: {describe(self.best['config']) or 'the fixed settings'}, seed {self.best['seed']}"
                         + (f" -> {self.best['model']}" if self.best.get("model") else ""))
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.report()


def _cell(value) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return "" if value is None else str(value)


__all__ = ["SweepResult", "Trial", "best_trial", "check_sweep_file", "csv_row", "ok_rows", "outcome_row",
           "read_rows", "record", "stats", "stored_row", "summarize", "summary_csv", "write_rows",
           "write_text_atomic"]
