"""The ``glassnet`` command: train, evaluate, predict and describe networks on real data.

    glassnet train                       # the default: scikit-learn's digits, a 64-256-128-10 network
    glassnet train --data moons --layers 20,7 --activation tanh --epochs 300 --out runs/moons
    glassnet train --data mnist --data-path ../shared/datasets/mnist
    glassnet evaluate runs/digits/model.npz
    glassnet predict runs/digits/model.npz --input new.csv --output predictions.csv
    glassnet info runs/digits/model.npz
    glassnet export runs/digits/model.npz -o digits.onnx     # for onnxruntime; checked against glassnet
    glassnet gradcheck --layers 5,3 --activation tanh --l2 0.7      # exit 1: called wrong; 4: inconclusive
    glassnet lab                         # the notes' experiments; glassnet lab initialization --quick

A model file carries its whole input pipeline (the loader's fixed scaling, the fitted standardizer,
the feature and class names: ``Network.transform_input``), so ``predict`` takes the raw columns of a
file and answers in the original labels. ``train`` checks every flag before it reads data or makes
a folder. User errors print one line (``glassnet: error: ...``) and exit with status 2; a training
that diverged (a NaN cost, or one that ended far above where it started) saves what it has, says
"diverged" with the fix and exits with status 3.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import defaults as run_defaults
from .callbacks import Callback
from .errors import DatasetError, GlassnetError, HyperparameterError, LabelError, PathError

# The run's defaults are glassnet.defaults' (chosen by the defaults study, docs/defaults.md); the command
# line adds only what is its own: the data set, the seed and the splits.
DEFAULTS = {"data": "digits", "layers": ",".join(map(str, run_defaults.HIDDEN_LAYERS)), "epochs": None,
            "batch_size": run_defaults.BATCH_SIZE, "learning_rate": None, "optimizer": run_defaults.OPTIMIZER,
            "schedule": run_defaults.SCHEDULE, "seed": 0, "test_fraction": 0.2, "dev_fraction": 0.1}
EXIT_DIVERGED = 3  # train's exit status when the run diverged (a NaN cost, or a cost ending far above its start)
EXIT_INCONCLUSIVE = 4  # gradcheck's when the check neither passes nor calls the gradient wrong
GRADCHECK_HELP = ("check backpropagation against two-sided finite differences (exit 0 passed, 1 the gradient is "
                  "called wrong, 4 inconclusive: look closer or at the noise floor)")
FILE_SUFFIXES = (".csv", ".npz", ".txt")
BY_NAME_HELP = ("pick the model's feature columns by name when a file has them in another order; without it, "
                "a file's columns must be the model's features in the model's order")


# ---------------------------------------------------------------------- argument parsing
def _entries(text: str, example: str) -> list[str]:
    """The comma-separated entries of a flag's value; an empty one (20,,7 or 20,7,) is a mistake, not a skip."""
    parts = [v.strip() for v in text.split(",")]
    if "" in parts:
        raise argparse.ArgumentTypeError(f"an empty entry in {text!r}: expected comma-separated values like {example}")
    return parts


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in _entries(text, "64,32")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 64,32, got {text!r}") from exc
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"layer sizes must be integers >= 1, got {text!r}")
    return values


def _float_list(text: str) -> list[float]:
    try:
        return [float(v) for v in _entries(text, "1,0.8,0.8")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a number or comma-separated numbers, got {text!r}") from exc


def _integer(low: int):
    """An argparse type: an integer >= low (the message names the range and the value)."""
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}")
        return value
    return convert


def _number(low: float, high: float = math.inf, low_open: bool = False, high_open: bool = True):
    """An argparse type: a finite number in the range [low or (low, high) or high]."""
    if high == math.inf:
        brackets = f"{'>' if low_open else '>='} {low:g}"
    else:
        brackets = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number {brackets}, got {text!r}") from None
        inside = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
        if not math.isfinite(value) or not inside:
            raise argparse.ArgumentTypeError(f"expected a number {brackets}, got {text}")
        return value
    return convert


def add_data_flags(parser: argparse.ArgumentParser, for_model: bool = False) -> None:
    """The data flags; ``for_model``: of a command that scores a saved model (defaults: the model's own)."""
    group = parser.add_argument_group("data")
    model_default = "default: the data the model was trained on, found as recorded in the model file"
    group.add_argument("--data", default=None if for_model else DEFAULTS["data"],
                       help="a built-in data set (see `glassnet data`) or a .csv/.npz file "
                            f"({model_default if for_model else 'default: digits'})")
    group.add_argument("--data-path", default=None,
                       help="folder with the files of a file-based set (mnist/, fashion-mnist/, catvnoncat/, "
                            "regularization-2d/) "
                            "or their parent (default: " + ("the model's" if for_model else
                                                            "the cache folder, $GLASSNET_DATA") + ")")
    group.add_argument("--label", default=None,
                       help="label column of a CSV file (default: " + ("the model's" if for_model else
                                                                       "label/y/target/class or the last column") + ")")
    group.add_argument("--test-fraction", type=_number(0.0, 1.0, low_open=True),
                       default=None if for_model else DEFAULTS["test_fraction"],
                       help="held-out test fraction for sets without a test split (default "
                            + ("the model's" if for_model else f"{DEFAULTS['test_fraction']:g}") + ")")
    if for_model:
        group.add_argument("--columns-by-name", action="store_true", help=BY_NAME_HELP)
        return
    group.add_argument("--dev-fraction", type=_number(0.0, 1.0), default=DEFAULTS["dev_fraction"],
                       help=f"dev fraction taken from the training split (default {DEFAULTS['dev_fraction']:g}; "
                            "0 for none)")
    group.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                       help="auto (default): classification for text labels and for up to 100 integer values")
    group.add_argument("--limit", type=_integer(1), default=None,
                       help="use only the first N training examples (default: all)")


def add_network_flags(parser: argparse.ArgumentParser) -> None:
    from .initializers import STD_RULES

    group = parser.add_argument_group("network")
    group.add_argument("--layers", type=_int_list, default=_int_list(DEFAULTS["layers"]),
                       help=f"hidden layer sizes, comma-separated (default {DEFAULTS['layers']})")
    group.add_argument("--activation", default="relu",
                       help="hidden activation, or one per hidden layer comma-separated: relu, tanh, sigmoid, "
                            "leaky_relu, linear (default relu)")
    group.add_argument("--leaky-alpha", type=_number(0.0), default=0.01,
                       help="slope of leaky_relu for z < 0 (default 0.01)")
    group.add_argument("--initializer", choices=list(STD_RULES), default="he", help="(default he)")
    group.add_argument("--init-scale", type=_number(0.0, low_open=True), default=1.0,
                       help="multiplies every initial std (default 1)")
    group.add_argument("--keep-prob", type=_float_list, default=[1.0],
                       help="dropout keep probability for every hidden layer, or one per layer input "
                            "[input, hidden 1, ...] comma-separated (default 1: no dropout)")
    group.add_argument("--l2", type=_number(0.0), default=0.0,
                       help="L2 regularization lambda: the notes' (l2/2m) sum ||W||^2, m the mini-batch size "
                            "in each step (default 0)")
    group.add_argument("--dtype", choices=["float32", "float64"], default="float32", help="(default float32)")
    group.add_argument("--seed", type=_integer(0), default=DEFAULTS["seed"],
                       help=f"seed for everything random (default {DEFAULTS['seed']})")


def add_training_flags(parser: argparse.ArgumentParser) -> None:
    from .optimizers import OPTIMIZERS, SCHEDULES

    group = parser.add_argument_group("training")
    group.add_argument("--optimizer", choices=list(OPTIMIZERS), default=DEFAULTS["optimizer"],
                       help=f"sgd is gd (default {DEFAULTS['optimizer']})")
    group.add_argument("--learning-rate", type=_number(0.0, low_open=True), default=DEFAULTS["learning_rate"],
                       help=f"(default: {run_defaults.LEARNING_RATES['adam']:g} for adam, else the optimizer's own: "
                            "rmsprop 0.001, gd/sgd/momentum 0.01)")
    group.add_argument("--schedule", choices=list(SCHEDULES), default=DEFAULTS["schedule"],
                       help="learning-rate schedule with its default settings: cosine from the rate to 0 over the "
                            "planned epochs, exponential 0.95^epoch, inverse_time 1/(1 + epoch), step x0.5 every 10 "
                            f"epochs, constant (default {DEFAULTS['schedule']})")
    group.add_argument("--epochs", type=_integer(1), default=DEFAULTS["epochs"],
                       help=f"(default: at least {run_defaults.EPOCHS} epochs and {run_defaults.MIN_STEPS} mini-batch "
                            f"steps: {run_defaults.EPOCHS} for MNIST, more for small sets)")
    group.add_argument("--batch-size", type=_integer(0), default=DEFAULTS["batch_size"],
                       help=f"mini-batch size; 0 for full batch (default {DEFAULTS['batch_size']})")
    group.add_argument("--early-stopping", type=_integer(0), default=0, metavar="PATIENCE",
                       help="stop when the dev cost has not improved for PATIENCE epochs and keep the best "
                            "epoch's weights (default 0: off)")
    group.add_argument("--normalize", dest="normalize", action="store_true", default=None,
                       help="standardize the inputs with train-set mean and variance (default: on for tabular "
                            "data, off for images, which are divided by 255, digits by 16)")
    group.add_argument("--no-normalize", dest="normalize", action="store_false", help="do not standardize")
    group.add_argument("--standardize-targets", action=argparse.BooleanOptionalAction, default=False,
                       help="regression: train on (y - mean) / std of the training targets, the model answering and "
                            "reporting in the targets' own units: for targets far from 0 or few epochs (off unless "
                            "given: the defaults study, docs/defaults.md)")
    group.add_argument("--augment", default=None,
                       help="augment image mini-batches: comma-separated crop, zoom, rotate, elastic, flip, vflip "
                            "(flips change what a digit means) (default: none)")
    group.add_argument("--diagnostics", action="store_true",
                       help="record per-layer gradient statistics per epoch (gradient_norms.png), and print the final "
                            "diagnosis: vanishing/exploding, dead and saturated units, change since initialization "
                            "(diagnosis.json)")
    group.add_argument("--checkpoint-every", type=_integer(1), default=None,
                       help="write a checkpoint every N epochs (default: none)")
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
    add_data_flags(evaluate, for_model=True)
    evaluate.add_argument("--split", choices=["test", "train", "all"], default="test",
                          help="the split to score; all: the whole set (a file in its row order) (default test)")
    evaluate.add_argument("--seed", type=_integer(0), default=None,
                          help="seed of the train/test split (default: the one the model was trained with)")
    evaluate.add_argument("--predictions", default=None, metavar="FILE",
                          help="also write the predictions for the scored examples to this CSV file")
    evaluate.set_defaults(handler=cmd_evaluate)

    predict = sub.add_parser("predict", help="predictions of a saved model for a CSV/NPZ file of raw features")
    predict.add_argument("model")
    predict.add_argument("--input", required=True,
                         help="a .csv (header row) or .npz (X) file of examples with the raw features; a label "
                              "column is left out (and scored)")
    predict.add_argument("--label", default=None,
                         help="the label column (default: the model's label column when present)")
    predict.add_argument("--output", default="-", help="CSV file to write (default: standard output)")
    predict.add_argument("--columns-by-name", action="store_true", help=BY_NAME_HELP)
    predict.set_defaults(handler=cmd_predict)

    info = sub.add_parser("info", help="layers, input pipeline, classes, features and hyperparameters of a model")
    info.add_argument("model")
    info.set_defaults(handler=cmd_info)

    data = sub.add_parser("data", help="list the built-in data sets")
    data.set_defaults(handler=cmd_data)

    gradcheck = sub.add_parser("gradcheck", help=GRADCHECK_HELP)
    add_data_flags(gradcheck)
    add_network_flags(gradcheck)
    gradcheck.add_argument("--model", default=None, help="check a saved model instead of a new network")
    gradcheck.add_argument("--examples", type=_integer(1), default=32, help="examples to check on (default 32)")
    gradcheck.add_argument("--epsilon", type=_number(0.0, low_open=True), default=1e-7,
                           help="the finite-difference step (default 1e-7)")
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
    _add_backend_flags(lab, "the lab's repeated trainings (seeds)", "1; the table is the same for every N")
    lab.set_defaults(handler=cmd_lab)

    add_playground_parser(sub)
    add_export_parser(sub)

    add_sweep_parser(sub)

    from .exercises.command import add_exercise_parser

    add_exercise_parser(sub)
    return parser


# ---------------------------------------------------------------------- checks before any data or disk
def _is_file_name(name) -> bool:
    return Path(str(name)).suffix.lower() in FILE_SUFFIXES


def check_data_source(args) -> None:
    """--data names a built-in set or an existing file; --data-path only for file-based sets."""
    from .data.datasets import DATASETS, canonical_name
    from .errors import unknown_name

    name = str(args.data)
    if _is_file_name(name):
        if Path(name).is_dir() or not Path(name).is_file():
            raise DatasetError(f"no data file at {name}; --data takes a built-in set (glassnet data) or a "
                               ".csv/.npz file")
        if args.data_path is not None:
            raise HyperparameterError(f"--data-path is for the file-based built-in sets; --data {name} is a file")
        return
    key = canonical_name(name)
    if key not in DATASETS:
        raise unknown_name("data set", name, list(DATASETS))
    if args.data_path is not None:
        if DATASETS[key].kind != "file":
            raise HyperparameterError(f"data set {key!r} is {DATASETS[key].kind} and reads no files; "
                                      "leave --data-path out")
        if not Path(args.data_path).exists():
            raise DatasetError(f"--data-path {args.data_path}: no such folder")


def check_output_folder(out) -> None:
    """--out must be a folder (or not exist yet, under a folder)."""
    if out is None:
        return
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise PathError(f"--out {out} is a file; --out names the folder to write the model and plots into")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise PathError(f"--out {out}: {parent} is a file, so no folder can be made under it")


def check_train_args(args) -> None:
    """Every flag of train checked without the data: names, ranges, the checkpoint, the output folder."""
    from .data.augmentation import AUGMENTATIONS
    from .network import Network

    check_data_source(args)
    check_output_folder(args.out)
    # A probe of the architecture (1 input, 2 classes) checks activations, initializer, keep_prob and
    # sizes now rather than after the data is read.
    Network([1, *args.layers, 2], activations=_activations(args, len(args.layers), "softmax"),
            initializer=args.initializer, init_scale=args.init_scale,
            keep_prob=args.keep_prob[0] if len(args.keep_prob) == 1 else args.keep_prob, l2=args.l2,
            dtype=args.dtype)
    if args.augment:
        unknown = [n for n in args.augment.split(",") if n.strip() and n.strip() not in AUGMENTATIONS]
        if unknown:
            raise HyperparameterError(f"unknown augmentation {unknown[0]!r}; --augment takes "
                                      f"{', '.join(AUGMENTATIONS)}")
    if args.early_stopping and not args.dev_fraction:
        raise HyperparameterError("--early-stopping needs a dev set: use --dev-fraction > 0")
    if args.resume:
        _check_checkpoint(args.resume)


def _check_checkpoint(path) -> None:
    from .io import load_metadata

    if not Path(path).is_file():
        raise PathError(f"--resume {path}: no checkpoint file there (checkpoints are written into "
                        "<out>/checkpoints by --checkpoint-every or --early-stopping)")
    if load_metadata(path).get("kind") != "checkpoint":
        raise HyperparameterError(f"--resume {path} is a model, not a checkpoint; pass a checkpoint-*.npz file")


# ---------------------------------------------------------------------- data
def load_data(args, seed, raw: bool = False, net=None):
    """A ``Dataset`` from --data: a built-in name or a CSV/NPZ file, split into train and test.

    ``raw=True``: the features as they are found (digits 0..16, image pixels 0..255), for a network
    that applies the loader's fixed scaling itself (``Dataset.input_scale``); files are always read
    as they are. ``net``: a saved model whose features and classes a file is read with.
    """
    from .data import datasets

    name = str(args.data)
    if _is_file_name(name):
        return _file_dataset(Path(name), args, seed, net)
    kwargs = {}
    if datasets.canonical_name(name) in ("mnist", "fashion_mnist") and args.data_path is not None:
        kwargs["download"] = False
    return datasets.load(name, path=args.data_path, test=args.test_fraction, seed=seed, scaled=not raw, **kwargs)


def _file_dataset(path: Path, args, seed, net=None):
    """A CSV/NPZ file as a Dataset: labels encoded as classes (or kept as targets), split into train and test."""
    from .data.datasets import Dataset
    from .data.preprocessing import encode_labels, train_test_split
    from .data.tables import read_table

    features = None if net is None else net.feature_names
    table = read_table(path, label=args.label, features=features, by_name=getattr(args, "columns_by_name", False),
                       n_features=None if net is None else net.layer_dims[0])
    if net is not None:
        classification = net.n_classes > 0
    else:
        classification = _is_classification(table.labels, getattr(args, "task", "auto"))
    class_names = None
    if classification:
        if table.labels.shape[0] != 1:
            raise LabelError(f"{path}: classification needs one label column, got {table.labels.shape[0]}")
        if net is None:
            Y, class_names = encode_labels(table.labels)
            if len(class_names) < 2:
                raise LabelError(f"{path}: the labels hold one class only ({class_names[0]!r}); a classifier needs "
                                 "two or more (or use --task regression for numbers)")
        else:
            Y, class_names = _labels_of(net, table.labels, path), net.class_names
    else:
        if table.labels.dtype.kind not in "fiu":
            raise LabelError(f"{path}: the labels are text ({str(table.labels[0, 0])!r}); a regression needs numbers "
                             "(use --task classification or auto)")
        Y = table.labels.astype(np.float64)
    X_tr, Y_tr, X_te, Y_te = train_test_split(table.X, Y, test=args.test_fraction, stratify=classification, seed=seed)
    return Dataset(X_tr, Y_tr, X_te, Y_te, len(class_names or ()) if classification else 0, path.name,
                   class_names=tuple(class_names) if class_names else None,
                   feature_names=tuple(table.feature_names) if table.named else None, label_name=table.label_name)


def _labels_of(net, labels, path) -> np.ndarray:
    """Labels as found in a file -> the model's class indices (1, m); a label it does not know is an error."""
    from .data.preprocessing import label_text

    names = net.class_names or [str(k) for k in range(net.n_classes)]
    index = {name: k for k, name in enumerate(names)}
    texts = [label_text(v) for v in np.asarray(labels)[0].tolist()]
    unknown = sorted({t for t in texts if t not in index})
    if unknown:
        raise LabelError(f"{path}: label {unknown[0]!r} is not one of the model's classes ({', '.join(names)})")
    return np.array([[index[t] for t in texts]], dtype=np.int64)


def _is_classification(labels, task: str) -> bool:
    if labels is None:
        raise LabelError("the file has no label column")
    if labels.dtype.kind in "US":
        if task == "regression":
            raise LabelError(f"the labels are text ({str(labels[0, 0])!r}): a regression needs numbers")
        return True
    if task != "auto":
        return task == "classification"
    return (labels.shape[0] == 1 and bool(np.all(labels == np.round(labels)))
            and len(np.unique(labels)) <= 100)


def _split_dev(X, Y, fraction, classification, seed):
    from .data.preprocessing import train_test_split

    if not fraction:
        return X, Y, None, None
    if not 0 < fraction < 1:
        raise HyperparameterError(f"--dev-fraction must be in [0, 1), got {fraction}")
    return train_test_split(X, Y, test=fraction, stratify=classification, seed=seed)


# ---------------------------------------------------------------------- the network
def _activations(args, n_hidden: int, output: str) -> list:
    from .activations import LeakyReLU

    names = [a.strip() for a in args.activation.split(",") if a.strip()]
    if len(names) == 1:
        names = names * n_hidden
    if len(names) != n_hidden:
        raise HyperparameterError(f"--activation needs 1 or {n_hidden} names (one per hidden layer), got {len(names)}")
    acts = [LeakyReLU(args.leaky_alpha) if n.replace("-", "_").lower() == "leaky_relu" else n for n in names]
    return acts + [output]


def build_network(args, n_x: int, n_out: int, output: str, data=None):
    """The network of the flags; with ``data``, its input pipeline: the fixed scaling of raw data, the names."""
    from .network import Network

    keep = args.keep_prob[0] if len(args.keep_prob) == 1 else args.keep_prob
    pipeline = {}
    if data is not None:
        n_classes = 2 if output == "sigmoid" and n_out == 1 else n_out if output == "softmax" else 0
        names = data.class_names
        pipeline = {
            "input_scale": data.input_scale if not data.scaled else None,
            "feature_names": data.feature_names if data.feature_names and len(data.feature_names) == n_x else None,
            "class_names": names if n_classes and names and len(names) == n_classes else None,
        }
    return Network([n_x, *args.layers, n_out], activations=_activations(args, len(args.layers), output),
                   initializer=args.initializer, init_scale=args.init_scale, keep_prob=keep, l2=args.l2,
                   dtype=args.dtype, seed=args.seed, **pipeline)


def output_for(data, task: str):
    """(output activation, n_out, classification?) for a data set."""
    classification = data.n_classes > 0 and task != "regression"
    if not classification:
        return "linear", data.Y_train.shape[0], False
    return ("sigmoid", 1, True) if data.n_classes == 2 else ("softmax", data.n_classes, True)


# ---------------------------------------------------------------------- train
class _LastEpoch(Callback):
    """Keeps the weights after the last finished epoch, for a run that is interrupted (Ctrl-C) mid-epoch."""

    def on_train_begin(self, net, history):
        self.history, self.theta, self.epoch = history, None, None

    def on_epoch_end(self, net, epoch, record):
        self.theta, self.epoch = net.parameters_to_vector(), epoch


@dataclass
class _Run:
    """One `glassnet train`: the checked plan, then the fit and what it writes."""

    args: argparse.Namespace
    data: object
    net: object
    splits: dict
    classification: bool
    augment: object
    early: object
    normalize: bool
    standardize_targets: bool
    out: Path
    started: float

    @property
    def epochs(self) -> int:
        """--epochs, or the run default for the training set's size (glassnet.defaults.epochs_for)."""
        m = self.splits["train"][0].shape[1]
        return self.args.epochs or run_defaults.epochs_for(m, self.args.batch_size or None)

    def fit(self):
        """The fit; on Ctrl-C the model of the last finished epoch is saved (if any), then the interrupt goes on."""
        from .training import DivergenceWarning

        args, (X_tr, Y_tr), dev = self.args, self.splits["train"], self.splits.get("dev", (None, None))
        last = _LastEpoch()
        try:
            with warnings.catch_warnings():
                # why a run diverged is printed once, as its stop reason, not as a Python warning too
                warnings.simplefilter("ignore", DivergenceWarning)
                return self.net.fit(
                    X_tr, Y_tr, epochs=self.epochs, batch_size=args.batch_size or None, optimizer=args.optimizer,
                    learning_rate=learning_rate(args), schedule=args.schedule, X_dev=dev[0], Y_dev=dev[1],
                    early_stopping=self.early, normalize=self.normalize, standardize_targets=self.standardize_targets,
                    verbose=0 if args.quiet else 1,
                    seed=args.seed, augment=self.augment, callbacks=[last],
                    image_shape=self.data.image_shape if self.augment is not None else None,
                    diagnostics=args.diagnostics,
                    checkpoint_dir=self.out / "checkpoints" if args.checkpoint_every or self.early else None,
                    checkpoint_every=args.checkpoint_every, resume_from=args.resume)
        except KeyboardInterrupt as exc:
            exc.said = True  # main() says nothing more of it: one message per Ctrl-C
            if last.epoch is None:
                print("glassnet: interrupted before the first epoch finished: nothing was saved", file=sys.stderr)
                raise
            self.net.vector_to_parameters(last.theta)
            history = last.history
            history.stopped_epoch = last.epoch
            history.stop_reason = f"interrupted (Ctrl-C) during epoch {last.epoch + 1}"
            self.write(history, weights_epoch=last.epoch)
            print(f"glassnet: interrupted during epoch {last.epoch + 1}: the model of epoch {last.epoch} is saved "
                  f"in {self.out}/model.npz (with history.json, results.json and the plots)", file=sys.stderr)
            raise

    def weights_epoch(self, history) -> int | None:
        """The epoch whose weights the model holds: early stopping's best, the last, or unknown (divergence)."""
        if self.early is not None and self.early.restore_best and self.early.best_epoch is not None:
            return self.early.best_epoch
        if history.stop_reason.startswith("completed") and len(history):
            return history["epoch"][-1]
        return None

    def write(self, history, weights_epoch) -> dict:
        """model.npz, history.json, results.json (results, full configuration, seeds) and the plots."""
        from .io import save
        from .plots import cost_curve, decision_boundary, gradient_norms, train_dev_curves

        net, data, out = self.net, self.data, self.out
        out.mkdir(parents=True, exist_ok=True)
        results = {split: net.evaluate(X, Y) for split, (X, Y) in self.splits.items()}
        record = _data_record(self.args, data, out)
        save(net, out / "model.npz", dataset=data.name, data=record, seed=self.args.seed,
             test_fraction=self.args.test_fraction, task="classification" if self.classification else "regression",
             results=results)
        history.save_json(out / "history.json")
        config = {**_config(self.args, net, self.normalize, data), "epochs": self.epochs}
        summary = {**results, "config": config, "seeds": _seeds(self.args),
                   "data": record, "training": {
                       "epochs_run": len(history), "stop_reason": history.stop_reason,
                       "diverged": history.diverged, "best_epoch": history.best_epoch, "weights_epoch": weights_epoch,
                       "monitor": history.monitor, "seconds": round(time.perf_counter() - self.started, 2)}}
        (out / "results.json").write_text(json.dumps(summary, indent=1, default=_json_default))
        cost_curve(history, out / "cost.png", title=f"Training cost — {data.name}")
        train_dev_curves(history, out / "curves.png", title=f"{data.name}: train and dev", weights_epoch=weights_epoch)
        if data.n_x == 2 and self.classification:
            X_te, Y_te = self.splits["test"]
            decision_boundary(net, X_te, Y_te, out / "boundary.png", title=f"{data.name}: test set")
        if self.args.diagnostics and history.diagnostics:
            gradient_norms(history, out / "gradient_norms.png")
        return results


def _plan(args, data, started: float) -> _Run:
    """Everything train decides from the flags and the data, checked, before anything is written."""
    from .callbacks import EarlyStopping

    output, n_out, classification = output_for(data, args.task)
    X_train, Y_train = data.X_train, data.Y_train
    if args.limit:
        X_train, Y_train = X_train[:, : args.limit], Y_train[:, : args.limit]
    X_tr, Y_tr, X_dev, Y_dev = _split_dev(X_train, Y_train, args.dev_fraction, classification, args.seed)
    net = build_network(args, data.n_x, n_out, output, data)
    augment = None
    if args.augment:
        if data.image_shape is None:
            raise HyperparameterError(f"--augment works on images; data set {data.name!r} is not made of images")
        from .data.augmentation import from_names

        augment = from_names(args.augment, image_shape=data.image_shape)
    early = EarlyStopping(patience=args.early_stopping) if args.early_stopping else None
    splits = {"train": (X_tr, Y_tr), **({"dev": (X_dev, Y_dev)} if X_dev is not None else {}),
              "test": (data.X_test, data.Y_test)}
    out = Path(args.out or f"runs/{data.name}-{time.strftime('%Y%m%d-%H%M%S')}")
    normalize = args.normalize if args.normalize is not None else data.image_shape is None
    if args.standardize_targets and classification:
        raise HyperparameterError("--standardize-targets is for regression; these labels are classes")
    standardize = bool(args.standardize_targets)
    return _Run(args, data, net, splits, classification, augment, early, normalize, standardize, out, started)


def cmd_train(args) -> int:
    started = time.perf_counter()
    check_train_args(args)
    data = load_data(args, args.seed, raw=True)
    run = _plan(args, data, started)
    X_dev = run.splits.get("dev", (None,))[0]
    print(f"data: {data.name}  train {run.splits['train'][0].shape[1]}  dev {0 if X_dev is None else X_dev.shape[1]}  "
          f"test {data.X_test.shape[1]}  features {data.n_x}", flush=True)
    layers = [line for line in run.net.summary().splitlines() if not line.startswith("input: ")]
    print("\n".join([*layers, f"input: {_planned_input(run)}"]), flush=True)
    initial = run.net.copy() if args.diagnostics and not args.resume else None  # for the final diagnosis
    history = run.fit()
    if history.stop_reason:
        print(history.stop_reason, flush=True)
    results = run.write(history, run.weights_epoch(history))
    print(results_table(results), flush=True)
    if args.diagnostics:
        print(_final_diagnosis(run, initial), flush=True)
    print(f"wrote {run.out}/model.npz, history.json, results.json and plots in {time.perf_counter() - started:.1f} s")
    if history.diverged:
        print(f"glassnet: training diverged (exit status {EXIT_DIVERGED}): the numbers above are of a failed "
              "run; see the reason above for the fix", file=sys.stderr, flush=True)
        return EXIT_DIVERGED
    return 0


def _final_diagnosis(run, initial) -> str:
    """--diagnostics: glassnet.diagnose on (at most 2000 of) the training examples, beside the network as it was
    initialized (None after --resume); written to diagnosis.json. The text to print."""
    from .diagnostics import diagnose

    X, Y = (a[:, :2000] for a in run.splits["train"])  # both networks see them through the trained pipeline
    constant_gd = run.args.optimizer in ("gd", "sgd") and run.args.schedule == "constant"
    d = diagnose(run.net, X, Y, initial=initial, learning_rate=learning_rate(run.args) if constant_gd else None)
    tmp = run.out / "diagnosis.json.tmp"  # written whole, then renamed into place
    tmp.write_text(json.dumps(d.to_dict(), indent=1, default=_json_default))
    os.replace(tmp, run.out / "diagnosis.json")
    return str(d)


def _planned_input(run) -> str:
    """The input pipeline as training will use it: the standardizer is fitted when training starts (after
    this line is printed) or comes with the checkpoint."""
    line = run.net.describe_input()
    raw = line.split(" ->")[0]
    if run.args.resume:
        return f"{raw} -> as in the checkpoint (its standardizer, if it has one)"
    if run.normalize and run.net.normalizer is None:
        return f"{raw} -> standardized (the training set's mean and variance, fitted as training starts)"
    return line


def learning_rate(args) -> float | None:
    """--learning-rate, or the run default for the optimizer (None: the optimizer's own)."""
    return run_defaults.learning_rate(args.optimizer, args.learning_rate)


def _data_record(args, data, out: Path) -> dict:
    """Where the training data is and what it was, for evaluate: a file's absolute path, its path from
    the model's folder and its sha256; a built-in set's name and folder."""
    from .data.datasets import file_sha256

    record = {"name": data.name, "label": getattr(data, "label_name", None), "test_fraction": args.test_fraction,
              "seed": args.seed, "input_scale": data.input_scale, "m_train": int(data.Y_train.shape[1]),
              "m_test": int(data.Y_test.shape[1])}
    if _is_file_name(args.data):
        file = Path(args.data).resolve()
        record.update(kind="file", file=str(file), file_from_model=os.path.relpath(file, out.resolve()),
                      sha256=file_sha256(file))
    else:
        folder = None if args.data_path is None else str(Path(args.data_path).resolve())
        record.update(kind="built-in", data_path=folder)
    return record


def _config(args, net, normalize: bool, data) -> dict:
    """The full configuration of a run: every flag as given, and what the defaults resolved to."""
    from .optimizers import get_optimizer

    flags = {k: v for k, v in vars(args).items() if k not in ("handler", "command")}
    return {"command": "train", "flags": flags, "layer_dims": net.layer_dims,
            "activations": [a.name for a in net.activations], "normalize": normalize,
            "standardize_targets": net.target_normalizer is not None, "input_scale": net.input_scale,
            "learning_rate": get_optimizer(args.optimizer, learning_rate(args)).learning_rate,
            "batch_size": args.batch_size or "full batch"}


def _seeds(args) -> dict:
    """Every random choice of a run and the seed it draws from (DESIGN: one seed)."""
    s = args.seed
    return {"seed": s, "test_split": s, "dev_split": s, "initialization": s, "dropout_masks": s,
            "mini_batch_order": s, "augmentation": f"spawned from the mini-batch generator of seed {s}"}


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return str(value)


def results_table(results: dict) -> str:
    metric = "rmse" if "rmse" in next(iter(results.values())) else "accuracy"
    lines = [f"{'split':<8}{'cost':>12}{metric:>12}"]
    for split in ("train", "dev", "test", "all"):
        if split in results:
            r = results[split]
            value = f"{100 * r[metric]:>11.2f}%" if metric == "accuracy" else f"{r[metric]:>12.4f}"
            lines.append(f"{split:<8}{r['cost']:>12.4f}{value}")
    return "\n".join(lines) + "\n(cost: the data cost, J without the L2 term)"


# ---------------------------------------------------------------------- evaluate, predict, info
def _resolve_training_data(args, extra: dict, model_path: Path) -> str:
    """Fill the data flags left out from the model file; return what is scored, in words.

    A file is looked for at its recorded absolute path, then at its recorded path from the model's
    folder (never by its bare name in the current folder), and must have the sha256 recorded at
    training; a file passed with --data is scored as given, said so when it is not the training file.
    """
    from .data.datasets import canonical_name, file_sha256

    record = extra.get("data") if isinstance(extra.get("data"), dict) else {}
    for flag in ("test_fraction", "label"):
        if getattr(args, flag) is None:
            setattr(args, flag, record.get(flag, extra.get(flag)))
    if args.test_fraction is None:
        args.test_fraction = extra.get("test_fraction") or DEFAULTS["test_fraction"]
    if args.data is not None:
        if _is_file_name(args.data) and not Path(args.data).is_file():
            raise DatasetError(f"no data file at {args.data} (--data)")
        same = (_is_file_name(args.data) and record.get("sha256") == file_sha256(args.data)) or \
            (not _is_file_name(args.data) and canonical_name(args.data) == record.get("name"))
        return f"{args.data}" + ("" if same else " (passed with --data; not the data the model was trained on)")
    older = not record and extra.get("dataset") and not _is_file_name(extra["dataset"])  # files of earlier versions
    if record.get("kind") == "built-in" or older:
        args.data = record.get("name", extra.get("dataset"))
        args.data_path = args.data_path or record.get("data_path", extra.get("data_path"))
        return f"{args.data} (the built-in set the model was trained on; its files are checked against their " \
               "published sha256)" if args.data_path else f"{args.data} (the built-in set the model was trained on)"
    if record.get("kind") != "file":
        raise HyperparameterError(f"{model_path} does not record where its training data is; pass --data FILE")
    candidates = [Path(record["file"]), Path(os.path.normpath(model_path.parent / record["file_from_model"]))]
    found = [c for c in dict.fromkeys(candidates) if c.is_file()]
    if not found:
        raise DatasetError(f"the training data of {model_path} is not at {candidates[0]} nor at {candidates[1]}; "
                           "pass --data FILE to score a file")
    for path in found:
        if file_sha256(path) == record["sha256"]:
            args.data = str(path)
            return f"{path} (the training file, sha256 {record['sha256'][:12]}... as recorded)"
    raise DatasetError(f"{found[0]} has changed since the model was trained (its sha256 differs from the one "
                       "recorded); pass --data FILE to score it or another file anyway")


def cmd_evaluate(args) -> int:
    from .io import load, load_metadata

    model_path = Path(args.model)
    net = load(model_path)
    meta = load_metadata(model_path)
    extra = meta.get("extra") or {}
    if args.predictions is not None:
        _check_output_file(args.predictions, "--predictions")
    what = _resolve_training_data(args, extra, model_path)
    seed = args.seed if args.seed is not None else extra.get("seed", 0)
    data = load_data(args, seed, raw=net.input_scale is not None, net=net)
    if args.split == "all":
        X = np.concatenate([data.X_train, data.X_test], axis=1)
        Y = np.concatenate([data.Y_train, data.Y_test], axis=1)
        if _is_file_name(args.data):  # a file in its row order
            X, Y = _file_in_order(args, net)
    else:
        X, Y = (data.X_test, data.Y_test) if args.split == "test" else (data.X_train, data.Y_train)
    print(f"data: {what}; split {args.split}: {X.shape[1]} examples (seed {seed}, test fraction "
          f"{args.test_fraction:g})")
    result = net.evaluate(X, Y)
    print(results_table({args.split: result}))
    if args.predictions is not None:
        header, rows = _prediction_rows(net, X, extra)
        _write_csv(args.predictions, header, rows)
        print(f"wrote {len(rows)} predictions to {args.predictions}")
    return 0


def _file_in_order(args, net):
    """X and Y of a whole data file in its row order, read with the model's features and classes."""
    from .data.tables import read_table

    table = read_table(args.data, label=args.label, features=net.feature_names, n_features=net.layer_dims[0],
                       by_name=args.columns_by_name)
    if table.labels is None:
        raise LabelError(f"{args.data} has no label column to score against; pass --label")
    Y = _labels_of(net, table.labels, args.data) if net.n_classes else table.labels.astype(np.float64)
    return table.X, Y


def _check_output_file(path, flag: str) -> None:
    if path == "-":
        return
    target = Path(path)
    if target.is_dir():
        raise PathError(f"{flag} {path} is a folder; {flag} names the CSV file to write")
    if not target.parent.is_dir():
        raise PathError(f"{flag} {path}: the folder {target.parent} does not exist")


def _prediction_rows(net, X, extra: dict) -> tuple[list[str], list[list]]:
    """The header and rows of a predictions CSV: for a classifier the prediction in the original labels
    and one probability per class; for a regression the predicted values."""
    proba = np.asarray(net.predict_proba(X))
    if not net.n_classes:
        label = (extra.get("data") or {}).get("label") if isinstance(extra.get("data"), dict) else None
        names = [label] if label and proba.shape[0] == 1 else [f"y{i}" for i in range(proba.shape[0])]
        return names, [[f"{v:.9g}" for v in column] for column in proba.T.tolist()]
    labels = np.asarray(net.predict_labels(X))[0]
    names = net.class_names or [str(k) for k in range(net.n_classes)]
    columns = [f"p_{names[1]}"] if proba.shape[0] == 1 else [f"p_{n}" for n in names]
    rows = [[label, *[f"{p:.6g}" for p in column]] for label, column in zip(labels.tolist(), proba.T.tolist(),
                                                                           strict=True)]
    return ["prediction", *columns], rows


def _write_csv(target, header, rows) -> None:
    handle = sys.stdout if target == "-" else open(target, "w", newline="")  # noqa: SIM115
    try:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    finally:
        if handle is not sys.stdout:
            handle.close()


def cmd_predict(args) -> int:
    from .data.preprocessing import label_text
    from .data.tables import read_table
    from .io import load, load_metadata

    _check_output_file(args.output, "--output")
    if not Path(args.input).exists():
        raise DatasetError(f"no data file at {args.input} (--input): pass a .csv file with a header row or an .npz "
                           "file with X")
    net = load(args.model)
    extra = load_metadata(args.model).get("extra") or {}
    record = extra.get("data") if isinstance(extra.get("data"), dict) else {}
    label = args.label
    table = read_table(args.input, label=label, require_label=False, features=net.feature_names,
                       n_features=net.layer_dims[0], label_hint=record.get("label"), by_name=args.columns_by_name)
    header, rows = _prediction_rows(net, table.X, extra)
    _write_csv(args.output, header, rows)
    notes = [] if args.output == "-" else [f"wrote {len(rows)} predictions to {args.output}"]
    if table.labels is not None and net.n_classes:
        truth = [label_text(v) for v in table.labels[0].tolist()]
        correct = sum(row[0] == t for row, t in zip(rows, truth, strict=True))
        notes.append(f"accuracy {100 * correct / len(rows):.2f}% ({correct} of {len(rows)}) against the "
                     f"column {table.label_name!r}")
    elif table.labels is not None and table.labels.dtype.kind in "fiu":
        values = np.asarray(net.predict_proba(table.X), dtype=np.float64)
        rmse = float(np.sqrt(np.mean((values - table.labels.astype(np.float64)) ** 2)))
        notes.append(f"rmse {rmse:.6g} against the column {table.label_name!r}")
    for note in notes:
        print(note, file=sys.stderr if args.output == "-" else sys.stdout)
    return 0


def _abbreviated(names, limit: int = 12) -> str:
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[: limit - 2]) + f", ... ({len(names) - limit + 1} more), " + names[-1]


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
    if net.target_normalizer is not None:
        print("targets: standardized for training (train-set mean and variance); predictions in their own units")
    if net.n_classes:
        names = net.class_names or [str(k) for k in range(net.n_classes)]
        print(f"classes ({len(names)}): {_abbreviated(names)}")
    if net.feature_names:
        print(f"features ({len(net.feature_names)}): {_abbreviated(net.feature_names)}")
    extra = meta.get("extra") or {}
    record = extra.get("data") if isinstance(extra.get("data"), dict) else {}
    if record.get("kind") == "file":
        print(f"data: {record['file']} (sha256 {record['sha256']}), label column {record.get('label')!r}")
    for key, value in extra.items():
        if value is not None and key not in ("results", "data"):
            print(f"{key}: {value}")
    if extra.get("results"):
        print(results_table(extra["results"]))
    return 0


def cmd_data(args) -> int:
    from .data.datasets import listing

    print("\n".join(listing()))
    return 0


def cmd_gradcheck(args) -> int:
    from .data.preprocessing import Standardizer
    from .gradcheck import gradient_check
    from .io import load

    net = load(args.model) if args.model else None
    # a saved model that divides its inputs itself takes the raw features
    data = load_data(args, args.seed, raw=net is not None and net.input_scale is not None)
    if net is None:
        output, n_out, _ = output_for(data, args.task)
        net = build_network(args, data.n_x, n_out, output)
        # A new network has b = 0, so a dead unit feeds Z = 0 exactly to the next ReLU: a kink where
        # the two-sided difference is not a derivative. Small random biases keep Z off the kinks.
        rng = np.random.default_rng(args.seed)
        for name in net.params:
            if name.startswith("b"):
                net.params[name] = 0.1 * rng.standard_normal(net.params[name].shape)
    X, Y = data.X_train[:, : args.examples], data.Y_train[:, : args.examples]
    if args.normalize and not args.model:
        X = Standardizer().fit(data.X_train).transform(X)
    print(f"gradient check of {net!r} on {X.shape[1]} examples of {data.name}", flush=True)
    report = gradient_check(net, X, Y, epsilon=args.epsilon, dropout=args.dropout, mode=args.mode,
                            sweep=args.sweep, seed=args.seed)
    print(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=1, default=float))
    # 0 passed, 1 the gradient is called wrong; a check that calls nothing wrong but cannot pass either
    # (look closer, at the noise floor, every derivative set aside) is not a failure of the code: 4
    return 0 if report.passed else 1 if report.failed else EXIT_INCONCLUSIVE


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
    _add_backend_flags(group, "the trials", "one per core")
    sweep.add_argument("--out", default=None, help="output folder (default runs/sweep-<data>-<time>); rerunning "
                                                   "the same command into it skips the finished trials")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=cmd_sweep)


def _add_backend_flags(parser, work: str, default: str) -> None:
    """--jobs N, --dask local[:N], --scheduler ADDRESS (glassnet sweep and glassnet lab); ``work``: what runs."""
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help=f"run {work} in N local worker processes, one BLAS thread each (1: in this "
                             f"process; default {default})")
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
    data = load_data(args, args.seed, raw=True)  # raw features: each network scales them (its input pipeline)
    output, n_out, classification = output_for(data, args.task)
    template = build_network(args, data.n_x, n_out, output, data)
    pipeline = {"input_scale": template.input_scale, "feature_names": template.feature_names,
                "class_names": template.class_names}
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
        "optimizer": args.optimizer, "learning_rate": learning_rate(args), "schedule": args.schedule,
        "early_stopping": args.early_stopping, "augment": args.augment,
        "normalize": args.normalize if args.normalize is not None else data.image_shape is None,
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
        n_out=n_out, image_shape=data.image_shape, pipeline=pipeline, progress=not args.quiet, **settings)
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
                            help="measure the frames and epochs per second the server sends while a [2, 8, 8, 1] "
                                 "network trains on 500 points (at the default speed and at full speed) and its "
                                 "memory per session, print them and exit")
    playground.set_defaults(handler=cmd_playground)


def cmd_playground(args) -> int:
    try:  # the playground sits on top of the library and needs its extra; import it only here
        from .playground import server
    except ImportError as exc:
        print(f"glassnet: error: the playground needs Starlette and uvicorn ({exc}); "
              "install them with: pip install 'glassnet[playground]'", file=sys.stderr)
        return 2
    if args.measure is not None:
        from .playground import measure

        for speed in (measure.DEFAULT_SPEED, measure.MAX_SPEED):
            result = measure.measure_frame_rate(seconds=args.measure, epochs_per_second=speed)
            print(f"{f'default speed ({speed} epochs/s)' if speed else 'full speed'}: "
                  f"{result['frames']} frames in {result['seconds']:.2f} s: {result['frames_per_second']:.1f} frames "
                  f"per second, {result['epochs_per_second']:.1f} epochs per second ({result['layer_dims']} on "
                  f"{result['points']} points, dev accuracy {result['dev_accuracy']})")
        memory = measure.measure_memory()
        if memory["bytes_per_session"] is not None:
            print(f"memory: {memory['bytes_per_session'] / 2**20:.1f} MiB per session ({memory['sessions']} tabs "
                  "open, each trained a second at full speed)")
        return 0
    return server.serve(host=args.host, port=args.port, open_browser=args.open)


def add_export_parser(sub) -> None:
    from .onnx import DEFAULT_OPSET  # the module alone: onnx itself loads when a model is exported

    export = sub.add_parser("export", help="write a saved model as an ONNX file for onnxruntime and other runtimes "
                                           "(needs the 'onnx' extra)")
    export.add_argument("model", help="a glassnet model file (.npz)")
    export.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="the .onnx file to write, or a folder (default: the model's path with .onnx)")
    export.add_argument("--opset", type=_integer(13), default=DEFAULT_OPSET,
                        help=f"the ONNX opset (default {DEFAULT_OPSET}: onnxruntime 1.13 and later read it)")
    export.set_defaults(handler=cmd_export)


def cmd_export(args) -> int:
    """glassnet export: the model as ONNX, then run by onnxruntime beside glassnet on made-up rows."""
    from . import onnx

    path, net, model = onnx.export_file(args.model, args.output, opset=args.opset)
    outputs = ", ".join(o.name for o in model.graph.output)
    print(f"wrote {path}: ONNX opset {model.opset_import[0].version}, X (N, {net.layer_dims[0]}) {net.dtype} -> "
          f"{outputs}; view it at https://netron.app")
    try:
        check = onnx.check_with_onnxruntime(net, model)
    except GlassnetError:  # onnxruntime is not installed: the file is written, only the check is left out
        print(f"not checked: onnxruntime is not installed ({onnx.INSTALL})")
        return 0
    verdict = "labels equal, " if check["labels_equal"] else "LABELS DIFFER, "
    print(f"checked with {check['runtime']} on {check['rows']} made-up rows: {verdict}largest difference "
          f"{check['max_difference']:.3g} ({net.dtype} allows {check['tolerance']:g})")
    return 0 if check["passed"] else 1


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
    except KeyboardInterrupt as exc:
        if not getattr(exc, "said", False):
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
