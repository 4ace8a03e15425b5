"""glassnet sweep: the flags of train (the base RunSpec, ``spec_from_args``), a grid and/or random search
over its settings, several seeds per configuration, run in local processes or on a Dask cluster."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from .. import runs, sweeps
from ..errors import HyperparameterError
from .outfolder import probe_writable, take_lock
from .parser import add_backend_flags, add_run_flags, integer
from .spec import check_data_source, check_output_folder, data_line, out_folder, said_in_flags, spec_from_args

GRID_HELP = ("values to try for a setting, repeatable: l2=0,0.1,0.7; layers=20x7,40x20x7; names as the flags: "
             "layers, activation, initializer, init_scale, keep_prob, l2, learning_rate, batch_size, optimizer, "
             "epochs, schedule, early_stopping, normalize, dtype")
RANDOM_HELP = ("a setting drawn at random, repeatable: learning_rate=log:1e-4:1e-1, l2=uniform:0:1, "
               "batch_size=int:16:256, activation=choice:relu,tanh")


def add_sweep_parser(sub) -> None:
    """glassnet sweep: the flags of train, the grid/random search, the seeds, where the trials run."""
    sweep = sub.add_parser("sweep", help="train every configuration of a grid/random search with several seeds, "
                                         "in local processes or on a Dask cluster")
    add_run_flags(sweep)
    group = sweep.add_argument_group("sweep")
    group.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...", help=GRID_HELP)
    group.add_argument("--random", action="append", default=[], metavar="NAME=DIST", help=RANDOM_HELP)
    group.add_argument("--n-random", type=integer("n_random", low=0), default=None,
                       help="random draws (default 10 when --random is given)")
    group.add_argument("--random-seed", type=integer("random_seed", low=0), default=0,
                       help="seed of the random draws (default 0)")
    group.add_argument("--seeds", type=integer("seeds"), default=5,
                       help="trainings per configuration, with seeds --seed, --seed+1, ... (default 5)")
    group.add_argument("--retries", type=integer("retries", low=0), default=2,
                       help="times the trials of a worker that died are run again (default 2)")
    group.add_argument("--top", type=integer("top"), default=10, help="configurations to print (default 10)")
    add_backend_flags(group, "the trials", "one per core")
    sweep.add_argument("--out", default=None, help="output folder (default runs/sweep-<data>-<time>); rerunning "
                                                   "the same command into it skips the finished trials")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler="cmd_sweep")


def cmd_sweep(args) -> int:
    backend, n_workers, scheduler = sweeps.backend_options(args.dask, args.scheduler, args.jobs)
    sweeps.check_backend(backend, n_workers)  # a missing dask is one line, before any data is loaded
    spec = spec_from_args(args)
    for name, value in (("--checkpoint-every", spec.checkpoint_every), ("--diagnostics", spec.diagnostics)):
        if value:
            raise HyperparameterError(f"glassnet sweep does not take {name} (a rerun of the same command resumes "
                                      "the sweep: finished trials are skipped)")
    check_data_source(spec)
    check_output_folder(args.out)
    grid, random = sweeps.parse_grid(args.grid), sweeps.parse_random(args.random)
    n_random = args.n_random if args.n_random is not None else (10 if random else 0)
    configs = sweeps.expand(grid, random, n_random, args.random_seed, spec=spec)
    with contextlib.ExitStack() as held:
        if args.out is not None:  # writable and ours before any data is read (run_sweep holds the lock again)
            probe_writable(args.out)
            held.callback(take_lock(Path(args.out), "sweep").release)
        return run(args, spec, configs, grid, random, n_random, backend, n_workers, scheduler)


def run(args, spec, configs, grid, random, n_random, backend, n_workers, scheduler) -> int:
    """The sweep, once its settings are checked: the data, the trials, the report."""
    with said_in_flags():
        data = runs.prepare(spec)
    out = out_folder(args, data, prefix="sweep-")
    workers = n_workers or sweeps.cpu_count()
    where = {"local": f"{workers} local processes", "sequential": "this process",
             "dask": f"Dask at {scheduler}" if scheduler else f"a Dask LocalCluster of {workers} processes"}[backend]
    print(data_line(data), flush=True)
    print(f"sweep: {len(configs)} configurations x {args.seeds} seeds = {len(configs) * args.seeds} trials "
          f"in {where} -> {out}", flush=True)
    result = sweeps.run_sweep(spec, data=data, grid=grid, random=random, n_random=n_random,
                              random_seed=args.random_seed, seeds=args.seeds, out=out, backend=backend,
                              n_workers=n_workers, scheduler=scheduler, retries=args.retries, progress=not args.quiet)
    print(result.report(top=args.top), flush=True)
    print(f"wrote {out}/results.csv, summary.csv, sweep.json" + (", best_model.npz" if result.best else "")
          + (f" and {len(result.figures)} figure{'s' * (len(result.figures) > 1)}" if result.figures else ""))
    if result.failed:
        print(f"{result.failed} trials failed: see {out / 'errors.log'}; rerunning the command runs them again",
              file=sys.stderr)
    return 1 if result.failed else 0


__all__ = ["add_sweep_parser", "cmd_sweep"]
