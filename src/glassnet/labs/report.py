"""What every lab produces: a table, the notes' claims checked against measurements, figures, JSON."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Claim:
    """A claim of the notes and whether it held in this run, with the numbers that decide it."""

    text: str
    holds: bool
    measured: str

    def line(self) -> str:
        verdict = "holds" if self.holds else "DOES NOT HOLD on this run"
        return f"  [{'x' if self.holds else ' '}] {self.text}: {verdict} ({self.measured})"


@dataclass
class LabContext:
    """What a lab is given: where to write, the seed, quick mode, the seeds to repeat over, data."""

    out: Path
    seed: int = 0
    quick: bool = False
    n_seeds: int = 5
    data_path: str | None = None
    verbose: bool = True
    backend: str = "sequential"  # where ``map`` runs trainings: "sequential", "local" or "dask" (glassnet.sweeps)
    n_workers: int | None = None
    scheduler: object = None

    def map(self, function, data: dict, items: list) -> list:
        """``function(data, config, seed)`` for each (config, seed) of ``items``, on the lab's backend.

        The values come back in the items' order, and are the same whichever backend ran them (each
        training runs under one BLAS thread everywhere). ``function`` must be importable by name (a
        module-level function) for the process and Dask backends.
        """
        from ..sweeps import map_values

        return map_values(function, data, items, backend=self.backend, n_workers=self.n_workers,
                          scheduler=self.scheduler, progress=self.verbose and self.backend != "sequential")

    @property
    def seeds(self) -> list[int]:
        """The seeds of the repeated runs: seed, seed+1, ..., never chosen by outcome."""
        return [self.seed + i for i in range(self.n_seeds)]

    def figure_path(self, name: str) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        return self.out / name

    def save_figure(self, fig, name: str, result: LabResult) -> Path:
        """Write ``fig`` as ``out/name`` and list it among the lab's figures."""
        path = self.figure_path(name)
        fig.savefig(path)
        result.figures.append(str(path))
        return path


@dataclass
class LabResult:
    """A lab's outcome: ``rows`` (the table), ``claims``, ``figures``, ``data`` (all numbers)."""

    name: str
    title_zh: str
    title_en: str
    rows: list[dict] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    quick: bool = False

    @property
    def title(self) -> str:
        return f"{self.title_zh} / {self.title_en}"

    def claim(self, text: str, holds, measured: str) -> Claim:
        c = Claim(text, bool(holds), measured)
        self.claims.append(c)
        return c

    def table(self) -> str:
        if not self.rows:
            return ""
        columns = list(dict.fromkeys(k for row in self.rows for k in row))
        cells = [[_fmt(row.get(c, "")) for c in columns] for row in self.rows]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
        return "\n".join(lines)

    def __str__(self) -> str:
        parts = [f"== {self.title} ==  (lab {self.name}{', quick mode' if self.quick else ''})", self.table()]
        parts += self.notes
        if self.claims:
            parts.append("claims of the notes, as measured:")
            parts += [c.line() for c in self.claims]
        if self.figures:
            parts.append("figures: " + ", ".join(self.figures))
        parts.append(f"({self.seconds:.1f} s)")
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {"name": self.name, "title_zh": self.title_zh, "title_en": self.title_en, "quick": self.quick,
                "rows": self.rows, "claims": [vars(c) for c in self.claims], "figures": self.figures,
                "data": self.data, "notes": self.notes, "seconds": self.seconds}

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "results.json"
        path.write_text(json.dumps(_jsonable(self.to_dict()), indent=1, ensure_ascii=False))
        return path


def median_range(values) -> str:
    """'median [min, max]' of a list of numbers, as percentages when all are in [0, 1]."""
    values = np.asarray(values, dtype=float)
    return f"{np.median(values):.4g} [{values.min():.4g}, {values.max():.4g}]"


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _fmt(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.4g}"
    return str(value)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
