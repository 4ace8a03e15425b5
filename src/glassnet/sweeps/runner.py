"""A sweep carried out: ``run_sweep`` (a base RunSpec, what to vary, the seeds) and ``sweep`` (arrays).

    result = run_sweep(RunSpec(data="moons", layers=(20, 7), epochs=300), grid={"l2": [0, 0.1, 0.7]},
                       seeds=5, out="runs/sweep1")

The configurations (``search.expand``) are crossed with the seeds; trial (config, seed) trains
``spec.replace(**config, seed=seed)`` on the data, which is read once (``runs.prepare(spec)``) and
sent once to every worker (``parallel.map_trials``). The results go to ``out`` as they come
(``results``), then the summary, one figure per swept setting and the best trial retrained from
(configuration, seed) alone into best_model.npz, its spec in the file's metadata.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from .. import runs
from ..errors import GlassnetError
from ..folderlock import FolderLock
from ..runs import RunSpec
from ..validation import check_folder
from . import results as files
from .data import TrialData, arrays_data
from .figures import draw_figures
from .parallel import check_backend, check_retries, map_trials, progress_bar
from .rowfile import heal, read_rows, say, set_aside
from .search import check_distribution, check_seeds, expand, format_value, read_text, setting_name
from .trial import build_and_fit, measure, train_trial, trial_spec


def run_sweep(spec: RunSpec, *, data=None, grid: dict | None = None, random: dict | None = None, n_random: int = 0,
              random_seed: int = 0, seeds: int | list = 5, out, backend: str = "local", n_workers: int | None = None,
              scheduler=None, retries: int = 2, progress: bool = True, trial: Callable | None = None,
              save_best: bool = True, figures: bool = True) -> files.SweepResult:
    """Train every configuration of ``grid`` x ``random`` on top of ``spec`` with every seed; write and
    return the results.

    ``data``: a ``runs.RunData`` (or a ``sweeps.TrialData``); None reads ``runs.prepare(spec)``.
    ``grid``: {setting: [values]}; ``random``: {setting: ("log", 1e-4, 1e-1) | ("uniform", a, b) |
    ("int", a, b) | ("choice", [values])}, drawn ``n_random`` times from ``random_seed``; each value
    is checked by ``spec.replace``. ``seeds``: a count (spec.seed, spec.seed + 1, ...) or a list.
    ``backend``: "local", "dask" (``scheduler``: None for a LocalCluster of ``n_workers``, or an
    address, Client or cluster) or "sequential"; ``retries``: reruns of trials whose worker died.
    ``trial``: a function (data, settings, seed) -> dict of results columns instead of ``train_trial``
    (no best_model.npz then). ``out``: the folder; a rerun into it resumes (finished trials skipped).
    """
    started = time.perf_counter()
    check_backend(backend, n_workers)
    check_retries(retries)
    configs = expand(grid, random, n_random, random_seed, spec=spec)
    seed_list = check_seeds(seeds, first=spec.seed)
    data = _trial_data(spec, data)
    trial_function = train_trial if trial is None else trial
    keys = list(dict.fromkeys(k for c in configs for k in c))
    trials = make_trials(configs, spec, seed_list)
    out = check_folder(out, "out")
    fixed = {"keys": keys, "settings": {k: v for k, v in spec.to_dict().items() if k not in keys and k != "seed"},
             "data": data.fingerprint(), "pipeline": {k: str(v) for k, v in data.pipeline.items()},
             "output": data.output, "trial": _function_name(trial_function)}
    varying = {"spec": spec.to_dict(), "grid": {k: list(map(format_value, vs)) for k, vs in (grid or {}).items()},
               "random": {k: list(map(str, check_distribution(k, v, spec))) for k, v in (random or {}).items()},
               "n_random": n_random, "random_seed": random_seed, "seeds": seed_list}
    where = dict(backend=backend, n_workers=n_workers, scheduler=scheduler, retries=retries)
    with FolderLock(out, "sweep"):  # one writer: results, summary, figures and best model of one sweep
        files.check_sweep_file(out, fixed, varying)
        result = _run_trials(trials, configs, keys, data, trial_function, out, where, progress)
        if figures and keys:
            result.figures = draw_figures(out, keys, configs, trials, {r["id"]: r for r in result.rows},
                                          data.metric, result.rank_by)
        if result.best is not None and save_best and trial is None:
            save_best_model(out, result, data)
    result.seconds = time.perf_counter() - started
    return result


def _trial_data(spec: RunSpec, data) -> TrialData:
    if data is None:
        return TrialData.of_run(runs.prepare(spec))
    return data if isinstance(data, TrialData) else TrialData.of_run(data)


def make_trials(configs: list, spec: RunSpec, seeds: list) -> list[files.Trial]:
    """(configuration, seed) for every configuration and seed; a trial's id hashes its spec and seed."""
    trials, base = [], spec.to_dict()
    for group, config in enumerate(configs):
        for seed in seeds:
            settings = {**base, **config, "seed": seed}
            text = json.dumps({"settings": settings, "seed": seed}, sort_keys=True)
            trials.append(files.Trial(len(trials), config, settings, seed,
                                      hashlib.sha1(text.encode()).hexdigest()[:12], group))
    return trials


def _run_trials(trials, configs, keys, data: TrialData, function, out: Path, where: dict,
                progress: bool) -> files.SweepResult:
    """Run the trials not finished yet, record them, write results.csv and summary.csv."""
    metric_columns = [f"{split}_{m}" for split in data.splits for m in ("data_cost", data.metric)]
    columns = ["trial", "id", *keys, "seed", "status", *metric_columns, "best_epoch", "epochs_run", "seconds",
               "worker", "error"]
    results_path = out / "results.csv"
    torn = heal(results_path, columns, keys)
    previous, bad = read_rows(results_path, columns, keys)
    for row in bad:
        say(row.describe(results_path))
    done = {row["id"]: row for row in previous if row.get("status") == "ok"}
    pending = [t for t in trials if t.id not in done]
    rows = {t.id: files.stored_row(t, done[t.id], keys) for t in trials if t.id in done}
    if not results_path.exists() or results_path.stat().st_size == 0:
        files.write_rows(results_path, columns, [])
    outcomes = map_trials(function, data, [(t.settings, t.seed) for t in pending], **where)
    with progress_bar(len(pending), progress, f"sweep {out.name}") as bar:
        failed = files.record(outcomes, pending, rows, out, columns, bar)
    ordered = [rows[t.id] for t in trials if t.id in rows]
    ids = {t.id for t in trials}
    others = [row for row in previous if row.get("id") not in ids and row.get("status") == "ok"]
    set_aside(results_path, bad)  # kept in results.csv.torn: the rewrite leaves them out
    files.write_rows(results_path, columns, [files.csv_row(r) for r in ordered] + others)
    if not failed:
        (out / "errors.log").unlink(missing_ok=True)  # no trial failed: an old errors.log would describe another run
    summary = files.summarize(trials, configs, rows, metric_columns, data.rank_by)
    files.write_rows(out / "summary.csv", list(summary[0]), [files.summary_csv(r, keys) for r in summary])
    result = files.SweepResult(out=out, keys=keys, rows=ordered, summary=summary, rank_by=data.rank_by,
                               ran=len(pending), skipped=len(trials) - len(pending), failed=failed,
                               backend=where["backend"])
    if others:
        result.notes.append(f"results.csv also keeps {len(others)} finished trials that this sweep no longer lists")
    repaired = ([torn] if torn else []) + bad
    if repaired:
        result.notes.append(f"{len(repaired)} torn or unreadable rows of results.csv (lines "
                            f"{', '.join(str(b.line) for b in repaired)}) were set aside in results.csv.torn "
                            "and their trials run again")
    result.best = files.best_trial(summary, trials, rows, data.rank_by)
    return result


def save_best_model(out: Path, result: files.SweepResult, data: TrialData) -> None:
    """Retrain the best trial from (configuration, seed) alone and save it; check it gives the same numbers."""
    from threadpoolctl import threadpool_limits

    from ..io import load_metadata, save

    best, path = result.best, out / "best_model.npz"
    if path.exists():
        try:
            if load_metadata(path).get("extra", {}).get("sweep_trial") == best["id"]:
                best["model"] = str(path)
                return
        except GlassnetError:
            pass
    spec = trial_spec(best["settings"], best["seed"])
    with threadpool_limits(limits=1):
        net, _ = build_and_fit(data, spec)
        measured = measure(net, data)
    if any(measured[k] != best["row"].get(k) for k in measured):
        result.notes.append("note: the best trial retrained here gave other numbers than on its worker "
                            "(another CPU or BLAS kernel?); best_model.npz holds the retrained weights")
    save(net, path, sweep_trial=best["id"], sweep_config={k: format_value(v) for k, v in best["config"].items()},
         seed=best["seed"], run_spec=spec.to_dict(), results=measured)
    best["model"] = str(path)


def _function_name(function) -> str:
    inner = getattr(function, "func", function)  # functools.partial
    return f"{getattr(inner, '__module__', '?')}.{getattr(inner, '__qualname__', type(inner).__name__)}"


def sweep(X, Y, *, X_dev=None, Y_dev=None, X_test=None, Y_test=None, grid: dict | None = None,
          random: dict | None = None, n_random: int = 0, random_seed: int = 0, seeds=5, out=None,
          backend: str = "local", n_workers: int | None = None, scheduler=None, retries: int = 2,
          output: str | None = None, n_out: int | None = None, image_shape=None, pipeline: dict | None = None,
          trial: Callable | None = None, save_best: bool = True, figures: bool = True, progress: bool = True,
          **settings) -> files.SweepResult:
    """``run_sweep`` on arrays: X (n_x, m), Y (n_y, m), one column per example (likewise the optional
    dev and test sets; without a dev set, configurations are ranked by training data cost).

    ``settings``: the fixed settings of every trial, RunSpec's names (``SETTINGS`` lists them with
    their defaults: layers=[20, 7] are the hidden sizes, batch_size=None is full batch,
    early_stopping=PATIENCE); they make the base RunSpec (its data fields are not used: the arrays
    are the data). ``output``: the output activation (default: sigmoid for 0/1 labels, softmax for
    classes, else linear) and ``n_out`` its units (default: from Y). ``pipeline``: {"input_scale",
    "feature_names", "class_names"} for every network: X stays raw, each network scales it, and
    best_model.npz takes raw features and gives class names, as ``glassnet train``'s model does.
    ``out``: the folder (default runs/sweep-<time>). The rest: see ``run_sweep``.
    """
    spec = RunSpec(**{setting_name(k): read_text(setting_name(k), v) if isinstance(v, str) else v
                      for k, v in settings.items()})
    data = arrays_data({"train": (X, Y), "dev": (X_dev, Y_dev), "test": (X_test, Y_test)}, output=output,
                       n_out=n_out, image_shape=image_shape, pipeline=pipeline)
    out = Path(out) if out is not None else Path("runs") / f"sweep-{time.strftime('%Y%m%d-%H%M%S')}"
    return run_sweep(spec, data=data, grid=grid, random=random, n_random=n_random, random_seed=random_seed,
                     seeds=seeds, out=out, backend=backend, n_workers=n_workers, scheduler=scheduler,
                     retries=retries, progress=progress, trial=trial, save_best=save_best, figures=figures)


__all__ = ["make_trials", "run_sweep", "save_best_model", "sweep"]
