"""What a sweep varies: the settings' names and values, grids, random draws, the seeds.

The settings are RunSpec's fields for the network and its fit (``SETTINGS``); their values are
checked by RunSpec itself: a value is good when ``spec.replace(**{name: value})`` takes it, and it
is kept in the spec's JSON form (``spec.to_dict()``: lists, not tuples), so a configuration is a
small JSON dict and ``spec.replace(**config)`` gives the trial's spec. Text (the command line's
``--grid l2=0,0.1``) is read into numbers, lists and booleans here, by the field's type.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import fields

import numpy as np

from ..errors import HyperparameterError, unknown_name
from ..runs import RunSpec, SpecError
from ..runs.spec import SECTIONS

DISTRIBUTIONS = ("uniform", "log", "int", "choice")
NOT_SWEPT = ("checkpoint_every", "diagnostics")  # what a trial writes or records, not how it trains
SETTINGS = {name: RunSpec().to_dict()[name]
            for part in ("input pipeline", "architecture", "initialization", "regularization", "optimizer", "fit")
            for name in SECTIONS[part] if name not in NOT_SWEPT}
"""Every setting a sweep can fix or vary, with its RunSpec default (the run defaults of ``glassnet.defaults``)."""
_TYPES = {f.name: str(f.type) for f in fields(RunSpec)}
NONE_TEXTS = ("none", "default", "")

# ---------------------------------------------------------------------- names and values


def setting_name(name: str) -> str:
    """'keep-prob' -> 'keep_prob'; unknown names are refused with the list of known ones."""
    key = str(name).strip().lower().replace("-", "_")
    if key not in SETTINGS:
        raise unknown_name("sweep setting", name, list(SETTINGS))
    return key


def read_text(key: str, text: str):
    """A setting's value from text, by the RunSpec field's type: "20x7" -> [20, 7], "0.1" -> 0.1, "none" -> None.

    Only the reading is done here; whether the value is allowed is RunSpec's to say. batch_size 0 is
    full batch (None), as on the command line.
    """
    kind, text = _TYPES[key], text.strip()
    if text.lower() in NONE_TEXTS and "None" in kind:
        return None
    try:
        if key == "layers" or (key == "keep_prob" and "x" in text):
            parts = text.replace(",", "x").split("x")  # "20xx7" has an empty size: refused, not read as 20x7
            return [_number(p, int if key == "layers" else float) for p in parts]
        if kind.startswith("bool"):
            return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}[text.lower()]
        if kind.startswith("int"):
            number = _number(text, int)
            return None if key == "batch_size" and number == 0 else number
        if kind.startswith("float"):
            return _number(text, float)
    except (KeyError, ValueError):
        raise SpecError(f"sweep setting {key!r} cannot take the value {text!r}"
                        f"{' (hidden sizes like 20x7)' if key == 'layers' else ''}", key) from None
    return text


def _number(text: str, kind: type):
    value = float(text)  # an empty entry raises ValueError
    if kind is int:
        if value != int(value):
            raise ValueError(text)
        return int(value)
    return value


def setting_value(key: str, value, spec: RunSpec | None = None):
    """``value`` of setting ``key`` as the spec holds it in JSON (lists, lowercase names), checked by
    ``spec.replace`` (a SpecError naming the field if RunSpec refuses it). ``spec``: the base of the
    sweep (default ``RunSpec()``): a value is checked with the other settings it will run with."""
    key = setting_name(key)
    if isinstance(value, str):
        value = read_text(key, value)
    elif isinstance(value, np.generic):
        value = value.item()
    checked = (spec or RunSpec()).replace(**{key: value})
    return checked.to_dict()[key]


def format_value(value) -> str:
    """How a setting's value is written in CSV files and figure labels: [20, 7] -> '20x7', None -> 'none'."""
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        return "x".join(format_value(v) for v in value)
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def sort_key(value):
    """An order for a setting's values: None, then numbers, then lists (by length), then names."""
    if value is None:
        return (0, 0.0, "")
    if isinstance(value, int | float | np.integer | np.floating):  # bool too
        return (1, float(value), "")
    if isinstance(value, list | tuple):
        return (2, float(len(value)), format_value(value))
    return (3, 0.0, str(value))


def describe(config: dict) -> str:
    """'l2=0.1, layers=20x7'."""
    return ", ".join(f"{k}={format_value(v)}" for k, v in config.items())


# ---------------------------------------------------------------------- grids and random draws


def parse_grid(items: Sequence[str]) -> dict:
    """``["l2=0,0.1,0.7", "layers=20x7,40x20x7"]`` (the CLI's --grid) -> {"l2": ["0", "0.1", "0.7"], ...}."""
    grid = {}
    for item in items:
        name, values = _split_assignment(item, "--grid", "l2=0,0.1,0.7")
        key = setting_name(name)
        if key in grid:
            raise HyperparameterError(f"--grid {key} is given twice; list every value in one --grid {key}=...")
        grid[key] = [v for v in values.split(",") if v.strip()]
    return grid


def parse_random(items: Sequence[str]) -> dict:
    """``["learning_rate=log:1e-4:1e-1", "keep_prob=choice:0.8,1", "batch_size=int:16:128"]`` -> distributions."""
    return {setting_name(name): _distribution_of_text(text)
            for name, text in (_split_assignment(item, "--random", "learning_rate=log:1e-4:1e-1") for item in items)}


def _distribution_of_text(text: str) -> tuple:
    kind, _, rest = text.partition(":")
    return ("choice", [v for v in rest.split(",") if v.strip()]) if kind == "choice" else (kind, *rest.split(":"))


def _split_assignment(item: str, flag: str, example: str) -> tuple[str, str]:
    name, sep, values = str(item).partition("=")
    if not sep or not name.strip() or not values.strip():
        raise HyperparameterError(f"{flag} takes NAME=VALUES like {example}, got {item!r}")
    return name.strip(), values.strip()


def check_distribution(key: str, dist, spec: RunSpec | None = None) -> tuple:
    """("log", low, high) | ("uniform", low, high) | ("int", low, high) | ("choice", [values]), checked."""
    if isinstance(dist, str):
        dist = _distribution_of_text(dist)
    if not isinstance(dist, tuple | list) or not dist or dist[0] not in DISTRIBUTIONS:
        raise HyperparameterError(
            f"random setting {key!r} needs a distribution: ('uniform', low, high), ('log', low, high), "
            f"('int', low, high) or ('choice', [values]) (text: 'log:1e-4:1e-1'), got {dist!r}")
    kind = dist[0]
    if kind == "choice":
        values = list(dist[1]) if len(dist) == 2 and isinstance(dist[1], list | tuple) else list(dist[1:])
        if not values:
            raise HyperparameterError(f"random setting {key!r}: 'choice' needs at least one value")
        return ("choice", [setting_value(key, v, spec) for v in values])
    try:
        low, high = float(dist[1]), float(dist[2])
    except (IndexError, TypeError, ValueError) as exc:
        raise HyperparameterError(f"random setting {key!r}: {kind!r} needs a low and a high value, "
                                  f"got {dist!r}") from exc
    if not low <= high or (kind == "log" and low <= 0):
        raise HyperparameterError(f"random setting {key!r}: needs low <= high{' and low > 0' if kind == 'log' else ''}"
                                  f", got {low} and {high}")
    return (kind, low, high)


def _draw(key: str, dist: tuple, rng: np.random.Generator, spec: RunSpec | None):
    kind = dist[0]
    if kind == "choice":
        return dist[1][int(rng.integers(len(dist[1])))]
    low, high = dist[1], dist[2]
    if kind == "int":
        return setting_value(key, int(rng.integers(math.ceil(low), math.floor(high) + 1)), spec)
    value = math.exp(rng.uniform(math.log(low), math.log(high))) if kind == "log" else rng.uniform(low, high)
    return setting_value(key, float(f"{value:.4g}"), spec)  # 4 significant digits: readable, still spread


def expand(grid: dict | None = None, random: dict | None = None, n_random: int = 0, random_seed: int = 0,
           spec: RunSpec | None = None) -> list:
    """The configurations of a sweep: every combination of ``grid`` crossed with ``n_random`` draws.

    ``grid``: {setting: [values]} (the last setting varies fastest). ``random``: {setting: distribution},
    drawn ``n_random`` times from ``random_seed``, so the same arguments always give the same list.
    Without either, one configuration (no setting varied: a sweep over seeds). Duplicates are dropped.
    Each value is checked by ``spec.replace`` (``spec``: the sweep's base, default ``RunSpec()``).
    """
    grid = {setting_name(k): v for k, v in (grid or {}).items()}
    random = {setting_name(k): check_distribution(setting_name(k), v, spec) for k, v in (random or {}).items()}
    both = set(grid) & set(random)
    if both:
        raise HyperparameterError(f"{', '.join(sorted(both))} is both in the grid and drawn at random; choose one")
    for key, values in grid.items():
        if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray) or len(values) == 0:
            raise HyperparameterError(f"grid[{key!r}] must be a non-empty list of values, got {values!r}")
    if random and (isinstance(n_random, bool) or not isinstance(n_random, int) or n_random < 1):
        raise HyperparameterError(f"n_random must be >= 1 when settings are drawn at random, got {n_random!r}")
    grid_values = [[setting_value(k, v, spec) for v in vs] for k, vs in grid.items()]
    grid_configs = [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid_values)]
    rng = np.random.default_rng(random_seed)
    random_configs = [{k: _draw(k, d, rng, spec) for k, d in random.items()} for _ in range(n_random)] or [{}]
    configs, seen = [], set()
    for g in grid_configs:
        for r in random_configs:
            config = {**g, **r}
            text = json.dumps(config, sort_keys=True)
            if text not in seen:
                seen.add(text)
                configs.append(config)
    return configs


def check_seeds(seeds, first: int = 0) -> list[int]:
    """5 -> [first, first + 1, ..., first + 4]; a list of distinct ints >= 0 is kept as it is."""
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        if seeds < 1:
            raise HyperparameterError(f"seeds must be >= 1 (how many) or a list of seeds, got {seeds}")
        return list(range(first, first + int(seeds)))
    try:
        values = [int(s) for s in seeds]
    except (TypeError, ValueError) as exc:
        raise HyperparameterError(f"seeds must be a count or a list of integers, got {seeds!r}") from exc
    if not values or len(set(values)) != len(values) or min(values) < 0:
        raise HyperparameterError(f"seeds must be a non-empty list of distinct integers >= 0, got {seeds!r}")
    return values


__all__ = ["DISTRIBUTIONS", "SETTINGS", "check_distribution", "check_seeds", "describe", "expand", "format_value",
           "parse_grid", "parse_random", "read_text", "setting_name", "setting_value", "sort_key"]
