"""``python -m bench``: glassnet against PyTorch (CPU) and scikit-learn on the same training work.

Schedule: the matrix-product peak is measured first; then, for each repeat, every selected
training case runs glassnet, PyTorch and scikit-learn one after the other (A B C A B C ...), each
in its own subprocess (``bench.worker``) that trains ``warmup + epochs`` epochs and reports its
epoch times and peak RSS; then the gradient-check and augmentation micro-cases; then the peak
again (the better of the two measurements is the reference). While each subprocess runs, the CPU
time used by *other* processes on the machine is measured from /proc/stat: a benchmark on a busy
machine says so in its "others" column instead of reporting noise as a result.

See bench/README.md for the columns, the targets and the latest figures.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .common import (
    CASES,
    FLOOR,
    FRAMEWORKS,
    OPTIONAL_FRAMEWORKS,
    QUIET_SHARE,
    ROOT,
    blas_env,
    blas_info,
    cpu_count,
    cpu_model,
    describe_blas,
    git_commit,
    median,
)

DEFAULTS = {"m": 60_000, "epochs": 2, "warmup": 1, "repeats": 3}
QUICK = {"m": 6_000, "epochs": 1, "warmup": 1, "repeats": 1}


# ------------------------------------------------------------------------------------------ machine load
def _cpu_jiffies() -> tuple[float, float] | None:
    """(busy, steal) CPU seconds of the whole machine since boot, from /proc/stat (None elsewhere)."""
    try:
        with open("/proc/stat") as f:
            fields = [float(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    hz = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    steal = fields[7] if len(fields) > 7 else 0.0
    return (user + nice + system + irq + softirq) / hz, steal / hz


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy_share(seconds: float = 1.0) -> float | None:
    """The share of the machine's CPU capacity in use over the next ``seconds`` (None without /proc/stat)."""
    before = _cpu_jiffies()
    time.sleep(seconds)
    after = _cpu_jiffies()
    if before is None or after is None:
        return None
    return max(0.0, (after[0] - before[0]) / (cpu_count() * seconds))


def wait_for_quiet(max_wait: float, threshold: float = QUIET_SHARE) -> float:
    """Wait (at most ``max_wait`` seconds) until other processes use under ``threshold`` of the CPU.

    Returns the seconds waited. On a shared machine this keeps a neighbour's test run from landing
    in the middle of a measurement; the "others" column still reports what happened meanwhile.
    """
    if max_wait <= 0:
        return 0.0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_wait:
        busy = machine_busy_share(1.0)
        if busy is None or busy < threshold:
            break
        time.sleep(2.0)
    return time.perf_counter() - t0


def worker_env() -> dict[str, str]:
    """The environment of a worker: this one, with the checkout's src/ and root first on the path."""
    env = os.environ.copy()
    paths = [str(ROOT / "src"), str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def run_worker(task: str, case: str, settings: dict, quick: bool, timeout: float = 1800.0) -> dict:
    """Run ``python -m bench.worker`` and return its JSON result plus wall time and machine load."""
    waited = wait_for_quiet(settings.get("wait_quiet", 0.0))
    with tempfile.TemporaryDirectory(prefix="glassnet-bench-") as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench.worker", task, "--case", case, "--m", str(settings["m"]),
                   "--epochs", str(settings["epochs"]), "--warmup", str(settings["warmup"]),
                   "--repeats", str(settings["repeats"]), "--out", str(out)]
        if quick:
            command.append("--quick")
        cpu0, child0, t0 = _cpu_jiffies(), _children_cpu(), time.perf_counter()
        try:
            proc = subprocess.run(command, cwd=ROOT, env=worker_env(), capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s"}
        wall = time.perf_counter() - t0
        cpu1, child1 = _cpu_jiffies(), _children_cpu()
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
            return {"error": f"worker exited with status {proc.returncode}: " + " | ".join(tail)}
        result = json.loads(out.read_text())
    result["wall_seconds"] = wall
    result["cpu_seconds"] = child1 - child0
    result["waited_for_quiet_seconds"] = waited
    if cpu0 is not None and cpu1 is not None and wall > 0:
        capacity = cpu_count() * wall
        others = (cpu1[0] - cpu0[0]) - (child1 - child0)
        result["others_cpu_share"] = max(0.0, others / capacity)
        result["steal_share"] = max(0.0, (cpu1[1] - cpu0[1]) / capacity)
    return result


# ------------------------------------------------------------------------------------------ summaries
def summarize_training(case, runs: list[dict], m: int, peak: dict) -> dict:
    """Median/min/max epoch seconds, GFLOP/s, share of peak, peak RSS, load.

    The statistics are over the *quiet* timed epochs (other processes used < 10 % of the CPU while
    the epoch ran) when there are any, otherwise over all timed epochs (``over`` says which).
    """
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"error": runs[-1].get("error", "no run") if runs else "not run"}
    pairs, local_peaks = [], []
    for r in good:
        others = r.get("epoch_others") or []
        others = others + [None] * (len(r["epoch_seconds"]) - len(others))
        pairs += list(zip(r["epoch_seconds"], others, strict=True))
        # each epoch is also compared with the peak measured in its own process
        local_peaks += [max(r.get("local_peak_gflops") or [float("nan")])] * len(r["epoch_seconds"])
    is_quiet = [o is not None and o < QUIET_SHARE for _, o in pairs]
    used = is_quiet if any(is_quiet) else [True] * len(pairs)
    quiet = [s for (s, _), q in zip(pairs, is_quiet, strict=True) if q]
    epochs = [s for (s, _), u in zip(pairs, used, strict=True) if u]
    local_fractions = [case.flops_per_epoch(m) / s / 1e9 / p
                       for (s, _), p, u in zip(pairs, local_peaks, used, strict=True) if u]
    warm = [s for r in good for s in r.get("warmup_seconds", [])]
    med = median(epochs)
    gflops = case.flops_per_epoch(m) / med / 1e9 if med > 0 else float("nan")
    peak_gflops = peak.get(case.dtype, {}).get("gflops")
    last = good[-1]
    all_seconds = [s for s, _ in pairs]
    summary = {
        "over": "quiet" if quiet else "all", "quiet_epochs": len(quiet), "timed_epochs": len(pairs),
        "epoch_seconds": all_seconds, "epoch_others": [o for _, o in pairs],
        "median": med, "min": min(epochs), "max": max(epochs),
        "median_all": median(all_seconds), "min_all": min(all_seconds), "max_all": max(all_seconds),
        "warmup_median": median(warm) if warm else None, "gflops": gflops,
        "peak_fraction": gflops / peak_gflops if peak_gflops else None,
        "local_peak_fraction": median(local_fractions) if all(f == f for f in local_fractions) else None,
        "local_peaks_gflops": [r.get("local_peak_gflops") for r in good],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in good),
        "rss_before_train_mb": max((r.get("rss_before_train_mb") or 0.0) for r in good),
        "others_cpu_share": median([o for s, o in pairs if o is not None and (s in epochs)]),
        "final_loss": last.get("final_loss"), "final_accuracy": last.get("final_accuracy"),
        "dtype_used": last.get("dtype_used"), "repeats": len(good), "errors": len(runs) - len(good),
    }
    for key in ("adam", "threads", "version", "mkl", "cpu_capability", "input_dtype"):
        if key in last:
            summary[key] = last[key]
    notes = sorted({n for r in good for n in r.get("notes", [])})
    if notes:
        summary["notes"] = notes
    return summary


def add_ratios(results: dict) -> None:
    """glassnet / PyTorch and glassnet / scikit-learn: ratios of median epoch times (< 1: glassnet is faster);
    every framework / the products-alone floor (``floor_ratio``: how far above the matrix products alone)."""
    for rows in results.values():
        floor = rows.get(FLOOR, {})
        for s in rows.values():
            if "median" in s and "median" in floor:
                s["floor_ratio"] = s["median"] / floor["median"]
        gn = rows.get("glassnet", {})
        for name in ("pytorch", "sklearn", *OPTIONAL_FRAMEWORKS):
            other = rows.get(name, {})
            if "median" in gn and "median" in other:
                other["glassnet_ratio"] = gn["median"] / other["median"]
                other["glassnet_ratio_min"] = gn["min"] / other["min"]
                other["rss_ratio"] = gn["peak_rss_mb"] / other["peak_rss_mb"]


def check_targets(results: dict) -> list[dict]:
    """The targets of issue 7, each with the measured value and whether it is met."""
    rows = []
    for name, by_fw in results.items():
        case = CASES[name]
        gn = by_fw.get("glassnet", {})
        for key, limit in case.targets.items():
            if key == "vs_pytorch":
                value, what = by_fw.get("pytorch", {}).get("glassnet_ratio"), "glassnet / PyTorch epoch time"
                ok = value is not None and value <= limit
                goal = f"<= {limit:.2f}x"
            elif key == "vs_sklearn":
                value, what = by_fw.get("sklearn", {}).get("glassnet_ratio"), "glassnet / scikit-learn epoch time"
                ok = value is not None and value <= limit
                goal = f"<= {limit:.2f}x"
            elif key == "peak_fraction":
                value = gn.get("local_peak_fraction")
                run_wide = gn.get("peak_fraction")
                what = ("glassnet GFLOP/s / float32 matmul peak measured in the same process"
                        + (f" (against the run's best peak: {run_wide:.0%})" if run_wide is not None else ""))
                ok = value is not None and value >= limit
                goal = f">= {limit:.0%}"
            elif key == "rss_vs_pytorch":
                value, what = by_fw.get("pytorch", {}).get("rss_ratio"), "glassnet / PyTorch peak RSS"
                ok = value is not None and value <= limit
                goal = f"<= {limit:.2f}x"
            else:
                continue
            rows.append({"case": name, "target": what, "goal": goal, "limit": limit, "value": value,
                         "met": bool(ok) if value is not None else None})
    return rows


# ------------------------------------------------------------------------------------------ printing
def _fmt_seconds(s: dict) -> str:
    mark = "" if s.get("over") == "quiet" else "*"
    return f"{mark}{s['median']:.3f} ({s['min']:.3f}-{s['max']:.3f})"


def training_table(results: dict) -> str:
    head = (f"{'case':<17}{'framework':<12}{'epoch s median (min-max)':>27}{'quiet':>7}{'warm-up s':>11}{'gn/x':>7}"
            f"{'(min)':>7}{'x/floor':>8}{'GFLOP/s':>9}{'% peak':>8}{'% local':>9}{'peak RSS MiB':>14}{'others':>8}"
            "  final loss / acc")
    lines = [head, "-" * len(head)]
    for name, by_fw in results.items():
        for fw in (*FRAMEWORKS, *OPTIONAL_FRAMEWORKS, FLOOR):
            s = by_fw.get(fw)
            if s is None:
                continue
            if "error" in s:
                lines.append(f"{name:<17}{fw:<12}  ERROR: {s['error'][:150]}")
                continue
            ratio, ratio_min = s.get("glassnet_ratio"), s.get("glassnet_ratio_min")
            ratio_text = "1" if fw == "glassnet" else (f"{ratio:.2f}" if ratio is not None else "-")
            floor_text = f"{s['floor_ratio']:.2f}" if s.get("floor_ratio") is not None else "-"
            ratio_min_text = "" if fw == "glassnet" else (f"{ratio_min:.2f}" if ratio_min is not None else "-")
            warm = f"{s['warmup_median']:.2f}" if s.get("warmup_median") is not None else "-"
            frac = f"{s['peak_fraction']:.0%}" if s.get("peak_fraction") is not None else "-"
            local = f"{s['local_peak_fraction']:.0%}" if s.get("local_peak_fraction") is not None else "-"
            share = s.get("others_cpu_share")
            others = f"{share:.0%}" if share == share and share is not None else "-"
            loss = f"{s['final_loss']:.3f}" if s.get("final_loss") is not None else "-"
            acc = f" / {s['final_accuracy']:.3f}" if s.get("final_accuracy") is not None else ""
            quiet = f"{s['quiet_epochs']}/{s['timed_epochs']}"
            lines.append(f"{name:<17}{fw:<12}{_fmt_seconds(s):>27}{quiet:>7}{warm:>11}{ratio_text:>7}{ratio_min_text:>7}"
                         f"{floor_text:>8}"
                         f"{s['gflops']:>9.1f}"
                         f"{frac:>8}{local:>9}{s['peak_rss_mb']:>14.0f}{others:>8}  {loss}{acc}")
    return "\n".join(lines)


def micro_table(micro: dict) -> str:
    lines = []
    gc = micro.get("gradcheck")
    if gc is not None:
        if "skipped" in gc or "error" in gc:
            lines.append(f"gradcheck: skipped: {gc.get('skipped') or gc.get('error')}")
        else:
            s = gc["seconds"]
            lines.append(
                f"gradcheck: exact mode, {'-'.join(map(str, gc['layers']))} ({gc['n_params']:,} parameters), "
                f"m = {gc['m']}: {median(s):.2f} s ({min(s):.2f}-{max(s):.2f}), {gc['evaluations']:,} cost "
                f"evaluations, {median(s) / gc['evaluations'] * 1e6:.0f} us per evaluation, "
                f"difference {gc['difference']:.2e} ({'passed' if gc['passed'] else 'not passed'}), "
                f"others {gc.get('others_cpu_share', float('nan')):.0%}")
    au = micro.get("augment")
    if au is not None:
        if "skipped" in au or "error" in au:
            lines.append(f"augment: skipped: {au.get('skipped') or au.get('error')}")
        else:
            r = au["images_per_second"]
            lines.append(
                f"augment: flip+crop+rotate, batch {au['batch']} of 28x28x1 float32: {median(r):,.0f} images/s "
                f"({min(r):,.0f}-{max(r):,.0f}); {au.get('data', '')}; via {au['source']}; "
                f"others {au.get('others_cpu_share', float('nan')):.0%}")
    return "\n".join(lines)


def targets_table(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        if r["value"] is None:
            lines.append(f"  [ n/a ] {r['case']:<17}{r['target']} {r['goal']}: not measured")
            continue
        v = r["value"]
        shown = f"{v:.0%}" if "peak" in r["target"] and "RSS" not in r["target"] else f"{v:.2f}x"
        if r["met"]:
            verdict = "[ met ]"
            by = ""
        else:
            verdict = "[ MISS]"
            by = (f"  (short by {r['limit'] - v:.0%} points)" if r["goal"].startswith(">=")
                  else f"  ({v / r['limit'] - 1:+.0%} over the limit)")
        lines.append(f"  {verdict} {r['case']:<17}{r['target']} {r['goal']}: {shown}{by}")
    return "\n".join(lines)


def header(settings: dict, args) -> tuple[str, dict]:
    info = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": cpu_model(), "cores": cpu_count(), "python": platform.python_version(),
        "numpy": np.__version__, "git_commit": git_commit(), "blas": blas_info(), "blas_env": blas_env(),
        "settings": settings, "load_average_start": os.getloadavg(),
    }
    lines = [
        f"glassnet benchmark  {info['date']}  commit {info['git_commit']}",
        f"machine: {info['machine']}, {info['cores']} cores; python {info['python']}, numpy {info['numpy']}",
        f"BLAS (numpy): {describe_blas(info['blas'])}",
        f"m = {settings['m']:,} examples x 784 features, 10 classes; {settings['warmup']} warm-up + "
        f"{settings['epochs']} timed epochs per run, {settings['repeats']} repeats, Adam lr 1e-3",
        f"load average at start: {' '.join(f'{x:.2f}' for x in info['load_average_start'])}; "
        f"priority (nice) {settings.get('nice', 0)}; wait for quiet up to {settings.get('wait_quiet', 0):g} s",
    ]
    if info["blas_env"]:
        lines.append("WARNING: " + ", ".join(f"{k}={v}" for k, v in info["blas_env"].items()) +
                     " is set; it slows a current OpenBLAS down. Benchmark with "
                     "`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m bench`.")
    return "\n".join(lines), info


# ------------------------------------------------------------------------------------------ main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="glassnet against PyTorch (CPU, fused Adam) and scikit-learn's MLPClassifier: epoch times, "
                    "ratios, share of the measured matmul peak, peak RSS. See bench/README.md.")
    parser.add_argument("--case", default="all",
                        help=f"comma-separated cases, or 'all' (default): {', '.join(CASES)}")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS),
                        help="comma-separated frameworks for the training cases (default: glassnet,pytorch,sklearn; "
                             "also glassnet-1t: glassnet with one BLAS thread)")
    parser.add_argument("--repeats", type=int, help=f"runs of each case and framework (default {DEFAULTS['repeats']})")
    parser.add_argument("--epochs", type=int, help=f"timed epochs per run (default {DEFAULTS['epochs']})")
    parser.add_argument("--warmup", type=int, help=f"untimed warm-up epochs per run (default {DEFAULTS['warmup']})")
    parser.add_argument("--m", type=int, help=f"training examples (default {DEFAULTS['m']:,})")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny smoke run: 6 000 examples, 1 warm-up + 1 timed epoch, 1 repeat, small peak")
    parser.add_argument("--json", metavar="PATH", help="also write every measurement as JSON to PATH")
    parser.add_argument("--profile", action="store_true",
                        help="instead of the benchmark: cProfile one glassnet epoch of the (first) case, print the "
                             "top 25 functions by cumulative time and a component breakdown")
    parser.add_argument("--extra-repeats", type=int, default=0, metavar="K",
                        help="after the repeats, run up to K more rounds of a training case while one of its "
                             "frameworks has fewer quiet epochs than --epochs (for shared machines; default 0)")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="before each measurement, wait up to SECONDS until other processes use under 10%% of "
                             "the CPU (for shared machines; default 0: do not wait)")
    parser.add_argument("--nice", type=int, metavar="N",
                        help="run the benchmark and its workers at scheduling priority N (-20..19; below 0 needs "
                             "root): on a shared machine, -15 keeps other processes from skewing the times")
    parser.add_argument("--no-floor", action="store_true",
                        help="leave out the products-alone floor (run with every training case by default: only the "
                             "matrix products of each mini-batch, nothing else)")
    parser.add_argument("--no-final-peak", action="store_true", help="measure the matmul peak only before the cases")
    args = parser.parse_args(argv)
    if args.case == "all":
        args.cases = list(CASES)
    else:
        args.cases = [c.strip() for c in args.case.split(",") if c.strip()]
        unknown = [c for c in args.cases if c not in CASES]
        if unknown:
            parser.error(f"unknown case(s) {', '.join(unknown)}; the cases are: {', '.join(CASES)}")
    args.framework_list = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    known = (*FRAMEWORKS, *OPTIONAL_FRAMEWORKS, FLOOR)
    unknown = [f for f in args.framework_list if f not in known]
    if unknown:
        parser.error(f"unknown framework(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    if not args.no_floor and FLOOR not in args.framework_list:
        args.framework_list.append(FLOOR)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    settings = dict(QUICK if args.quick else DEFAULTS)
    settings["wait_quiet"] = args.wait_quiet
    if args.nice is not None:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # the workers inherit it
        except (PermissionError, OSError) as exc:
            print(f"WARNING: could not set priority {args.nice} ({exc}); running at "
                  f"{os.getpriority(os.PRIO_PROCESS, 0)}", file=sys.stderr)
    settings["nice"] = os.getpriority(os.PRIO_PROCESS, 0)
    for key in ("m", "epochs", "warmup", "repeats"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    if args.profile:
        from .profile import profile_case

        train_cases = [c for c in args.cases if CASES[c].kind == "train"] or ["mlp512-b128"]
        return profile_case(train_cases[0], m=settings["m"])

    text, info = header(settings, args)
    print(text, flush=True)
    t_start = time.perf_counter()

    print("measuring the matmul peak ...", flush=True)
    peaks = [run_worker("peak", "mlp512-b128", settings, args.quick)]
    peak = _best_peak(peaks)
    print(_peak_line(peak), flush=True)

    train = [c for c in args.cases if CASES[c].kind == "train"]
    runs: dict[str, dict[str, list]] = {c: {fw: [] for fw in args.framework_list} for c in train}
    total = settings["repeats"] * len(train) * len(args.framework_list)
    done = 0
    for repeat in range(1, settings["repeats"] + 1):
        for name in train:
            for fw in args.framework_list:
                result = run_worker(fw, name, settings, args.quick)
                runs[name][fw].append(result)
                done += 1
                print(f"[{done}/{total}] {_progress_line(name, fw, repeat, result)}", flush=True)

    for extra in range(1, args.extra_repeats + 1):
        noisy = [name for name in train
                 if any(_quiet_epochs(runs[name][fw]) < settings["epochs"] for fw in args.framework_list)]
        if not noisy:
            break
        for name in noisy:
            for fw in args.framework_list:
                result = run_worker(fw, name, settings, args.quick)
                runs[name][fw].append(result)
                print(f"[extra {extra}] {_progress_line(name, fw, settings['repeats'] + extra, result)}", flush=True)

    micro = {}
    for name in args.cases:
        if CASES[name].kind in ("gradcheck", "augment"):
            result = run_worker(CASES[name].kind, name, settings, args.quick)
            micro[CASES[name].kind] = result
            print(f"[{name}] done in {result.get('wall_seconds', 0):.1f} s", flush=True)

    if not args.quick and not args.no_final_peak:
        print("measuring the matmul peak again ...", flush=True)
        peaks.append(run_worker("peak", "mlp512-b128", settings, args.quick))
        peak = _best_peak(peaks)

    results = {name: {fw: summarize_training(CASES[name], runs[name][fw], settings["m"], peak) for fw in by_fw}
               for name, by_fw in runs.items()}
    add_ratios(results)
    targets = check_targets(results)
    elapsed = time.perf_counter() - t_start

    print()
    print(_peak_line(peak))
    if results:
        print("training cases: seconds per epoch over the quiet timed epochs (quiet = k of n timed epochs during "
              "which other processes\nused < 10 % of the CPU; * = none was quiet, all epochs used); gn/x = glassnet "
              "time / this framework's time,\nof the medians and of the (min)s; x/floor = this row's median / the "
              "products-alone floor's (the matrix products of each mini-batch, nothing else);\n"
              "GFLOP/s = 6 x weights x m / median epoch s; % peak of the case's dtype (the run's best), "
              "% local: of the peak measured in each\nrun's own process (median over the epochs); "
              "others = median CPU share used by other processes during those epochs")
    if results:
        print(training_table(results))
    notes = _framework_notes(results)
    if notes:
        print(notes)
    if micro:
        print()
        print(micro_table(micro))
    if targets:
        print()
        print("targets (issue 7):")
        print(targets_table(targets))
    noisy = [f"{name} {fw}" for name, rows in results.items() for fw, s in rows.items() if s.get("over") == "all"]
    if noisy:
        print(f"\nWARNING: no quiet epoch for {', '.join(noisy)}: other processes used the CPU meanwhile, so "
              "those times (marked *) are inflated and their ratios unreliable. Rerun on a quiet machine, or with "
              "--extra-repeats / --wait-quiet.")
    print(f"\ntotal time {elapsed:.0f} s")

    if args.json:
        report = {**info, "peak": peak, "peak_measurements": peaks, "training": results, "runs": runs,
                  "micro": micro, "targets": targets, "elapsed_seconds": elapsed,
                  "load_average_end": os.getloadavg()}
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
        print(f"wrote {args.json}")
    return 0


def _quiet_epochs(runs: list[dict]) -> int:
    return sum(1 for r in runs if "error" not in r for o in r.get("epoch_others") or []
               if o is not None and o < QUIET_SHARE)


def _best_peak(peaks: list[dict]) -> dict:
    best: dict = {}
    for p in peaks:
        for dtype in ("float32", "float64"):
            if dtype in p and p[dtype]["gflops"] > best.get(dtype, {}).get("gflops", 0.0):
                best[dtype] = p[dtype]
    return best


def _peak_line(peak: dict) -> str:
    parts = []
    for dtype in ("float32", "float64"):
        if dtype in peak:
            sizes = ", ".join(f"{n}: {g:.1f}" for n, g in peak[dtype]["by_size"].items())
            parts.append(f"{dtype} {peak[dtype]['gflops']:.1f} GFLOP/s (n = {sizes})")
    return "matmul peak: " + ("; ".join(parts) if parts else "not measured")


def _progress_line(name: str, fw: str, repeat: int, r: dict) -> str:
    if "error" in r:
        return f"{name} {fw} repeat {repeat}: ERROR {r['error'][:200]}"
    others = r.get("epoch_others") or [None] * len(r["epoch_seconds"])
    epochs = " ".join(f"{s:.2f}" + (f" [{o:.0%}]" if o is not None else "") for s, o in zip(r["epoch_seconds"],
                                                                                           others, strict=False))
    warm = " ".join(f"{s:.2f}" for s in r.get("warmup_seconds", []))
    return (f"{name} {fw} repeat {repeat}: epochs {epochs} s (warm-up {warm}), peak RSS {r['peak_rss_mb']:.0f} MiB, "
            f"wall {r['wall_seconds']:.1f} s")


def _framework_notes(results: dict) -> str:
    lines = []
    seen = set()
    for rows in results.values():
        for fw, s in rows.items():
            if fw == "pytorch" and "adam" in s and ("pytorch", s["adam"]) not in seen:
                seen.add(("pytorch", s["adam"]))
                lines.append(f"PyTorch {s.get('version')}: Adam {s['adam']}, {s.get('threads')} threads, "
                             f"MKL {s.get('mkl')}, CPU capability {s.get('cpu_capability')}")
            if fw == "sklearn" and ("sklearn", s.get("input_dtype")) not in seen and "input_dtype" in s:
                seen.add(("sklearn", s.get("input_dtype")))
                lines.append(f"scikit-learn {s.get('version')}: {s['input_dtype']} input -> computes in "
                             f"{s.get('dtype_used')} (coefs_ dtype)")
            for note in s.get("notes", []):
                if note not in seen:
                    seen.add(note)
                    lines.append(f"note ({fw}): {note}")
    return "\n".join(lines)
