"""Sweeps: trials per second with 1 and 2 local worker processes, and what Dask adds per trial.

    python -m bench.sweeps                   # ~4 min on a quiet 2-core machine (needs glassnet[sweeps])
    python -m bench.sweeps --quick           # ~1 min: shorter trials, one repeat
    python -m bench.sweeps --json out.json   # every measurement as JSON too

The work: 16 trials (grid l2 x keep_prob = 4 configurations, 4 seeds) of a [2, 64, 32, 1] ReLU
network on 2 000 moons points, batch 64, Adam, 150 epochs: about 1.5 s per trial on one core.

Each repeat runs, one after the other: the local backend with 1 worker process, with 2 worker
processes, a Dask LocalCluster of 2 processes that the sweep starts and closes ("dask cold"), and a
LocalCluster of 2 processes started before the clock runs ("dask warm": what a running cluster
costs). Wall seconds include starting the workers and sending the data. Reported: trials per
second, the throughput of 2 local workers over 1 (target >= 1.7 on two cores), and the overhead per
trial, (workers x wall - sum of the trials' own seconds) / trials: worker time not spent training.

Then dispatch alone: 8 and 64 near-empty trials (1 epoch on 100 points); the difference gives the
cost of one more trial, the intercept the start-up (workers, imports, data).

The "others" column is the share of the machine's CPU that other processes used while a run went
on (from /proc/stat, less this process and its workers): on a shared machine a run with others
above ~10 % had neighbours, and its numbers say so. ``--wait-quiet SECONDS`` waits for a quiet
machine before each run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

import glassnet as gn
from glassnet import sweeps

from .common import QUIET_SHARE, cpu_count, cpu_model, git_commit, machine_busy_seconds
from .run import wait_for_quiet

FULL = {"epochs": 150, "repeats": 3}
QUICK = {"epochs": 40, "repeats": 1}
GRID = {"l2": [0.0, 0.1], "keep_prob": [1.0, 0.9]}
SEEDS = 4


def moons(m: int, seed: int = 0):
    X, Y = gn.datasets.make_moons(m + m // 5, noise=0.25, seed=seed)
    return X[:, :m], Y[:, :m], X[:, m:], Y[:, m:]


def our_cpu_seconds() -> float:
    """CPU seconds of this process, its finished children (loky and Dask workers are children) and its
    live ones (the warm cluster's workers)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    total = sum(u.ru_utime + u.ru_stime for u in usage)
    try:
        import psutil
    except ImportError:
        return total
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            total += times.user + times.system
    return total


def timed_sweep(data, backend: str, n_workers: int | None = None, scheduler=None, **settings) -> dict:
    """One sweep into a temporary folder: wall seconds, the trials' own seconds, the share of the
    machine that other processes used meanwhile."""
    X, Y, X_dev, Y_dev = data
    with tempfile.TemporaryDirectory(prefix="glassnet-bench-sweep-") as out:
        busy0, ours0, t0 = machine_busy_seconds(), our_cpu_seconds(), time.perf_counter()
        result = sweeps.sweep(X, Y, X_dev=X_dev, Y_dev=Y_dev, out=out, backend=backend, n_workers=n_workers,
                              scheduler=scheduler, progress=False, figures=False, save_best=False, **settings)
        wall = time.perf_counter() - t0
        busy1, ours1 = machine_busy_seconds(), our_cpu_seconds()
    if result.failed:
        raise RuntimeError(f"{result.failed} trials failed in the benchmark: {result.rows}")
    trial_seconds = sum(row["seconds"] for row in result.rows)
    workers = n_workers or 1
    others = None if busy0 is None or busy1 is None else \
        max(0.0, (busy1 - busy0) - (ours1 - ours0)) / (cpu_count() * wall)
    return {"backend": backend, "workers": workers, "trials": len(result.rows), "wall": wall,
            "trial_seconds": trial_seconds, "trials_per_second": len(result.rows) / wall,
            "overhead_per_trial": (workers * wall - trial_seconds) / len(result.rows), "others": others}


def training_runs(args, data, cluster) -> dict[str, list[dict]]:
    settings = {"layers": [64, 32], "epochs": args.epochs, "batch_size": 64, "grid": GRID, "seeds": SEEDS}
    runs: dict[str, list[dict]] = {"local, 1 worker": [], "local, 2 workers": [], "dask cold, 2 workers": [],
                                   "dask warm, 2 workers": []}
    for repeat in range(args.repeats):
        print(f"repeat {repeat + 1}/{args.repeats}", flush=True)
        for name in runs:
            wait_for_quiet(args.wait_quiet)
            if name.startswith("local"):
                run = timed_sweep(data, "local", n_workers=int(name.split(", ")[1][0]), **settings)
            elif name.startswith("dask cold"):
                run = timed_sweep(data, "dask", n_workers=2, **settings)
            else:
                run = timed_sweep(data, "dask", n_workers=2, scheduler=cluster, **settings)
            runs[name].append(run)
            print(f"  {name:<22}{run['wall']:8.2f} s  {run['trials_per_second']:6.2f} trials/s  "
                  f"overhead {1e3 * run['overhead_per_trial']:7.1f} ms/trial  others {_pct(run['others'])}", flush=True)
    return runs


def dispatch_runs(args, cluster) -> dict[str, dict]:
    """Near-empty trials: start-up (intercept) and the cost of one more trial (slope), per backend."""
    data = moons(100)
    settings = {"layers": [4], "epochs": 1, "batch_size": None}
    found = {}
    for name, backend, scheduler in (("local, 2 workers", "local", None), ("dask cold, 2 workers", "dask", None),
                                     ("dask warm, 2 workers", "dask", cluster),
                                     ("sequential", "sequential", None)):
        walls = {}
        for n in (8, 64):
            wait_for_quiet(args.wait_quiet)
            walls[n] = timed_sweep(data, backend, n_workers=None if backend == "sequential" else 2,
                                   scheduler=scheduler, grid={"l2": [i / 1000 for i in range(n)]}, seeds=1,
                                   **settings)["wall"]
        slope = (walls[64] - walls[8]) / 56
        found[name] = {"wall_8": walls[8], "wall_64": walls[64], "per_trial": slope, "startup": walls[8] - 8 * slope}
        print(f"  {name:<22}8 trials {walls[8]:6.2f} s, 64 trials {walls[64]:6.2f} s: start-up "
              f"{found[name]['startup']:5.2f} s, {1e3 * slope:6.1f} ms per trial more", flush=True)
    return found


def _pct(share) -> str:
    return "   ?" if share is None else f"{100 * share:3.0f} %"


def summary_table(runs: dict[str, list[dict]]) -> tuple[str, dict]:
    """Medians per backend over the quiet runs (others under QUIET_SHARE), or over all when none was quiet."""
    lines = [f"{'backend':<24}{'wall s':>9}{'trials/s':>10}{'train s/trial':>15}{'overhead/trial':>16}"
             f"{'others':>8}{'quiet':>7}"]
    medians = {}
    for name, rs in runs.items():
        quiet = [r for r in rs if r["others"] is not None and r["others"] < QUIET_SHARE]
        used = quiet or rs
        med = {key: statistics.median(r[key] for r in used) for key in ("wall", "trials_per_second",
                                                                        "overhead_per_trial", "trial_seconds")}
        others = [r["others"] for r in used if r["others"] is not None]
        med["others"] = statistics.median(others) if others else None
        med["quiet_runs"] = len(quiet)
        medians[name] = med
        lines.append(f"{name:<24}{med['wall']:9.2f}{med['trials_per_second']:10.2f}"
                     f"{med['trial_seconds'] / rs[0]['trials']:15.3f}{1e3 * med['overhead_per_trial']:13.0f} ms"
                     f"{_pct(med['others']):>8}{len(quiet):>4}/{len(rs)}")
    return "\n".join(lines), medians


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40-epoch trials, one repeat")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--wait-quiet", type=float, default=60.0, metavar="SECONDS",
                        help="before each run, wait up to SECONDS for the machine to be quiet (default 60)")
    parser.add_argument("--json", default=None, help="also write every measurement to this file")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    args.repeats = args.repeats or defaults["repeats"]
    args.epochs = args.epochs or defaults["epochs"]
    distributed = sweeps.import_distributed()

    print(f"glassnet sweeps benchmark, commit {git_commit()}; {cpu_model()}, {cpu_count()} cores; "
          f"16 trials of [2, 64, 32, 1] on 2 000 moons points, batch 64, {args.epochs} epochs; "
          f"{args.repeats} repeats", flush=True)
    data = moons(2000)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": ":0"}) as cluster:
        with distributed.Client(cluster) as client:
            client.run(lambda: __import__("glassnet"))  # the warm cluster has glassnet imported, like a used one
        runs = training_runs(args, data, cluster)
        print("dispatch alone (near-empty trials: 1 epoch on 100 points):", flush=True)
        dispatch = dispatch_runs(args, cluster)
    table, medians = summary_table(runs)
    ratio = medians["local, 1 worker"]["wall"] / medians["local, 2 workers"]["wall"]
    print(f"\nmedians over the quiet runs (others < {100 * QUIET_SHARE:.0f} %; all runs where none was quiet):"
          f"\n{table}")
    print(f"throughput, 2 local workers over 1: {ratio:.2f}x (target >= 1.7 on two cores)")
    for name in ("dask cold, 2 workers", "dask warm, 2 workers"):
        extra = medians[name]["overhead_per_trial"] - medians["local, 2 workers"]["overhead_per_trial"]
        print(f"{name} vs local, 2 workers: {1e3 * extra:+.0f} ms overhead per trial, "
              f"wall {medians[name]['wall'] / medians['local, 2 workers']['wall']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"epochs": args.epochs, "repeats": args.repeats, "runs": runs,
                                               "dispatch": dispatch, "ratio_2_over_1": ratio}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
