"""The defaults study (issue 20): which training defaults work on every built-in data set.

    python -m bench.defaults --plan           # the trials and an estimate of their time
    python -m bench.defaults --workers 16     # the study (CSV trial by trial), then docs/defaults.md
    python -m bench.defaults --report-only    # the report again from the CSV
    python -m bench.defaults --quick          # a tiny run to test the script (its own CSV and report)

A trial is one `glassnet train` command line as a user types it (`python -m glassnet.cli train ...
--quiet --out <temporary folder>`, one process, one BLAS thread); its results.json gives test and dev
accuracy (RMSE for regression), epochs run, stop reason. Each finished trial is appended to the CSV;
trials already there are skipped, so a stopped study resumes. Data: the built-in sets, iris and wine
as CSVs with string labels, scikit-learn's diabetes with raw targets (25-346). Regression baselines
(training mean, linear regression on standardized X), fitted on the examples the network trains on,
use the CLI's split, reproduced here and checked on every run (the saved model scores the reported
test RMSE on it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .common import git_commit

ROOT = Path(__file__).resolve().parent.parent
BUILT_IN = ["digits", "breast_cancer", "moons", "circles", "spirals", "flower", "xor", "blobs", "course_2d", "cats",
            "mnist", "fashion_mnist"]
FILE_SETS = {"course_2d", "cats", "mnist", "fashion_mnist"}
TABLES = ["iris", "wine", "diabetes"]
REGRESSION = {"diabetes"}
DATA = BUILT_IN + TABLES
LARGE = {"mnist", "fashion_mnist"}  # these get the default epochs only
# Candidates: a name and the flags it adds to `glassnet train`. Extend here.
CANDIDATES = {
    "exponential": ["--schedule", "exponential"],  # the defaults before the study: 0.002 x 0.95^epoch
    "constant": ["--schedule", "constant"],
    "cosine": ["--schedule", "cosine"],
    "constant-lr1e-3": ["--schedule", "constant", "--learning-rate", "0.001"],
    "cosine-lr1e-3": ["--schedule", "cosine", "--learning-rate", "0.001"],
    "cosine-lr5e-3": ["--schedule", "cosine", "--learning-rate", "0.005"],
    "cosine-es20": ["--schedule", "cosine", "--early-stopping", "20"],
    "cosine-lr5e-3-es20": ["--schedule", "cosine", "--learning-rate", "0.005", "--early-stopping", "20"],
}
# The regression table also runs every candidate with each target treatment.
TARGET_VARIANTS = {"std-y": ["--standardize-targets"], "raw-y": ["--no-standardize-targets"]}
# The run's split (glassnet.runs.data.prepare): test fraction, then the dev fraction of the rest, both from the seed.
TEST_FRACTION, DEV_FRACTION = 0.2, 0.1
DEFAULT_EPOCHS = 20  # the CLI's default, for the estimate only (the trials leave --epochs out)
# Seconds per epoch of the default network with one BLAS thread, and a run's start-up (imports, data,
# plots), measured on the 2-core AVX-512 dev machine under load: mnist 20 epochs 20.2 s, cats 300 epochs 17.5 s.
SECONDS_PER_EPOCH = {"mnist": 0.9, "fashion_mnist": 0.9, "cats": 0.05, "digits": 0.01}
SECONDS_PER_EPOCH_SMALL = 0.005
START_SECONDS = 2.0
FIELDS = ["data", "task", "epochs", "candidate", "seed", "metric", "test", "dev", "train", "epochs_run",
          "stop_reason", "seconds", "failure", "split_check", "commit", "command"]


@dataclass(frozen=True)
class Trial:
    data: str
    epochs: str  # "default" or a number
    candidate: str
    seed: int

    @property
    def key(self) -> tuple:
        return (self.data, self.epochs, self.candidate, str(self.seed))

    @property
    def task(self) -> str:
        return "regression" if self.data in REGRESSION else "classification"


def candidates_for(data: str, candidates: dict) -> dict:
    """The candidates a data set runs: all of them, and for a regression table each target variant too."""
    variants = TARGET_VARIANTS.items() if data in REGRESSION else ()
    return {**candidates, **{f"{c}+{v}": [*flags, *extra] for c, flags in candidates.items() for v, extra in variants}}


def plan_trials(datas, epoch_settings, seeds, candidates) -> list[Trial]:
    trials = []
    for data in datas:
        for epochs in epoch_settings:
            if epochs != "default" and data in LARGE:
                continue
            for name in candidates_for(data, candidates):
                trials.extend(Trial(data, epochs, name, seed) for seed in seeds)
    return trials


def estimate_seconds(trial: Trial, observed: dict) -> float:
    """One trial's seconds: the CSV's own per-epoch time for the set where it has one, else the table above."""
    epochs = DEFAULT_EPOCHS if trial.epochs == "default" else int(trial.epochs)
    per_epoch = observed.get(trial.data, SECONDS_PER_EPOCH.get(trial.data, SECONDS_PER_EPOCH_SMALL))
    return START_SECONDS + epochs * per_epoch


def observed_per_epoch(rows) -> dict:
    """Median seconds per epoch of each set's finished trials (start-up taken off)."""
    per = {}
    for row in rows:
        if not row["failure"] and row["epochs_run"] and int(row["epochs_run"]) > 0:
            per.setdefault(row["data"], []).append(
                max(0.0, float(row["seconds"]) - START_SECONDS) / int(row["epochs_run"]))
    return {data: statistics.median(values) for data, values in per.items()}


# ---------------------------------------------------------------------- data and one trial
def write_tables(folder: Path) -> dict:
    """iris and wine with string labels, diabetes with raw targets, as CSV files in ``folder``."""
    from sklearn.datasets import load_diabetes, load_iris, load_wine

    iris, wine, diabetes = load_iris(), load_wine(), load_diabetes(scaled=False)
    # The wine set's three cultivars (UCI's description of the data): class_0, class_1, class_2.
    cultivars = ["barolo", "grignolino", "barbera"]
    sets = {"iris": (iris.data, iris.feature_names, [iris.target_names[t] for t in iris.target], "label"),
            "wine": (wine.data, wine.feature_names, [cultivars[t] for t in wine.target], "label"),
            "diabetes": (diabetes.data, diabetes.feature_names, [f"{t:g}" for t in diabetes.target], "target")}
    paths = {}
    for name, (X, features, labels, label_name) in sets.items():
        paths[name] = folder / f"{name}.csv"
        with open(paths[name], "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([*features, label_name])
            writer.writerows([*(f"{v:g}" for v in x), y] for x, y in zip(X, labels, strict=True))
    return paths


def train_command(trial: Trial, flags: list, tables: dict, data_root: str) -> list[str]:
    """The `glassnet train` arguments of a trial (without --out and --quiet)."""
    if trial.data in tables:
        data = ["--data", str(tables[trial.data])]
    else:
        data = ["--data", trial.data] + (["--data-path", data_root] if trial.data in FILE_SETS else [])
    epochs = [] if trial.epochs == "default" else ["--epochs", trial.epochs]
    return ["train", *data, *epochs, *flags, "--seed", str(trial.seed)]


def child_env() -> dict:
    """One BLAS thread per trial (the workers are the parallelism), figures without a display."""
    threads = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
    return {**os.environ, **dict.fromkeys(threads, "1"), "MPLBACKEND": "Agg"}


def _failure(proc) -> str:
    lines = [line for line in (proc.stderr + "\n" + proc.stdout).splitlines() if line.strip()]
    error = [line for line in lines if "error" in line.lower()]
    return " ".join((error or lines or [f"exit status {proc.returncode}"])[-1].split())[:300]


def run_trial(trial: Trial, flags: list, tables: dict, data_root: str, timeout: float, commit: str) -> dict:
    """Run one trial in its own process and return its CSV row."""
    args = train_command(trial, flags, tables, data_root)
    row = dict.fromkeys(FIELDS, "")
    row.update(data=trial.data, task=trial.task, epochs=trial.epochs, candidate=trial.candidate, seed=trial.seed,
               metric="rmse" if trial.task == "regression" else "accuracy", commit=commit,
               command="glassnet " + shlex.join(Path(a).name if trial.data in tables and a == str(tables[trial.data])
                                                else a for a in args))
    with tempfile.TemporaryDirectory(prefix="gn-defaults-") as tmp:
        out = Path(tmp) / "run"
        started = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", "glassnet.cli", *args, "--quiet", "--out", str(out)],
                                  capture_output=True, text=True, env=child_env(), timeout=timeout, cwd=tmp)
            row["failure"] = _failure(proc) if proc.returncode else ""
        except subprocess.TimeoutExpired:
            row["failure"] = f"timeout after {timeout:g} s"
        row["seconds"] = f"{time.perf_counter() - started:.2f}"
        results_file = out / "results.json"
        if results_file.is_file():
            _fill_results(row, json.loads(results_file.read_text()))
            if trial.task == "regression":
                row["split_check"] = check_split(tables[trial.data], trial.seed, out / "model.npz", row["test"])
        elif not row["failure"]:
            row["failure"] = "no results.json written"
    return row


def _fill_results(row: dict, results: dict) -> None:
    metric = row["metric"]
    for split in ("test", "dev", "train"):
        if split in results and metric in results[split]:
            row[split] = repr(float(results[split][metric]))
    training = results.get("training", {})
    row.update(epochs_run=training.get("epochs_run", ""), stop_reason=training.get("stop_reason", ""))


# ---------------------------------------------------------------------- the regression split and baselines
def regression_split(path: Path, seed: int):
    """The CLI's split of a regression CSV: (X_fit, Y_fit, X_test, Y_test), X as (n_x, m), Y as (1, m)."""
    import numpy as np

    from glassnet.data.preprocessing import train_test_split
    from glassnet.data.tables import read_table

    table = read_table(path)
    Y = table.labels.astype(np.float64)
    X_tr, Y_tr, X_te, Y_te = train_test_split(table.X, Y, test=TEST_FRACTION, stratify=False, seed=seed)
    X_fit, Y_fit, _, _ = train_test_split(X_tr, Y_tr, test=DEV_FRACTION, stratify=False, seed=seed)
    return X_fit, Y_fit, X_te, Y_te


def check_split(path: Path, seed: int, model: Path, reported: str) -> str:
    """'ok' when the run's saved model scores on the split reproduced here the test RMSE the run reported."""
    try:
        from glassnet.io import load

        _, _, X_te, Y_te = regression_split(path, seed)
        rmse = load(model).evaluate(X_te, Y_te)["rmse"]
    except Exception as exc:  # the check must never lose the trial
        return f"error: {type(exc).__name__}: {exc}"[:200]
    same = reported and abs(rmse - float(reported)) <= 1e-4 * max(1.0, abs(float(reported)))
    return "ok" if same else f"mismatch: {rmse:.6g} here vs {reported} reported"


def baselines(path: Path, seeds) -> dict:
    """Test RMSE per seed of predicting the training mean and of a linear regression on standardized X."""
    import numpy as np
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    out = {"training mean": [], "linear regression (standardized X)": []}
    for seed in seeds:
        X_fit, Y_fit, X_te, Y_te = regression_split(path, seed)
        y_fit, y_te = Y_fit[0], Y_te[0]
        out["training mean"].append(float(np.sqrt(np.mean((y_te - y_fit.mean()) ** 2))))
        model = make_pipeline(StandardScaler(), LinearRegression()).fit(X_fit.T, y_fit)
        out["linear regression (standardized X)"].append(float(np.sqrt(np.mean((y_te - model.predict(X_te.T)) ** 2))))
    return out


# ---------------------------------------------------------------------- the CSV and the run
def read_rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def append_row(path: Path, row: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.is_file() or path.stat().st_size == 0
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(row)


def latest_rows(rows) -> dict:
    """The last row of each trial (a retried trial's new row replaces its old one)."""
    return {(r["data"], r["epochs"], r["candidate"], r["seed"]): r for r in rows}


def pending_trials(trials, rows, retry_failed: bool) -> list[Trial]:
    done = latest_rows(rows)
    return [t for t in trials if t.key not in done or (retry_failed and done[t.key]["failure"])]


def run_study(trials, args, candidates, tables) -> None:
    """Run the pending trials on ``args.workers`` processes, longest first, each row appended as it ends."""
    rows = read_rows(args.csv)
    todo = pending_trials(trials, rows, args.retry_failed)
    observed = observed_per_epoch(rows)
    todo.sort(key=lambda t: -estimate_seconds(t, observed))
    print(f"{len(trials) - len(todo)} of {len(trials)} trials already in {args.csv}; running {len(todo)} "
          f"on {args.workers} workers", flush=True)
    commit, started = git_commit(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = {pool.submit(run_trial, t, candidates_for(t.data, candidates)[t.candidate], tables,
                               args.data_root, args.timeout, commit): t for t in todo}
        try:
            for n, future in enumerate(as_completed(futures), 1):
                row = future.result()
                append_row(args.csv, row)
                value = row["failure"] or f"test {row['metric']} {float(row['test']):.4g}"
                print(f"[{n}/{len(todo)} {time.perf_counter() - started:7.0f} s] {row['data']} epochs={row['epochs']} "
                      f"{row['candidate']} seed {row['seed']}: {value} ({row['seconds']} s)", flush=True)
        except KeyboardInterrupt:  # the trials cut short are not recorded: the same command runs them again
            pool.shutdown(wait=False, cancel_futures=True)
            sys.exit(f"interrupted: {args.csv} keeps the finished trials; the same command goes on from there")


def print_plan(trials, args) -> None:
    rows = read_rows(args.csv)
    todo = pending_trials(trials, rows, args.retry_failed)
    observed = observed_per_epoch(rows)
    costs = sorted((estimate_seconds(t, observed) for t in todo), reverse=True)
    loads = [0.0] * args.workers  # longest first onto the least loaded worker, as the run does
    for cost in costs:
        loads[loads.index(min(loads))] += cost
    print(f"{len(trials)} trials, {len(trials) - len(todo)} already in {args.csv}, {len(todo)} to run")
    for data in dict.fromkeys(t.data for t in todo):
        mine = [estimate_seconds(t, observed) for t in todo if t.data == data]
        print(f"  {data:<14} {len(mine):>4} trials  ~{sum(mine) / 60:7.1f} CPU-min")
    print(f"estimate: {sum(costs) / 3600:.2f} CPU-hours; with {args.workers} workers ~{max(loads, default=0) / 60:.0f} "
          "min wall (per-epoch times of this CSV where it has them, else those measured on a 2-core machine)")


# ---------------------------------------------------------------------- the report
def summarize(rows) -> dict:
    """{(epochs, data, candidate): (median, min, max, n, failures)} over seeds, from each trial's last row."""
    groups = {}
    for r in latest_rows(rows).values():
        groups.setdefault((r["epochs"], r["data"], r["candidate"]), []).append(r)
    out = {}
    for key, group in groups.items():
        values = [float(r["test"]) for r in group if not r["failure"] and r["test"]]
        failures = len(group) - len(values)
        out[key] = ((statistics.median(values), min(values), max(values), len(values), failures) if values
                    else (None, None, None, 0, failures))
    return out


def _cell(stats, scale: float, digits: int, best: bool) -> str:
    median, low, high, n, failures = stats
    if median is None:
        return f"failed ({failures})"
    text = f"{scale * median:.{digits}f}"
    text = f"**{text}**" if best else text
    spread = f" ({scale * low:.{digits}f}–{scale * high:.{digits}f})" if n > 1 else ""
    return text + spread + (f" +{failures} failed" if failures else "")


def classification_table(summary, epochs: str, order: list) -> list[str]:
    datas = [d for d in DATA if d not in REGRESSION and any((epochs, d, c) in summary for c in order)]
    candidates = [c for c in order if any((epochs, d, c) in summary for d in datas)]
    if not datas:
        return []
    lines = [f"| data | {' | '.join(candidates)} |", "|---" * (len(candidates) + 1) + "|"]
    shortfall, within = dict.fromkeys(candidates, 0.0), dict.fromkeys(candidates, 0)
    for data in datas:
        stats = {c: summary.get((epochs, data, c)) for c in candidates}
        medians = {c: s[0] for c, s in stats.items() if s and s[0] is not None}
        best = max(medians.values(), default=None)
        cells = []
        for c in candidates:
            if stats[c] is None:
                cells.append("—")
                continue
            cells.append(_cell(stats[c], 100, 1, best is not None and medians.get(c) == best))
            gap = 100 * (best - medians[c]) if c in medians else float("inf")
            shortfall[c] = max(shortfall[c], gap)
            within[c] += gap <= 1.0
        lines.append(f"| {data} | {' | '.join(cells)} |")
    lines.append(f"| **worst shortfall (points)** | {' | '.join(f'{shortfall[c]:.1f}' for c in candidates)} |")
    lines.append(f"| sets within 1 point of the best | {' | '.join(f'{within[c]}/{len(datas)}' for c in candidates)} |")
    return lines


def regression_table(summary, data: str, epochs_list: list, order: list, base: dict) -> list[str]:
    """Rows: candidates; per epochs setting the RMSE, % over the column's best and % over the linear regression."""
    names = [c for c in order if any((e, data, c) in summary for e in epochs_list)]
    linear = statistics.median(base["linear regression (standardized X)"]) if base else None
    head = "| candidate | " + " | ".join(f"RMSE, {e} epochs | % over best | % over linear" for e in epochs_list) + " |"
    lines = [head, "|---" * (1 + 3 * len(epochs_list)) + "|"]
    bests = {}
    for e in epochs_list:
        medians = [summary[(e, data, c)][0] for c in names if (e, data, c) in summary]
        bests[e] = min((m for m in medians if m is not None), default=None)
    for c in names:
        cells = []
        for e in epochs_list:
            stats = summary.get((e, data, c))
            if stats is None:
                cells += ["—", "", ""]
                continue
            median, best = stats[0], bests[e]
            cells.append(_cell(stats, 1, 2, median is not None and median == best))
            cells.append(f"{100 * (median / best - 1):+.1f} %" if median is not None else "")
            cells.append(f"{100 * (median / linear - 1):+.1f} %" if median is not None and linear else "")
        lines.append(f"| {c} | {' | '.join(cells)} |")
    return lines


def failures_section(rows) -> list[str]:
    last = latest_rows(rows).values()
    counts = {}
    for r in last:
        if r["failure"]:
            key = (r["candidate"], r["failure"].replace("`", "'"))
            counts[key] = counts.get(key, 0) + 1
    lines = [f"- {candidate}: {n} trial(s): `{message}`" for (candidate, message), n in sorted(counts.items())]
    return lines + [f"- split check {r['data']} {r['candidate']} seed {r['seed']}: {r['split_check']}"
                    for r in last if r["split_check"] not in ("", "ok")]


def write_report(rows, args, candidates: dict, tables: dict) -> None:
    summary = summarize(rows)
    epochs_list = sorted({r["epochs"] for r in rows}, key=lambda e: (e != "default", int(e) if e.isdigit() else 0))
    names = [c for c in candidates if any(k[2] == c for k in summary)]
    seeds = sorted({int(r["seed"]) for r in rows})
    commits = sorted({r["commit"] for r in rows})
    lines = ["# Defaults study", "",
             f"{len(latest_rows(rows))} trials of `glassnet train` (commit {', '.join(commits)}), seeds "
             f"{', '.join(map(str, seeds))}; each cell: the test accuracy (%) or RMSE, median over the seeds "
             "(min–max); the best median of a row in bold.", "",
             "Regenerate (runs only the trials missing from the CSV, then writes this page):", "",
             f"    python -m bench.defaults {args.command_line}", "",
             "The page alone from the CSV: the same command with `--report-only`.", "",
             "Candidates (each adds these flags to the command line):", "",
             *(f"- {c}: `{shlex.join(candidates[c]) or '(none)'}`" for c in names), ""]
    for e in epochs_list:
        table = classification_table(summary, e, names)
        if table:
            lines += [f"## Classification, {e} epochs", "", *table, ""]
    for data in [d for d in TABLES if d in REGRESSION and any(k[1] == d for k in summary)]:
        base = baselines(tables[data], seeds)
        lines += [f"## Regression: {data} (test RMSE, in the targets' units)", "",
                  *regression_table(summary, data, epochs_list, list(candidates), base), "",
                  "Baselines on the same splits, fitted on the examples the network trains on (train less dev):", ""]
        lines += [f"- {name}: {statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})" for name, v in base.items()]
        lines.append("")
    failures = failures_section(rows)
    if failures:
        lines += ["## Failed trials and checks", "", *failures, ""]
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text("\n".join(lines))
    print(f"wrote {args.report}")


# ---------------------------------------------------------------------- command line
def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.defaults", description=__doc__.split("\n")[0])
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="trials at once (default: all cores)")
    p.add_argument("--only", default=None, help=f"data sets, comma-separated (default all: {','.join(DATA)})")
    p.add_argument("--candidates", default=None, help=f"comma-separated (default all: {','.join(CANDIDATES)})")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", default="default,300", help="epochs settings: default and/or numbers (default "
                   "default,300; a number applies to every set but mnist and fashion_mnist)")
    p.add_argument("--data-root", default="/work/shared/datasets", help="folder of mnist/, fashion-mnist/, ...")
    p.add_argument("--csv", type=Path, default=None, help="raw trials (default bench/results/defaults.csv)")
    p.add_argument("--report", type=Path, default=None, help="Markdown report (default docs/defaults.md)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds one trial may take (default 3600)")
    p.add_argument("--retry-failed", action="store_true", help="run the trials the CSV records as failed again")
    p.add_argument("--plan", action="store_true", help="print the trial count and a time estimate, run nothing")
    p.add_argument("--report-only", action="store_true", help="write the report from the CSV, run nothing")
    p.add_argument("--quick", action="store_true", help="tiny: moons and iris, 2 candidates, seed 0, 5 epochs "
                   "(its own CSV and report under bench/results/)")
    args = p.parse_args(argv)
    args.command_line = shlex.join(a for a in (sys.argv[1:] if argv is None else argv)
                                   if a not in ("--report-only", "--plan", "--retry-failed"))
    if args.quick:
        args.only, args.candidates = args.only or "moons,iris", args.candidates or "cosine,constant"
        args.seeds, args.epochs = "0", "5"
    results = ROOT / "bench" / "results"
    args.csv = args.csv or results / ("quick.csv" if args.quick else "defaults.csv")
    args.report = args.report or (results / "quick.md" if args.quick else ROOT / "docs" / "defaults.md")
    args.datas = _names(args.only, DATA, "data set")
    args.candidate_names = _names(args.candidates, list(CANDIDATES), "candidate")
    args.seed_list = [int(s) for s in args.seeds.split(",") if s.strip()]
    args.epoch_settings = [e.strip() for e in args.epochs.split(",") if e.strip()]
    bad = [e for e in args.epoch_settings if e != "default" and not e.isdigit()]
    if bad or args.workers < 1:
        p.error(f"--epochs takes 'default' and whole numbers, got {bad}" if bad else "--workers must be >= 1")
    return args


def _names(text, known: list, what: str) -> list[str]:
    if text is None:
        return list(known)
    names = [n.strip().replace("-", "_") if what == "data set" else n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown {what} {unknown[0]!r}; known: {', '.join(known)}")
    return names


def main(argv=None) -> int:
    args = parse_args(argv)
    candidates = {c: CANDIDATES[c] for c in args.candidate_names}
    trials = plan_trials(args.datas, args.epoch_settings, args.seed_list, candidates)
    if args.plan:
        print_plan(trials, args)
        return 0
    with tempfile.TemporaryDirectory(prefix="gn-defaults-tables-") as folder:
        tables = write_tables(Path(folder))
        if not args.report_only:
            run_study(trials, args, candidates, tables)
        planned = {t.key for t in trials}
        rows = [r for r in read_rows(args.csv) if (r["data"], r["epochs"], r["candidate"], r["seed"]) in planned]
        if not rows:
            print(f"no trials in {args.csv}: nothing to report")
            return 1
        write_report(rows, args, {**candidates, **candidates_for("diabetes", CANDIDATES)}, tables)
    return 0


if __name__ == "__main__":
    sys.exit(main())
