"""How glassnet's objects show in a notebook: small HTML blocks and inline SVG curves, no widgets, no scripts.

``Network``, ``History``, the gradient-check report and the diagnosis give Jupyter a ``_repr_html_`` built here;
their ``repr``/``str`` stay the plain-text fallback; a network's description (``summary``, ``describe_input``, its
notebook table) is written here from its public attributes. ``curves`` draws cost curves as one inline SVG (nothing
to install, nothing to load); ``Curves`` wraps several runs' costs for display side by side.
"""

from __future__ import annotations

import html
import math

COLORS = ("#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00")


def curves(series: dict, width: int = 420, height: int = 180, title: str = "cost") -> str:
    """An inline SVG of one line per series ({name: [y per epoch]}), on shared axes; None and NaN skipped."""
    clean = {name: [(i, float(v)) for i, v in enumerate(values, 1) if v is not None and math.isfinite(float(v))]
             for name, values in series.items()}
    points = [p for values in clean.values() for p in values]
    if not points:
        return "<svg width='0' height='0'></svg>"
    x_max = max(max(i for i, _ in points), 2)
    y_min, y_max = min(v for _, v in points), max(v for _, v in points)
    y_max = y_max if y_max > y_min else y_min + 1.0
    left, bottom, right, top = 48, height - 22, width - 8, 18

    def xy(i, v):
        return (left + (right - left) * (i - 1) / (x_max - 1), bottom - (bottom - top) * (v - y_min) / (y_max - y_min))

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             "style='font:11px sans-serif;background:#fff'>",
             f"<text x='{left}' y='12'>{html.escape(title)}</text>",
             f"<line x1='{left}' y1='{bottom}' x2='{right}' y2='{bottom}' stroke='#888'/>",
             f"<line x1='{left}' y1='{top}' x2='{left}' y2='{bottom}' stroke='#888'/>",
             f"<text x='2' y='{top + 8}'>{y_max:.3g}</text><text x='2' y='{bottom}'>{y_min:.3g}</text>",
             f"<text x='{right - 60}' y='{height - 4}'>{x_max} epochs</text>"]
    for k, (name, values) in enumerate(clean.items()):
        color = COLORS[k % len(COLORS)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in values))
        parts.append(f"<polyline fill='none' stroke='{color}' stroke-width='1.5' points='{path}'/>")
        parts.append(f"<text x='{right - 150}' y='{top + 12 * (k + 1)}' fill='{color}'>{html.escape(str(name))}"
                     "</text>")
    parts.append("</svg>")
    return "".join(parts)


def table(rows: list[list], header: list | None = None) -> str:
    """An HTML table of text cells (escaped)."""
    head = "" if header is None else "<tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in header) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table style='border-collapse:collapse;font-size:12px'>{head}{body}</table>"


def block(title: str, *inner: str, color: str = "#0969da") -> str:
    """A titled block: the frame every glassnet object shows in a notebook."""
    return (f"<div style='border-left:4px solid {color};padding:4px 10px;margin:4px 0;font-family:sans-serif'>"
            f"<div style='font-weight:bold;color:{color}'>{html.escape(title)}</div>{''.join(inner)}</div>")


def pre(text: str) -> str:
    return f"<pre style='font-size:12px;margin:4px 0'>{html.escape(text)}</pre>"


class Curves:
    """Cost curves of several runs, shown as one SVG in a notebook, as a table of first and last costs in text.

    runs: {name: [cost per epoch or iteration]}, e.g. {"your functions": costs, "glassnet": history["cost"]}.
    """

    def __init__(self, runs: dict, title: str = "cost"):
        self.runs = {name: [float(v) for v in values if v is not None] for name, values in runs.items()}
        self.title = title

    def __repr__(self) -> str:
        lines = [f"{self.title}:"]
        for name, values in self.runs.items():
            if values:
                lines.append(f"  {name}: {len(values)} steps, first {values[0]:.6g}, last {values[-1]:.6g}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [[name, len(v), f"{v[0]:.6g}", f"{v[-1]:.6g}"] for name, v in self.runs.items() if v]
        return block(self.title, curves(self.runs, title=self.title),
                     table(rows, ["run", "steps", "first", "last"]))


# ---------------------------------------------------------------------- a network, described
def network_summary(net) -> str:
    """A table of layers: shapes, activations, keep_prob and parameter counts (``Network.summary``)."""
    rows = [f"{'layer':<7}{'W shape':<16}{'activation':<20}{'keep_prob(in)':<15}{'params':>10}"]
    for l, layer in enumerate(net.layers, start=1):
        rows.append(
            f"{l:<7}{str(layer.W.shape):<16}{layer.activation!r:<20}"
            f"{layer.keep_prob:<15g}{layer.W.size + layer.b.size:>10,}"
        )
    rows.append(f"total parameters: {net.n_params:,}   l2 = {net.l2:g}   dtype = {net.dtype}")
    rows.append(f"input: {describe_input(net)}")
    return "\n".join(rows)


def describe_input(net) -> str:
    """The input pipeline in words, e.g. "64 raw features / 16 -> standardized (train-set mean, variance)"."""
    steps = [f"{net.layer_dims[0]} raw features"]
    if net.input_scale is not None:
        steps.append(f"/ {net.input_scale:g}")
    steps.append("-> standardized (train-set mean and variance)" if net.normalizer is not None
                 else "-> used as they are" if net.input_scale is None else "")
    if net.target_normalizer is not None:
        steps.append("; targets standardized for training, predictions in their own units")
    return " ".join(s for s in steps if s)


def network_html(net) -> str:
    """The layer table as HTML for a notebook (``summary()`` is the text; ``Network._repr_html_``)."""
    rows = [[l, str(layer.W.shape), repr(layer.activation), f"{layer.keep_prob:g}", f"{layer.W.size + layer.b.size:,}"]
            for l, layer in enumerate(net.layers, start=1)]
    header = ["layer", "W shape", "activation", "keep_prob(in)", "params"]
    return block(f"Network {net.layer_dims}", table(rows, header),
                 f"<div><small>total parameters {net.n_params:,} · l2 = {net.l2:g} · dtype {net.dtype} · "
                 f"input: {html.escape(describe_input(net))}</small></div>")


__all__ = ["Curves", "block", "curves", "describe_input", "network_html", "network_summary", "pre", "table"]
