"""Many trainings at once: a grid and/or random search over a RunSpec's settings, crossed with seeds.

    result = gn.sweeps.run_sweep(gn.RunSpec(data="moons", layers=(20, 7), epochs=300),
                                 grid={"l2": [0, 0.1, 0.7], "keep_prob": [1, 0.86]}, seeds=5, out="runs/sweep1")
    result = gn.sweep(X, Y, X_dev=X_dev, Y_dev=Y_dev, layers=[20, 7], epochs=300,
                      grid={"l2": [0, 0.1, 0.7]}, seeds=5, out="runs/sweep1")      # on arrays
    print(result)                   # the configurations ranked by median dev data cost

A trial is (configuration, seed) and nothing else: ``spec.replace(**config, seed=seed)`` built by
``runs.build`` and trained by ``runs.fit``, under one BLAS thread. So a trial gives the same numbers,
bit for bit, in this process, in a local worker process or on a Dask worker of the same kind of
machine, and the same weights as ``runs.train`` of its spec.

    search.py     the settings (RunSpec's names and checks), grids, random draws, seeds
    parallel.py   the general parallel runner: local processes, Dask, retries (the labs use it too)
    data.py       the data every trial receives (a run's data, or arrays), its fingerprint
    trial.py      one trial: spec + seed -> build, fit, measure
    results.py    results.csv, summary.csv, sweep.json, errors.log; SweepResult
    figures.py    one figure per swept setting
    runner.py     run_sweep (a RunSpec) and sweep (arrays): the sweep carried out

Faults: a trial that raises is recorded (status "error", the exception in the ``error`` column, the
traceback in ``errors.log``) and the sweep goes on; a worker that dies has its trials run again
(``parallel``). Running the same sweep again into the same folder skips the trials that finished
(rows with status "ok") and runs the rest, failed trials included; adding grid values or seeds adds
only the new trials.

"Data cost" is the cost of the data alone, J without the L2 term, so that configurations with
different ``l2`` compare on the same scale.

``dask`` and ``joblib`` are imported only when their backend runs: ``pip install "glassnet[sweeps]"``.
"""

from .data import TrialData, arrays_data, infer_output
from .parallel import (
    BACKENDS,
    INSTALL_HINT,
    TrialOutcome,
    backend_options,
    check_backend,
    cpu_count,
    import_distributed,
    map_trials,
    map_values,
    run_one,
)
from .results import SweepResult
from .runner import run_sweep, sweep
from .search import SETTINGS, check_seeds, expand, format_value, parse_grid, parse_random, setting_name, setting_value
from .trial import build_and_fit, data_cost, measure, train_trial, trial_spec

__all__ = ["BACKENDS", "INSTALL_HINT", "SETTINGS", "SweepResult", "TrialData", "TrialOutcome", "arrays_data",
           "backend_options", "build_and_fit", "check_backend", "check_seeds", "cpu_count", "data_cost", "expand",
           "format_value", "import_distributed", "infer_output", "map_trials", "map_values", "measure",
           "parse_grid", "parse_random", "run_one", "run_sweep", "setting_name", "setting_value", "sweep",
           "train_trial", "trial_spec"]
