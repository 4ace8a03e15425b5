"""The notes' experiments, one module each: ``glassnet lab NAME`` or ``glassnet.labs.run(NAME)``.

Each lab opens with the title of the section of the notes it reproduces (in Chinese and English),
runs the experiment, prints a table, checks the notes' claims against what it measured (and says
so when a claim does not hold on the data), writes PNG figures and ``results.json``.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from ..errors import unknown_name
from .report import LabContext, LabResult

LABS = {
    "broadcasting": "broadcasting",
    "activations": "activations",
    "numerical-derivative": "numerical_derivative",
    "gradient-check": "gradient_check",
    "vanishing-exploding": "vanishing_exploding",
    "initialization": "initialization",
    "regularization": "regularization",
    "dropout-debugging": "dropout_debugging",
    "early-stopping": "early_stopping",
    "normalization": "normalization",
    "augmentation": "augmentation",
    "deep-network": "deep_network",
}


def module(name: str):
    key = name.strip().lower().replace("_", "-")
    if key not in LABS:
        raise unknown_name("lab", name, list(LABS))
    return importlib.import_module(f"{__name__}.{LABS[key]}")


def titles() -> dict[str, str]:
    """{lab name: "中文 / English"} for every lab."""
    result = {}
    for name in LABS:
        mod = module(name)
        result[name] = f"{mod.TITLE_ZH} / {mod.TITLE_EN}"
    return result


def run(name: str, out=None, seed: int = 0, quick: bool = False, seeds: int = 5, data_path=None,
        verbose: bool = True, backend: str = "sequential", n_workers: int | None = None,
        scheduler=None) -> LabResult:
    """Run lab ``name``: print its table and claims, write figures and results.json into ``out``.

    ``backend`` ("sequential", "local" or "dask", with ``n_workers`` and ``scheduler`` as in
    ``glassnet.sweeps``) runs the repeated trainings of the labs that use ``ctx.map``; the table is the same.
    """
    mod = module(name)
    key = name.strip().lower().replace("_", "-")
    folder = Path(out) if out is not None else Path("runs") / f"lab-{key}"
    context = LabContext(out=folder, seed=seed, quick=quick, n_seeds=seeds, data_path=data_path,
                         verbose=verbose, backend=backend, n_workers=n_workers, scheduler=scheduler)
    result = LabResult(key, mod.TITLE_ZH, mod.TITLE_EN, quick=quick)
    if verbose:
        print(f"== {result.title} ==", flush=True)
    started = time.perf_counter()
    mod.run(context, result)
    result.seconds = time.perf_counter() - started
    result.figures = [str(Path(f)) for f in result.figures]
    result.save(folder)
    if verbose:
        print(str(result).split("\n", 1)[1], flush=True)
    return result


__all__ = ["LABS", "LabContext", "LabResult", "module", "run", "titles"]
