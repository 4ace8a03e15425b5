"""The ``glassnet`` command: train, evaluate, predict and describe networks on real data.

    glassnet train                       # the default: scikit-learn's digits, a 64-128-64-10 network
    glassnet train --data moons --layers 20,7 --activation tanh --epochs 300 --out runs/moons
    glassnet train --data mnist --data-path ../shared/datasets/mnist --augment flip,crop,rotate
    glassnet evaluate runs/digits/model.npz
    glassnet predict runs/digits/model.npz --input new.csv --output predictions.csv
    glassnet info runs/digits/model.npz
    glassnet gradcheck --layers 5,3 --activation tanh --l2 0.7      # exits 1 when the check fails
    glassnet lab                         # the notes' experiments; glassnet lab initialization --quick

User errors print one line (``glassnet: error: ...``) and exit with status 2, no traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

from .errors import GlassnetError, HyperparameterError

DEFAULTS = {"data": "digits", "layers": "128,64", "epochs": 40, "batch_size": 32, "learning_rate": None,
            "optimizer": "adam", "seed": 0}


# ---------------------------------------------------------------------- argument parsing
def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 64,32, got {text!r}") from exc
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"layer sizes must be >= 1, got {text!r}")
    return values


def _float_list(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a number or comma-separated numbers, got {text!r}") from exc


def add_data_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data")
    group.add_argument("--data", default=DEFAULTS["data"],
                       help="a built-in data set (see `glassnet data`) or a .csv/.npz file (default: digits)")
    group.add_argument("--data-path", default=None,
                       help="folder with the files of a file-based set (mnist, fashion_mnist, cats, course_2d)")
    group.add_argument("--label", default=None, help="label column of a CSV file (default: label/y/target/class "
                                                     "or the last column)")
    group.add_argument("--test-fraction", type=float, default=0.2,
                       help="held-out test fraction for sets without a test split (default 0.2)")
    group.add_argument("--dev-fraction", type=float, default=0.1,
                       help="dev fraction taken from the training split (default 0.1; 0 for none)")
    group.add_argument("--task", choices=["auto", "classification", "regression"], default="auto")
    group.add_argument("--limit", type=int, default=None, help="use only the first N training examples")


def add_network_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("network")
    group.add_argument("--layers", type=_int_list, default=_int_list(DEFAULTS["layers"]),
                       help="hidden layer sizes, comma-separated (default 128,64)")
    group.add_argument("--activation", default="relu",
                       help="hidden activation, or one per hidden layer comma-separated: relu, tanh, sigmoid, "
                            "leaky_relu, linear (default relu)")
    group.add_argument("--leaky-alpha", type=float, default=0.01, help="slope of leaky_relu for z < 0")
    group.add_argument("--initializer", default="he", help="zeros, random, he, xavier, glorot (default he)")
    group.add_argument("--init-scale", type=float, default=1.0, help="multiplies every initial std (default 1)")
    group.add_argument("--keep-prob", type=_float_list, default=[1.0],
                       help="dropout keep probability for every hidden layer, or one per layer input "
                            "[input, hidden 1, ...] comma-separated (default 1: no dropout)")
    group.add_argument("--l2", type=float, default=0.0, help="L2 regularization lambda (default 0)")
    group.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    group.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="seed for everything random (default 0)")


def add_training_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("training")
    group.add_argument("--optimizer", default=DEFAULTS["optimizer"], help="gd, momentum, rmsprop, adam (default adam)")
    group.add_argument("--learning-rate", type=float, default=DEFAULTS["learning_rate"],
                       help="default: the optimizer's (adam 0.001, rmsprop 0.001, gd/momentum 0.01)")
    group.add_argument("--schedule", default=None, help="learning-rate decay: inverse_time, exponential, step")
    group.add_argument("--epochs", type=int, default=DEFAULTS["epochs"], help="default 40")
    group.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"],
                       help="mini-batch size; 0 for full batch (default 32)")
    group.add_argument("--early-stopping", type=int, default=0, metavar="PATIENCE",
                       help="stop when the dev cost has not improved for PATIENCE epochs (default 0: off)")
    group.add_argument("--normalize", dest="normalize", action="store_true", default=None,
                       help="standardize the inputs with train-set mean and variance (the default, except for "
                            "augmented images: per-pixel scaling blows up the border pixels augmentation moves "
                            "ink into)")
    group.add_argument("--no-normalize", dest="normalize", action="store_false", help="do not standardize")
    group.add_argument("--augment", default=None,
                       help="augment image mini-batches: comma-separated flip, vflip, crop, zoom, rotate, elastic")
    group.add_argument("--diagnostics", action="store_true", help="record per-layer gradient statistics per epoch")
    group.add_argument("--checkpoint-every", type=int, default=None, help="write a checkpoint every N epochs")
    group.add_argument("--resume", default=None, help="continue training from a checkpoint file")


def build_parser() -> argparse.ArgumentParser:
    from .version import __version__

    parser = Parser(prog="glassnet", description="Deep learning on NumPy that you can see through.")
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = sub.add_parser("train", help="train a network and write the model, history and plots")
    add_data_flags(train)
    add_network_flags(train)
    add_training_flags(train)
    train.add_argument("--out", default=None, help="output folder (default runs/<data>-<time>)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=cmd_train)

    evaluate = sub.add_parser("evaluate", help="cost and accuracy of a saved model on a data set")
    evaluate.add_argument("model")
    add_data_flags(evaluate)
    evaluate.add_argument("--split", choices=["test", "train"], default="test")
    evaluate.add_argument("--seed", type=int, default=None, help="default: the seed the model was trained with")
    evaluate.set_defaults(handler=cmd_evaluate, data=None)

    predict = sub.add_parser("predict", help="predictions of a saved model for a CSV/NPZ file, written to CSV")
    predict.add_argument("model")
    predict.add_argument("--input", required=True, help="a .csv (header row) or .npz (X) file of examples")
    predict.add_argument("--label", default=None, help="a label column to leave out of the features")
    predict.add_argument("--output", default="-", help="CSV file to write (default: standard output)")
    predict.set_defaults(handler=cmd_predict)

    info = sub.add_parser("info", help="layers, shapes, parameter counts and hyperparameters of a model")
    info.add_argument("model")
    info.set_defaults(handler=cmd_info)

    data = sub.add_parser("data", help="list the built-in data sets")
    data.set_defaults(handler=cmd_data)

    gradcheck = sub.add_parser("gradcheck", help="check backpropagation against two-sided finite differences")
    add_data_flags(gradcheck)
    add_network_flags(gradcheck)
    gradcheck.add_argument("--model", default=None, help="check a saved model instead of a new network")
    gradcheck.add_argument("--examples", type=int, default=32, help="examples to check on (default 32)")
    gradcheck.add_argument("--epsilon", type=float, default=1e-7, help="the finite-difference step (default 1e-7)")
    gradcheck.add_argument("--mode", choices=["auto", "exact", "fast"], default="auto",
                           help="exact: every parameter; fast: samples and random directions (default auto)")
    gradcheck.add_argument("--dropout", choices=["off", "fixed"], default="off",
                           help="check with dropout off (default) or with one fixed set of masks")
    gradcheck.add_argument("--sweep", action="store_true", help="also sweep epsilon (a real bug does not shrink)")
    gradcheck.add_argument("--no-normalize", dest="normalize", action="store_false")
    gradcheck.add_argument("--json", default=None, help="also write the report as JSON to this file")
    gradcheck.set_defaults(handler=cmd_gradcheck)

    lab = sub.add_parser("lab", help="run one of the notes' experiments (no NAME: list them)")
    lab.add_argument("name", nargs="?", default=None)
    lab.add_argument("--out", default=None, help="output folder (default runs/lab-NAME)")
    lab.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    lab.add_argument("--seeds", type=int, default=5, help="seeds for stochastic comparisons (default 5)")
    lab.add_argument("--quick", action="store_true", help="a smaller, faster version of the experiment")
    lab.add_argument("--data-path", default=None,
                     help="folder with the course's data files (or a parent with their subfolders)")
    _add_backend_flags(lab, "run the lab's repeated trainings (seeds) one after another in this process (default), "
                            "in N local processes (--jobs N) or on Dask; the table is the same")
    lab.set_defaults(handler=cmd_lab)

    add_playground_parser(sub)
    add_sweep_parser(sub)
    return parser


# ---------------------------------------------------------------------- data
def load_data(args, seed):
    """A ``Dataset`` from --data: a built-in name or a CSV/NPZ file, split into train and test."""
    from .data import datasets
    from .data.preprocessing import train_test_split
    from .data.tables import read_table

    name = str(args.data)
    if Path(name).suffix.lower() in (".csv", ".npz", ".txt"):
        X, Y, _ = read_table(name, label=args.label)
        classification = _is_classification(Y, args.task)
        Y_kept = Y.astype(np.int64) if classification else Y
        n_classes = int(Y_kept.max()) + 1 if classification else 0
        X_tr, Y_tr, X_te, Y_te = train_test_split(X, Y_kept, test=args.test_fraction, stratify=classification,
                                                  seed=seed)
        return datasets.Dataset(X_tr, Y_tr, X_te, Y_te, n_classes, Path(name).name)
    kwargs = {}
    if name.replace("-", "_") in ("mnist", "fashion_mnist") and args.data_path is not None:
        kwargs["download"] = False
    return datasets.load(name, path=args.data_path, test=args.test_fraction, seed=seed, **kwargs)


def _is_classification(Y, task: str) -> bool:
    if task != "auto":
        return task == "classification"
    return Y.shape[0] == 1 and bool(np.all(Y == np.round(Y))) and bool(Y.min() >= 0) and len(np.unique(Y)) <= 100


def _split_dev(X, Y, fraction, classification, seed):
    from .data.preprocessing import train_test_split

    if not fraction:
        return X, Y, None, None
    if not 0 < fraction < 1:
        raise HyperparameterError(f"--dev-fraction must be in [0, 1), got {fraction}")
    return train_test_split(X, Y, test=fraction, stratify=classification, seed=seed)


# ---------------------------------------------------------------------- commands
def _activations(args, n_hidden: int, output: str) -> list:
    from .activations import LeakyReLU

    names = [a.strip() for a in args.activation.split(",") if a.strip()]
    if len(names) == 1:
        names = names * n_hidden
    if len(names) != n_hidden:
        raise HyperparameterError(f"--activation needs 1 or {n_hidden} names (one per hidden layer), got {len(names)}")
    acts = [LeakyReLU(args.leaky_alpha) if n.replace("-", "_").lower() == "leaky_relu" else n for n in names]
    return acts + [output]


def build_network(args, n_x: int, n_out: int, output: str):
    from .network import Network

    keep = args.keep_prob[0] if len(args.keep_prob) == 1 else args.keep_prob
    return Network([n_x, *args.layers, n_out], activations=_activations(args, len(args.layers), output),
                   initializer=args.initializer, init_scale=args.init_scale, keep_prob=keep, l2=args.l2,
                   dtype=args.dtype, seed=args.seed)


def output_for(data, task: str):
    """(output activation, n_out, classification?) for a data set."""
    classification = data.n_classes > 0 and task != "regression"
    if not classification:
        return "linear", data.Y_train.shape[0], False
    return ("sigmoid", 1, True) if data.n_classes == 2 else ("softmax", data.n_classes, True)


def cmd_train(args) -> int:
    from .io import save
    from .plots import cost_curve, decision_boundary, gradient_norms, train_dev_curves
    from .training import EarlyStopping

    started = time.perf_counter()
    data = load_data(args, args.seed)
    output, n_out, classification = output_for(data, args.task)
    X_train, Y_train = data.X_train, data.Y_train
    if args.limit:
        X_train, Y_train = X_train[:, : args.limit], Y_train[:, : args.limit]
    X_tr, Y_tr, X_dev, Y_dev = _split_dev(X_train, Y_train, args.dev_fraction, classification, args.seed)
    net = build_network(args, data.n_x, n_out, output)
    augment = None
    if args.augment:
        if data.image_shape is None:
            raise HyperparameterError(f"--augment works on images; data set {data.name!r} is not made of images")
        from .data.augmentation import from_names

        augment = from_names(args.augment, image_shape=data.image_shape)
    early = None
    if args.early_stopping:
        if X_dev is None:
            raise HyperparameterError("--early-stopping needs a dev set: use --dev-fraction > 0")
        early = EarlyStopping(patience=args.early_stopping)
    out = Path(args.out or f"runs/{data.name}-{time.strftime('%Y%m%d-%H%M%S')}")
    out.mkdir(parents=True, exist_ok=True)
    print(f"data: {data.name}  train {X_tr.shape[1]}  dev {0 if X_dev is None else X_dev.shape[1]}  "
          f"test {data.X_test.shape[1]}  features {data.n_x}", flush=True)
    print(net.summary(), flush=True)
    history = net.fit(
        X_tr, Y_tr, epochs=args.epochs, batch_size=args.batch_size or None, optimizer=args.optimizer,
        learning_rate=args.learning_rate, schedule=args.schedule, X_dev=X_dev, Y_dev=Y_dev, early_stopping=early,
        normalize=args.normalize if args.normalize is not None else augment is None,
        verbose=0 if args.quiet else 1, seed=args.seed, augment=augment,
        image_shape=data.image_shape if augment is not None else None, diagnostics=args.diagnostics,
        checkpoint_dir=out / "checkpoints" if args.checkpoint_every or early else None,
        checkpoint_every=args.checkpoint_every, resume_from=args.resume,
    )
    if history.stop_reason:
        print(history.stop_reason, flush=True)
    results = {"train": net.evaluate(X_tr, Y_tr), "test": net.evaluate(data.X_test, data.Y_test)}
    if X_dev is not None:
        results["dev"] = net.evaluate(X_dev, Y_dev)
    save(net, out / "model.npz", dataset=data.name, data_path=args.data_path, seed=args.seed,
         test_fraction=args.test_fraction, task="classification" if classification else "regression",
         class_names=list(data.class_names) if data.class_names else None, results=results)
    history.save_json(out / "history.json")
    (out / "results.json").write_text(json.dumps(results, indent=1))
    cost_curve(history, out / "cost.png", title=f"Training cost — {data.name}")
    train_dev_curves(history, out / "curves.png", title=f"{data.name}: train and dev")
    if data.n_x == 2 and classification:
        decision_boundary(net, data.X_test, data.Y_test, out / "boundary.png", title=f"{data.name}: test set")
    if args.diagnostics and history.diagnostics:
        gradient_norms(history, out / "gradient_norms.png")
    print(results_table(results), flush=True)
    print(f"wrote {out}/model.npz, history.json, results.json and plots in {time.perf_counter() - started:.1f} s")
    return 0


def results_table(results: dict) -> str:
    metric = "rmse" if "rmse" in next(iter(results.values())) else "accuracy"
    lines = [f"{'split':<8}{'cost':>12}{metric:>12}"]
    for split in ("train", "dev", "test"):
        if split in results:
            r = results[split]
            value = f"{100 * r[metric]:>11.2f}%" if metric == "accuracy" else f"{r[metric]:>12.4f}"
            lines.append(f"{split:<8}{r['cost']:>12.4f}{value}")
    return "\n".join(lines)


def cmd_evaluate(args) -> int:
    from .io import load, load_metadata

    net = load(args.model)
    extra = load_metadata(args.model).get("extra", {})
    if args.data is None:
        if not extra.get("dataset"):
            raise HyperparameterError("this model does not record its data set; pass --data")
        args.data = extra["dataset"]
        args.data_path = args.data_path or extra.get("data_path")
        if args.test_fraction == 0.2 and extra.get("test_fraction") is not None:
            args.test_fraction = extra["test_fraction"]
    seed = args.seed if args.seed is not None else extra.get("seed", 0)
    data = load_data(args, seed)
    X, Y = (data.X_test, data.Y_test) if args.split == "test" else (data.X_train, data.Y_train)
    result = net.evaluate(X, Y)
    print(results_table({args.split: result}))
    return 0


def cmd_predict(args) -> int:
    from .data.tables import read_table
    from .io import load, load_metadata

    net = load(args.model)
    X, _, _ = read_table(args.input, label=args.label, require_label=args.label is not None)
    proba = np.asarray(net.predict_proba(X))
    predictions = np.asarray(net.decide(proba))
    class_names = load_metadata(args.model).get("extra", {}).get("class_names")
    handle = sys.stdout if args.output == "-" else open(args.output, "w", newline="")  # noqa: SIM115
    try:
        writer = csv.writer(handle)
        if net.output_activation == "linear":
            writer.writerow([f"y{i}" for i in range(proba.shape[0])])
            writer.writerows(proba.T.tolist())
        else:
            columns = ["p1"] if proba.shape[0] == 1 else [f"p{k}" for k in range(proba.shape[0])]
            writer.writerow(["prediction", *columns] + (["class_name"] if class_names else []))
            for i in range(proba.shape[1]):
                label = int(predictions[0, i])
                row = [label, *[f"{p:.6g}" for p in proba[:, i]]]
                writer.writerow(row + ([class_names[label]] if class_names else []))
    finally:
        if handle is not sys.stdout:
            handle.close()
    return 0


def cmd_info(args) -> int:
    from .io import load, load_metadata

    net = load(args.model)
    meta = load_metadata(args.model)
    print(f"{args.model}: glassnet model (format {meta['format_version']}, saved by glassnet "
          f"{meta['glassnet_version']} at {meta.get('saved_at', '?')})")
    print(net.summary())
    print(f"output: {net.output_activation} -> cost {net.loss.name}")
    print(f"initializer: {net.initializer} x {net.init_scale:g}   keep_prob per layer input: {net.keep_prob}")
    print(f"normalizer: {'Standardizer (train-set mean and variance)' if net.normalizer is not None else 'none'}")
    extra = meta.get("extra") or {}
    for key, value in extra.items():
        if value is not None and key != "results":
            print(f"{key}: {value}")
    if extra.get("results"):
        print(results_table(extra["results"]))
    return 0


def cmd_data(args) -> int:
    from .data.datasets import DATASETS

    for name, info in DATASETS.items():
        print(f"{name:<15}{info.kind:<11}{info.description}")
    return 0


def cmd_gradcheck(args) -> int:
    from .data.preprocessing import Standardizer
    from .gradcheck import gradient_check
    from .io import load

    data = load_data(args, args.seed)
    if args.model:
        net = load(args.model)
    else:
        output, n_out, _ = output_for(data, args.task)
        net = build_network(args, data.n_x, n_out, output)
        # A new network has b = 0, so a dead unit feeds Z = 0 exactly to the next ReLU: a kink where
        # the two-sided difference is not a derivative. Small random biases keep Z off the kinks.
        rng = np.random.default_rng(args.seed)
        for name in net.params:
            if name.startswith("b"):
                net.params[name] = 0.1 * rng.standard_normal(net.params[name].shape)
    if args.examples < 1:
        raise HyperparameterError(f"--examples must be >= 1, got {args.examples}")
    X, Y = data.X_train[:, : args.examples], data.Y_train[:, : args.examples]
    if args.normalize and not args.model:
        X = Standardizer().fit(data.X_train).transform(X)
    print(f"gradient check of {net!r} on {X.shape[1]} examples of {data.name}", flush=True)
    report = gradient_check(net, X, Y, epsilon=args.epsilon, dropout=args.dropout, mode=args.mode,
                            sweep=args.sweep, seed=args.seed)
    print(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=1, default=float))
    return 0 if report.passed else 1


def cmd_lab(args) -> int:
    from . import labs

    if args.name is None:
        for name, title in labs.titles().items():
            print(f"{name:<22}{title}")
        print("\nrun one with: glassnet lab NAME [--quick] [--out DIR] [--seed N] [--seeds N] [--data-path DIR]")
        return 0
    if args.seeds < 1:
        raise HyperparameterError(f"--seeds must be >= 1, got {args.seeds}")
    from .sweeps import backend_options, check_backend

    backend, n_workers, scheduler = backend_options(args.dask, args.scheduler, args.jobs, default="sequential")
    check_backend(backend, n_workers)
    labs.run(args.name, out=args.out, seed=args.seed, quick=args.quick, seeds=args.seeds, data_path=args.data_path,
             backend=backend, n_workers=n_workers, scheduler=scheduler)
    return 0


def add_sweep_parser(sub) -> None:
    """glassnet sweep: the flags of train, the grid/random search, the seeds, where the trials run."""
    sweep = sub.add_parser("sweep", help="train every configuration of a grid/random search with several seeds, "
                                         "in local processes or on a Dask cluster")
    add_data_flags(sweep)
    add_network_flags(sweep)
    add_training_flags(sweep)
    group = sweep.add_argument_group("sweep")
    group.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                       help="values to try for a setting, repeatable: l2=0,0.1,0.7; layers=20x7,40x20x7; names as "
                            "the flags: layers, activation, initializer, init_scale, keep_prob, l2, learning_rate, "
                            "batch_size, optimizer, epochs, schedule, early_stopping, normalize, dtype")
    group.add_argument("--random", action="append", default=[], metavar="NAME=DIST",
                       help="a setting drawn at random, repeatable: learning_rate=log:1e-4:1e-1, l2=uniform:0:1, "
                            "batch_size=int:16:256, activation=choice:relu,tanh")
    group.add_argument("--n-random", type=int, default=None, help="random draws (default 10 when --random is given)")
    group.add_argument("--random-seed", type=int, default=0, help="seed of the random draws (default 0)")
    group.add_argument("--seeds", type=int, default=5,
                       help="trainings per configuration, with seeds --seed, --seed+1, ... (default 5)")
    group.add_argument("--retries", type=int, default=2,
                       help="times the trials of a worker that died are run again (default 2)")
    group.add_argument("--top", type=int, default=10, help="configurations to print (default 10)")
    _add_backend_flags(group, "where the trials run (default: local processes, one per core)")
    sweep.add_argument("--out", default=None, help="output folder (default runs/sweep-<data>-<time>); rerunning "
                                                   "the same command into it skips the finished trials")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=cmd_sweep)


def _add_backend_flags(parser, description: str) -> None:
    """--jobs N, --dask local[:N], --scheduler ADDRESS (glassnet sweep and glassnet lab)."""
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help=f"{description}: N local worker processes, one BLAS thread each (1: in this process)")
    parser.add_argument("--dask", nargs="?", const="local", default=None, metavar="local[:N]",
                        help='a Dask LocalCluster of N worker processes (default: one per core); needs '
                             'pip install "glassnet[sweeps]"')
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="the scheduler of a running Dask cluster (dask scheduler / dask worker, Kubernetes, HPC)")


def cmd_sweep(args) -> int:
    from . import sweeps

    backend, n_workers, scheduler = sweeps.backend_options(args.dask, args.scheduler, args.jobs)
    sweeps.check_backend(backend, n_workers)  # a missing dask is one line, before any data is loaded
    for flag, value in (("--checkpoint-every", args.checkpoint_every), ("--diagnostics", args.diagnostics),
                        ("--resume", args.resume)):
        if value:
            raise HyperparameterError(f"glassnet sweep does not take {flag} (a rerun of the same command resumes "
                                      "the sweep: finished trials are skipped)")
    if args.seeds < 1:
        raise HyperparameterError(f"--seeds must be >= 1, got {args.seeds}")
    grid, random = sweeps.parse_grid(args.grid), sweeps.parse_random(args.random)
    n_random = args.n_random if args.n_random is not None else (10 if random else 0)
    configs = sweeps.expand(grid, random, n_random, args.random_seed)
    data = load_data(args, args.seed)
    output, n_out, classification = output_for(data, args.task)
    X_train, Y_train = data.X_train, data.Y_train
    if args.limit:
        X_train, Y_train = X_train[:, : args.limit], Y_train[:, : args.limit]
    X_tr, Y_tr, X_dev, Y_dev = _split_dev(X_train, Y_train, args.dev_fraction, classification, args.seed)
    if args.augment and data.image_shape is None:
        raise HyperparameterError(f"--augment works on images; data set {data.name!r} is not made of images")
    if args.early_stopping and X_dev is None:
        raise HyperparameterError("--early-stopping needs a dev set: use --dev-fraction > 0")
    settings = {
        "layers": args.layers, "activation": args.activation, "leaky_alpha": args.leaky_alpha,
        "initializer": args.initializer, "init_scale": args.init_scale,
        "keep_prob": args.keep_prob[0] if len(args.keep_prob) == 1 else args.keep_prob, "l2": args.l2,
        "dtype": args.dtype, "epochs": args.epochs, "batch_size": args.batch_size or None,
        "optimizer": args.optimizer, "learning_rate": args.learning_rate, "schedule": args.schedule,
        "early_stopping": args.early_stopping, "augment": args.augment,
        "normalize": args.normalize if args.normalize is not None else not args.augment,
    }
    out = Path(args.out or f"runs/sweep-{data.name}-{time.strftime('%Y%m%d-%H%M%S')}")
    workers = n_workers or sweeps.cpu_count()
    where = {"local": f"{workers} local processes", "sequential": "this process",
             "dask": f"Dask at {scheduler}" if scheduler else f"a Dask LocalCluster of {workers} processes"}[backend]
    print(f"data: {data.name}  train {X_tr.shape[1]}  dev {0 if X_dev is None else X_dev.shape[1]}  "
          f"test {data.X_test.shape[1]}  features {data.n_x}", flush=True)
    print(f"sweep: {len(configs)} configurations x {args.seeds} seeds = {len(configs) * args.seeds} trials "
          f"in {where} -> {out}", flush=True)
    result = sweeps.sweep(
        X_tr, Y_tr, X_dev=X_dev, Y_dev=Y_dev, X_test=data.X_test, Y_test=data.Y_test, grid=grid, random=random,
        n_random=n_random, random_seed=args.random_seed, seeds=list(range(args.seed, args.seed + args.seeds)),
        out=out, backend=backend, n_workers=n_workers, scheduler=scheduler, retries=args.retries, output=output,
        n_out=n_out, image_shape=data.image_shape, progress=not args.quiet, **settings)
    print(result.report(top=args.top), flush=True)
    print(f"wrote {out}/results.csv, summary.csv, sweep.json" + (", best_model.npz" if result.best else "")
          + (f" and {len(result.figures)} figure{'s' * (len(result.figures) > 1)}" if result.figures else ""))
    if result.failed:
        print(f"{result.failed} trials failed: see {out / 'errors.log'}; rerunning the command runs them again",
              file=sys.stderr)
    return 1 if result.failed else 0


def add_playground_parser(sub) -> None:
    playground = sub.add_parser("playground", help="a local web page to train small networks on 2-D data and "
                                                   "watch them learn (needs the 'playground' extra)")
    playground.add_argument("--host", default="127.0.0.1",
                            help="address to listen on (default 127.0.0.1: this machine only)")
    playground.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    playground.add_argument("--open", action="store_true", help="open the page in the default web browser")
    playground.add_argument("--measure", type=float, default=None, metavar="SECONDS",
                            help="measure the frames per second the server sends while a [2, 8, 8, 1] network "
                                 "trains on 500 points, print them and exit")
    playground.set_defaults(handler=cmd_playground)


def cmd_playground(args) -> int:
    try:  # the playground sits on top of the library and needs its extra; import it only here
        from .playground import server
    except ImportError as exc:
        print(f"glassnet: error: the playground needs Starlette and uvicorn ({exc}); "
              "install them with: pip install 'glassnet[playground]'", file=sys.stderr)
        return 2
    if args.measure is not None:
        result = server.measure_frame_rate(seconds=args.measure)
        print(f"{result['frames']} frames in {result['seconds']:.2f} s: {result['frames_per_second']:.1f} frames "
              f"per second ({result['epochs']} epochs of {result['layer_dims']} on {result['points']} points, "
              f"dev accuracy {result['dev_accuracy']})")
        return 0
    return server.serve(host=args.host, port=args.port, open_browser=args.open)


class Parser(argparse.ArgumentParser):
    """argparse in glassnet's voice: a mistake in the command line is one line and exit status 2.

    argparse's own ``error`` prints the whole usage screen first; here the message names the flag and
    the value, and ``--help`` is where the usage lives. The subcommands' parsers are of this class too
    (``add_subparsers`` makes them with the parent's class).
    """

    def error(self, message: str):
        self.exit(2, f"glassnet: error: {message} (see `{self.prog} --help`)\n")


def _split_debug(argv: list[str]) -> tuple[list[str], bool]:
    """Take the global ``--debug`` out of argv wherever it stands (before ``--``)."""
    end = argv.index("--") if "--" in argv else len(argv)
    debug = "--debug" in argv[:end]
    return [a for i, a in enumerate(argv) if i >= end or a != "--debug"], debug


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv=None) -> int:
    """The ``glassnet`` command. Exit status: 0 done, 1 an internal error (or a failed check), 2 a user
    error (one line ``glassnet: error: ...``), 130 interrupted. ``--debug`` shows the traceback."""
    argv, debug = _split_debug(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a command-line mistake already printed
        return exc.code if isinstance(exc.code, int) else 2
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `glassnet predict ... | head`: the reader left, nothing to report
        return 0
    except Exception as exc:
        if debug:
            import traceback

            traceback.print_exc()
        if isinstance(exc, GlassnetError):
            print(f"glassnet: error: {_one_line(exc)}", file=sys.stderr)
            return 2
        print(f"glassnet: internal error: {type(exc).__name__}: {_one_line(exc)}"
              f"{'' if debug else ' (rerun with --debug for the traceback)'}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
