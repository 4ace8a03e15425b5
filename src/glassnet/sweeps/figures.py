"""The figures of a sweep: one per swept setting, the ranking split's accuracy (or rmse) against its values.

Each point is a configuration's median over its seeds, with a bar from the min to the max. With
other swept settings, one line per combination of theirs (up to six; past that every trial at a
value is pooled). A setting with up to 12 values is drawn as categories; a numeric one with more
is drawn on its own axis (logarithmic when its values span a factor of 100 or more).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from .. import atomic
from .results import ok_rows, stats
from .rowfile import os_failure
from .search import describe, format_value, sort_key

MAX_CATEGORIES = 12
MAX_LINES = 6


def draw_figures(out: Path, keys: list, configs: list, trials: list, rows: dict, metric: str,
                 rank_by: str) -> list[str]:
    """One PNG per swept setting in ``out``; their paths."""
    split = rank_by.split("_", 1)[0]
    column = f"{split}_{metric}"
    per_config = [(config, [r.get(column) for r in ok_rows(trials, rows, group)])
                  for group, config in enumerate(configs)]
    paths = []
    for key in keys:
        path = out / f"{column}_{key}.png"
        save_atomic(_setting_figure(key, keys, configs, per_config, f"{split} {metric}"), path)
        paths.append(str(path))
    return paths


def save_atomic(fig, path: Path) -> None:
    """The figure as a PNG, written whole (``glassnet.atomic``)."""
    try:
        atomic.replace_atomic(path, lambda handle: fig.savefig(handle, format="png"))
    except OSError as exc:
        raise os_failure(path, exc) from exc


def _groups(key: str, keys: list, per_config: list, categorical: bool) -> dict:
    """{label of the other settings' values: [(this setting's value, the trials' values)]}."""
    others = [k for k in keys if k != key]
    groups = {}
    for config, values in per_config:
        groups.setdefault(describe({k: config[k] for k in others}), []).append((config[key], values))
    if categorical and len(groups) > MAX_LINES:  # too many lines to read: pool every trial at each value
        pooled = {}
        for points in groups.values():
            for value, values in points:
                pooled.setdefault(json.dumps(value), []).extend(values)
        groups = {"all other settings pooled": [(json.loads(k), v) for k, v in pooled.items()]}
    return groups


def _setting_figure(key: str, keys: list, configs: list, per_config: list, what: str):
    from ..plots import new_figure

    distinct = sorted({json.dumps(c[key]): c[key] for c in configs}.values(), key=sort_key)
    categorical = len(distinct) <= MAX_CATEGORIES
    position = {json.dumps(v): i for i, v in enumerate(distinct)}
    groups = _groups(key, keys, per_config, categorical)
    fig = new_figure(6.5, 4.2)
    ax = fig.add_subplot()
    width = 0.3 / max(1, len(groups))
    for g, (label, points) in enumerate(groups.items()):
        xs, medians, lows, highs = [], [], [], []
        for value, values in sorted(points, key=lambda p: sort_key(p[0])):
            median, low, high = stats(values)
            if math.isnan(median):
                continue
            x = position[json.dumps(value)] if categorical else float(value)
            xs.append(x + (g - (len(groups) - 1) / 2) * width if categorical else x)
            medians.append(median)
            lows.append(median - low)
            highs.append(high - median)
        if xs:
            ax.errorbar(xs, medians, yerr=[lows, highs], marker="o", capsize=3,
                        linestyle="-" if categorical else "none", label=label or None)
    if categorical:
        ax.set_xticks(range(len(distinct)), [format_value(v) for v in distinct])
    elif all(isinstance(v, int | float) and v > 0 for v in distinct) and max(distinct) / min(distinct) >= 100:
        ax.set_xscale("log")
    ax.set_xlabel(key)
    ax.set_ylabel(f"{what}: median, min-max over seeds")
    ax.set_title(f"{what} against {key}")
    ax.grid(alpha=0.3)
    if any(groups) and 1 < len(groups) <= MAX_LINES:
        ax.legend(fontsize=7)
    return fig


__all__ = ["draw_figures"]
