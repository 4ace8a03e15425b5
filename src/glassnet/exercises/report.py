"""The report of an exercise check: passed or not, what was run, what differs, the diagnosis, in text and HTML.

``str(report)`` is what a learner reads in a terminal or a notebook's plain output; ``_repr_html_`` is what
Jupyter shows (no widgets, no scripts: one styled block). Both in English or Chinese (``lang``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np

from .compare import describe, first_difference, shape_text
from .messages import WORDS, formula_line, mistake_text


@dataclass
class Finding:
    """A known mistake found: ``key`` (messages.MISTAKES), the part it shows in, its values, how many cases."""

    key: str
    part: str
    values: dict
    formula: str | None = None
    count: int = 1
    parts: list = field(default_factory=list)

    def text(self, lang: str) -> tuple[str, str, list[str]]:
        """(what, fix, formula lines) in ``lang``."""
        values = dict(self.values)
        if self.parts:
            values["part"] = ", ".join([self.part, *self.parts])
        what, fix, line = mistake_text(self.key, lang, self.formula, **values)
        lines = [line]
        if self.key == "rank1" and self.formula is None and "(8)" not in line:
            lines.append(formula_line("(8)", lang)) if values.get("part", "").startswith("db") else None
        return what, fix, lines


class Report:
    """The outcome of ``glassnet.exercises.check``: ``passed``, the cases run, the findings, printable in en/zh."""

    def __init__(self, name, results, findings, notes, calls, lang, argument_names):
        self.name = name
        self.results = results
        self.findings = findings
        self.notes = notes
        self.calls = calls
        self.lang = lang
        self.argument_names = argument_names

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failed_cases(self) -> list:
        return [r for r in self.results if not r.passed]

    @property
    def mistakes(self) -> list[str]:
        """The keys of the mistakes found (messages.MISTAKES), most cases first."""
        return [f.key for f in self.findings]

    def _w(self, key: str, **values) -> str:
        return WORDS[self.lang][key].format(**values)

    def headline(self) -> str:
        n = len(self.results)
        if self.passed:
            return f"{self.name}: {self._w('passed')} — {self._w('all_cases', n=n)}"
        bad = len(self.failed_cases)
        if self.lang == "zh":
            return f"{self.name}：{self._w('failed')} — {n} 个用例中有 {bad} 个与 glassnet.notes 不同"
        return f"{self.name}: {self._w('failed')} — {bad} of {n} cases differ from glassnet.notes"

    def ran_line(self, result) -> str:
        parts = []
        for name, value in zip(self.argument_names, result.case.args, strict=False):
            text = repr(value) if isinstance(value, str | int | float | list) and not isinstance(value, bool) \
                else shape_text(value) if not isinstance(value, dict) else "{" + ", ".join(
                    f"{k}: {shape_text(v)}" for k, v in value.items()) + "}"
            parts.append(f"{name}={text}")
        label = result.case.label[1 if self.lang == "zh" else 0]
        return f"{self.name}({', '.join(parts)})  [{label}]"

    def differs_line(self, result) -> str:
        from .index import get

        if result.error is not None:
            return f"{self._w('error')} {type(result.error).__name__}: {result.error}"[:400]
        if not result.diffs:
            changed = ", ".join(result.mutated)
            return f"{changed}: " + ("被原地修改" if self.lang == "zh" else "changed in place")
        diff = result.diffs[0]
        label = get(self.name).label_of(diff.path)
        if diff.kind == "value" and isinstance(diff.got, np.ndarray) and np.ndim(diff.expected) > 0:
            where = first_difference(diff.expected, diff.got)
            if where:
                index, got, expected = where
                return (f"{label}{index}: {self._w('yours')} {got:.8g}, {self._w('expected')} {expected:.8g}"
                        + (f"  (+{len(result.diffs) - 1})" if len(result.diffs) > 1 else ""))
        if diff.kind == "missing":
            return f"{label}: {self._w('yours')} <missing>, {self._w('expected')} {describe(diff.expected)}"
        return f"{label}: {self._w('yours')} {describe(diff.got)}, {self._w('expected')} {describe(diff.expected)}"

    def lines(self) -> list[str]:
        out = [self.headline()]
        failing = self.failed_cases
        if failing:
            first = failing[0]
            out += [f"{self._w('ran')}: {self.ran_line(first)}", f"{self._w('differs')}: {self.differs_line(first)}"]
            out.append(f"{self._w('diagnosis')}:" if self.findings else f"{self._w('diagnosis')}: "
                       f"{self._w('no_diagnosis')}")
            for i, finding in enumerate(self.findings, 1):
                what, fix, formulas = finding.text(self.lang)
                out.append(f"  {i}. {what}")
                out.append(f"     {self._w('fix')}: {fix}")
                out += [f"     {line}" for line in formulas]
            out += [f"  - {self._w('calls', name=name)}" for name in self.calls]
        for note in self.notes:
            what, fix, formulas = note.text(self.lang)
            out.append(f"{self._w('note')}: {what} ({self._w('fix')}: {fix}; {formulas[0]})")
        marks = "  ".join(("✓ " if r.passed else "✗ ") + r.case.label[1 if self.lang == "zh" else 0]
                          for r in self.results)
        out.append(f"{self._w('cases')}: {marks}" if self.lang == "en" else f"用例：{marks}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, printer, cycle) -> None:
        """IPython's plain-text display: the whole report (the notebook's fallback to the HTML)."""
        printer.text(str(self))

    def __repr__(self) -> str:
        return f"<exercise report {self.name}: {'passed' if self.passed else 'FAILED'}, mistakes={self.mistakes}>"

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.passed else "#cf222e"
        esc = html.escape
        rows = [f'<div class="glassnet-exercise" style="border-left:4px solid {color};padding:6px 10px;'
                f'margin:4px 0;font-family:sans-serif">',
                f'<div style="font-weight:bold;color:{color}">{esc(self.headline())}</div>']
        failing = self.failed_cases
        if failing:
            first = failing[0]
            rows.append(f"<div><b>{esc(self._w('ran'))}</b>: <code>{esc(self.ran_line(first))}</code></div>")
            rows.append(f"<div><b>{esc(self._w('differs'))}</b>: <code>{esc(self.differs_line(first))}</code></div>")
            rows.append(f"<div><b>{esc(self._w('diagnosis'))}</b>:" + ("" if self.findings else
                                                                        f" {esc(self._w('no_diagnosis'))}") + "</div>")
            items = []
            for finding in self.findings:
                what, fix, formulas = finding.text(self.lang)
                items.append(f"<li>{esc(what)}<br><b>{esc(self._w('fix'))}</b>: <code>{esc(fix)}</code>"
                             + "".join(f"<br><small>{esc(line)}</small>" for line in formulas) + "</li>")
            items += [f"<li>{esc(self._w('calls', name=name))}</li>" for name in self.calls]
            rows.append("<ol>" + "".join(items) + "</ol>" if items else "")
        for note in self.notes:
            what, fix, formulas = note.text(self.lang)
            rows.append(f"<div><i>{esc(self._w('note'))}</i>: {esc(what)} — <code>{esc(fix)}</code></div>")
        cells = "".join(f'<span style="margin-right:10px;color:{"#1a7f37" if r.passed else "#cf222e"}">'
                        f'{"✓" if r.passed else "✗"} {esc(r.case.label[1 if self.lang == "zh" else 0])}</span>'
                        for r in self.results)
        rows.append(f"<div><small>{cells}</small></div></div>")
        return "".join(rows)

    def to_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "mistakes": self.mistakes,
                "cases": [{"label": r.case.label[0], "passed": r.passed} for r in self.results], "text": str(self)}


__all__ = ["Finding", "Report"]
