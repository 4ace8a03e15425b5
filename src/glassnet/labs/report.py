"""What every lab produces: a table, the notes' claims checked against measurements, figures, JSON."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import atomic
from .evidence import Evidence


@dataclass
class Claim:
    """A claim of the notes, its verdict on this run and what decided it (see ``labs.evidence``)."""

    text: str
    evidence: Evidence
    measured: str

    @property
    def verdict(self) -> str:
        """"holds", "fails" or "inconclusive"."""
        return self.evidence.verdict

    @property
    def holds(self) -> bool:
        return self.evidence.verdict == "holds"

    def line(self) -> str:
        mark = {"holds": "x", "fails": " ", "inconclusive": "?"}[self.verdict]
        word = {"holds": "holds", "fails": "FAILS on this run", "inconclusive": "inconclusive"}[self.verdict]
        if self.evidence.level is None:  # an exact check: nothing to test against noise
            return f"  [{mark}] {self.text}: {word}, exact ({self.measured})"
        return (f"  [{mark}] {self.text}: {word} ({self.measured})\n"
                f"      {self.evidence.test}: {self.evidence.summary}")

    def to_dict(self) -> dict:
        e = self.evidence
        return {"text": self.text, "verdict": e.verdict, "holds": self.holds, "measured": self.measured,
                "test": e.test, "level": e.level, "n": e.n, "summary": e.summary, "p_holds": e.p_holds,
                "p_fails": e.p_fails}


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
        from ..sweeps.parallel import map_values

        return map_values(function, data, items, backend=self.backend, n_workers=self.n_workers,
                          scheduler=self.scheduler, progress=self.verbose and self.backend != "sequential")

    @property
    def seeds(self) -> list[int]:
        """The seeds of the repeated runs: seed, seed+1, ..., never chosen by outcome."""
        return [self.seed + i for i in range(self.n_seeds)]

    def figure_path(self, name: str) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        return self.out / name

    def save_figure(self, fig, name: str, result: LabResult, shows: str) -> Path:
        """Write ``fig`` as ``out/name``, list it among the lab's figures, and say what it ``shows``.

        ``shows`` names the seed the figure draws ("seed 0") or how it sums the seeds ("median over 5
        seeds, band min-max"); the figure's title gets it unless a title already says it, and
        results.json keeps the titles the figure was saved with (``figure_titles``).
        """
        titles = [t for t in [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)] if t]
        if not any(shows in t for t in titles):
            suptitle = fig.get_suptitle()
            fig.suptitle(f"{suptitle}\n{shows}" if suptitle else shows, fontsize=9)
        path = self.figure_path(name)
        atomic.replace_atomic(path, lambda handle: fig.savefig(handle, format=path.suffix.lstrip(".") or "png"))
        result.figures.append(str(path))
        result.figure_titles[name] = [t for t in [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)] if t]
        return path


@dataclass
class LabResult:
    """A lab's outcome: ``rows`` (the table), ``claims``, ``figures``, ``data`` (all numbers), ``run_specs``
    (the lab's trainings as RunSpecs, ``describe_runs``)."""

    name: str
    title_zh: str
    title_en: str
    rows: list[dict] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    n: dict = field(default_factory=dict)
    figure_titles: dict = field(default_factory=dict)
    run_specs: dict = field(default_factory=dict)
    seconds: float = 0.0
    quick: bool = False

    @property
    def title(self) -> str:
        return f"{self.title_zh} / {self.title_en}"

    def claim(self, text: str, evidence: Evidence, measured: str) -> Claim:
        """Add a claim decided by ``evidence`` (``sign_test``, ``every_seed``, ``exact`` or ``all_of``)."""
        if not isinstance(evidence, Evidence):
            raise TypeError(f"claim {text!r}: evidence must be an Evidence (labs.evidence: sign_test, every_seed, "
                            f"exact, all_of), got {type(evidence).__name__}; a bare bool says nothing of the noise")
        c = Claim(text, evidence, measured)
        self.claims.append(c)
        return c

    def set_n(self, seeds, examples: dict | None = None, **more) -> None:
        """State n: the seeds the numbers come from (a list, [] when no seed draws anything) and the examples
        ({what: how many}, or as keywords: ``train=211, test=200``)."""
        seeds = [int(s) for s in seeds]
        examples = {**(examples or {}), **more}
        self.n = {"seeds": len(seeds), "seed_list": seeds, "examples": {k: int(v) for k, v in examples.items()}}

    def describe_runs(self, specs: dict, seeds=None, also: str = "") -> None:
        """State the lab's trainings as RunSpecs: ``specs`` {training: RunSpec} (of the first seed when the lab
        repeats them over ``seeds``: every seed runs the same spec with ``seed`` set to it, and with what
        ``also`` says, e.g. " and its own learning_rate").

        A note gives each spec's settings that differ from the run defaults (``RunSpec.describe``; the seed
        left out when there are several), and results.json keeps each spec whole (``to_dict``) under ``run_specs``.
        """
        self.run_specs = {name: spec.to_dict() for name, spec in specs.items()}
        seeds = [int(s) for s in seeds or ()]
        which = f"; every seed of {seeds} runs its spec with that seed{also}" if len(seeds) > 1 else ""
        lines = [f"the trainings as RunSpecs (glassnet.runs: runs.build + runs.fit; the settings that differ from "
                 f"the run defaults{which}):"]
        for name, spec in specs.items():
            parts = [line for line in spec.describe().splitlines() if not (which and line.startswith("seed:"))]
            lines.append(f"  {name}: " + ("; ".join(parts) or "the run defaults"))
        self.notes.append("\n".join(lines))

    def n_line(self) -> str:
        """'n = 5 seeds (0, 1, 2, 3, 4); examples: 211 train, 200 test', or '' when n was not stated."""
        if not self.n:
            return ""
        seeds = self.n["seeds"]
        text = (f"n = {seeds} seed{'s' if seeds != 1 else ''} ({', '.join(map(str, self.n['seed_list']))})"
                if seeds else "n = no seed (nothing random)")
        examples = ", ".join(f"{v} {k}" for k, v in self.n["examples"].items())
        return text + (f"; examples: {examples}" if examples else "")

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
        parts = [f"== {self.title} ==  (lab {self.name}{', quick mode' if self.quick else ''})", self.table(),
                 self.n_line()]
        parts += self.notes
        if self.claims:
            parts.append("claims of the notes, as measured (holds / FAILS / inconclusive: labs.evidence):")
            parts += [c.line() for c in self.claims]
        if self.figures:
            parts.append("figures: " + ", ".join(self.figures))
        parts.append(f"({self.seconds:.1f} s)")
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {"name": self.name, "title_zh": self.title_zh, "title_en": self.title_en, "quick": self.quick,
                "n": self.n, "rows": self.rows, "claims": [c.to_dict() for c in self.claims],
                "figures": self.figures, "figure_titles": self.figure_titles, "data": self.data, "notes": self.notes,
                **({"run_specs": self.run_specs} if self.run_specs else {}), "seconds": self.seconds}

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "results.json"
        atomic.write_text_atomic(path, json.dumps(_jsonable(self.to_dict()), indent=1, ensure_ascii=False))
        return path


def median_range(values) -> str:
    """'median [min, max]' of a list of numbers, as percentages when all are in [0, 1]."""
    values = np.asarray(values, dtype=float)
    return f"{np.median(values):.4g} [{values.min():.4g}, {values.max():.4g}]"


def paired_text(differences, scale: float = 100.0, unit: str = " points", label: str = "paired difference") -> str:
    """'L2 - none per seed: median +1.5 points [-0.5, +2]': the per-seed differences times ``scale``, named."""
    d = np.asarray(differences, dtype=float) * scale
    return f"{label} per seed: median {np.median(d):+.3g}{unit} [{d.min():+.3g}, {d.max():+.3g}]"


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
