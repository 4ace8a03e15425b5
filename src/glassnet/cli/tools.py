"""The other commands: data (the built-in sets), gradcheck (backpropagation against finite differences),
lab (the notes' experiments) and playground (the local web page)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from .. import runs
from ..runs.data import output_for, read_dataset
from .parser import add_backend_flags, add_data_flags, add_network_flags, integer, number
from .spec import spec_from_args

EXIT_INCONCLUSIVE = 4  # gradcheck's when the check neither passes nor calls the gradient wrong
GRADCHECK_HELP = ("check backpropagation against two-sided finite differences (exit 0 passed, 1 the gradient is "
                  "called wrong, 4 inconclusive: look closer or at the noise floor)")


def add_tool_parsers(sub) -> None:
    """data, gradcheck, lab and playground."""
    data = sub.add_parser("data", help="list the built-in data sets")
    data.set_defaults(handler="cmd_data")
    add_gradcheck_parser(sub)
    add_lab_parser(sub)
    add_playground_parser(sub)


def cmd_data(_args) -> int:
    from ..data.datasets import listing

    print("\n".join(listing()))
    return 0


# ---------------------------------------------------------------------- gradcheck
def add_gradcheck_parser(sub) -> None:
    gradcheck = sub.add_parser("gradcheck", help=GRADCHECK_HELP)
    add_data_flags(gradcheck)
    add_network_flags(gradcheck)
    gradcheck.add_argument("--model", default=None, help="check a saved model instead of a new network")
    gradcheck.add_argument("--examples", type=integer("examples"), default=32, help="examples to check on (default 32)")
    gradcheck.add_argument("--epsilon", type=number("epsilon", 0.0, low_open=True), default=1e-7,
                           help="the finite-difference step (default 1e-7)")
    gradcheck.add_argument("--mode", choices=["auto", "exact", "fast"], default="auto",
                           help="exact: every parameter; fast: samples and random directions (default auto)")
    gradcheck.add_argument("--dropout", choices=["off", "fixed"], default="off",
                           help="check with dropout off (default) or with one fixed set of masks")
    gradcheck.add_argument("--sweep", action="store_true", help="also sweep epsilon (a real bug does not shrink)")
    gradcheck.add_argument("--no-normalize", dest="normalize", action="store_false")
    gradcheck.add_argument("--json", default=None, help="also write the report as JSON to this file")
    gradcheck.set_defaults(handler="cmd_gradcheck")


def gradcheck_network(spec, dataset):
    """The network of the flags for the data set, with small random biases.

    A new network has b = 0, so a dead unit feeds Z = 0 exactly to the next ReLU: a kink where the
    two-sided difference is not a derivative. Small random biases keep Z off the kinks.
    """
    output, n_out, _ = output_for(dataset, spec.task)
    net = runs.build(spec, dataset.n_x, n_out, output)
    rng = np.random.default_rng(spec.seed)
    for name in net.params:
        if name.startswith("b"):
            net.params[name] = 0.1 * rng.standard_normal(net.params[name].shape)
    return net


def cmd_gradcheck(args) -> int:
    from ..data.preprocessing import Standardizer
    from ..gradcheck import gradient_check
    from ..io import load

    spec = spec_from_args(args)
    net = load(args.model) if args.model else None
    # a saved model that divides its inputs itself takes the raw features; a new network, the scaled ones
    dataset = read_dataset(spec, raw=net is not None and net.input_scale is not None)
    if net is None:
        net = gradcheck_network(spec, dataset)
    # --limit: the first N training examples, as in train (None: all); --examples of them are checked
    X_train, Y_train = dataset.X_train[:, : spec.limit], dataset.Y_train[:, : spec.limit]
    X, Y = X_train[:, : args.examples], Y_train[:, : args.examples]
    if args.normalize and not args.model:
        X = Standardizer().fit(X_train).transform(X)
    print(f"gradient check of {net!r} on {X.shape[1]} examples of {dataset.name}", flush=True)
    report = gradient_check(net, X, Y, epsilon=args.epsilon, dropout=args.dropout, mode=args.mode,
                            sweep=args.sweep, seed=spec.seed)
    print(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=1, default=float))
    # 0 passed, 1 the gradient is called wrong; a check that calls nothing wrong but cannot pass either
    # (look closer, at the noise floor, every derivative set aside) is not a failure of the code: 4
    return 0 if report.passed else 1 if report.failed else EXIT_INCONCLUSIVE


# ---------------------------------------------------------------------- lab
def add_lab_parser(sub) -> None:
    lab = sub.add_parser("lab", help="run one of the notes' experiments (no NAME: list them)")
    lab.add_argument("name", nargs="?", default=None)
    lab.add_argument("--out", default=None, help="output folder (default runs/lab-NAME)")
    lab.add_argument("--seed", type=integer("seed", low=0), default=0, help="first seed (default 0)")
    lab.add_argument("--seeds", type=integer("seeds"), default=5, help="seeds for stochastic comparisons (default 5)")
    lab.add_argument("--quick", action="store_true", help="a smaller, faster version of the experiment")
    lab.add_argument("--data-path", default=None,
                     help="folder with the course's data files (or a parent with their subfolders)")
    add_backend_flags(lab, "the lab's repeated trainings (seeds)", "1; the table is the same for every N")
    lab.set_defaults(handler="cmd_lab")


def cmd_lab(args) -> int:
    from .. import labs

    if args.name is None:
        for name, title in labs.titles().items():
            print(f"{name:<22}{title}")
        print("\nrun one with: glassnet lab NAME [--quick] [--out DIR] [--seed N] [--seeds N] [--data-path DIR]")
        return 0
    from ..sweeps import backend_options, check_backend

    backend, n_workers, scheduler = backend_options(args.dask, args.scheduler, args.jobs, default="sequential")
    check_backend(backend, n_workers)
    labs.run(args.name, out=args.out, seed=args.seed, quick=args.quick, seeds=args.seeds, data_path=args.data_path,
             backend=backend, n_workers=n_workers, scheduler=scheduler)
    return 0


# ---------------------------------------------------------------------- playground
def add_playground_parser(sub) -> None:
    playground = sub.add_parser("playground", help="a local web page to train small networks on 2-D data and "
                                                   "watch them learn (needs the 'playground' extra)")
    playground.add_argument("--host", default="127.0.0.1",
                            help="address to listen on (default 127.0.0.1: this machine only)")
    playground.add_argument("--port", type=integer("port", low=0), default=8765, help="port (default 8765)")
    playground.add_argument("--open", action="store_true", help="open the page in the default web browser")
    playground.add_argument("--measure", type=number("measure", 0.0, low_open=True), default=None, metavar="SECONDS",
                            help="measure the frames and epochs per second the server sends while a [2, 8, 8, 1] "
                                 "network trains on 500 points (at the default speed and at full speed) and its "
                                 "memory per session, print them and exit")
    playground.set_defaults(handler="cmd_playground")


def cmd_playground(args) -> int:
    try:  # the playground sits on top of the library and needs its extra; import it only here
        from ..playground import server
    except ImportError as exc:
        print(f"glassnet: error: the playground needs Starlette and uvicorn ({exc}); "
              "install them with: pip install 'glassnet[playground]'", file=sys.stderr)
        return 2
    if args.measure is not None:
        print_measurements(args.measure)
        return 0
    return server.serve(host=args.host, port=args.port, open_browser=args.open)


def print_measurements(seconds: float) -> None:
    """glassnet playground --measure: frames and epochs per second at the default and full speed, memory."""
    from ..playground import measure

    for speed in (measure.DEFAULT_SPEED, measure.MAX_SPEED):
        result = measure.measure_frame_rate(seconds=seconds, epochs_per_second=speed)
        print(f"{f'default speed ({speed} epochs/s)' if speed else 'full speed'}: "
              f"{result['frames']} frames in {result['seconds']:.2f} s: {result['frames_per_second']:.1f} frames "
              f"per second, {result['epochs_per_second']:.1f} epochs per second ({result['layer_dims']} on "
              f"{result['points']} points, dev accuracy {result['dev_accuracy']})")
    memory = measure.measure_memory()
    if memory["bytes_per_session"] is not None:
        print(f"memory: {memory['bytes_per_session'] / 2**20:.1f} MiB per session ({memory['sessions']} tabs "
              "open, each trained a second at full speed)")


__all__ = ["EXIT_INCONCLUSIVE", "GRADCHECK_HELP", "add_gradcheck_parser", "add_lab_parser", "add_playground_parser",
           "add_tool_parsers", "cmd_data", "cmd_gradcheck", "cmd_lab", "cmd_playground", "gradcheck_network",
           "print_measurements"]
