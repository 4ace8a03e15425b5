"""Runs: one description of a training run (``RunSpec``) and what carries it out, for every front end.

    spec.py     RunSpec: the fields, their checks, the JSON round trip (the run defaults apply here)
    data.py     the run's data: a built-in set or a file, read raw, split into train, dev and test
    execute.py  the network a spec describes (``build``), its fit (``fit``), a whole run (``train``)
"""

from .data import RunData, prepare
from .execute import Run, build, build_for, fit, fit_settings, plan, train
from .spec import RunSpec, SpecError

__all__ = ["Run", "RunData", "RunSpec", "SpecError", "build", "build_for", "fit", "fit_settings", "plan",
           "prepare", "train"]
