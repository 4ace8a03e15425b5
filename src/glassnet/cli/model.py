"""Commands on a saved model: evaluate (score it on a data split), predict (a file of raw features),
info (what the file holds), export (ONNX).

A model file carries its whole input pipeline (the loader's fixed scaling, the fitted standardizer,
the feature and class names), so ``predict`` takes the raw columns of a file and answers in the
original labels; ``evaluate`` finds the data it was trained on from the record in the file.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import numpy as np

from ..errors import DatasetError, GlassnetError, HyperparameterError, LabelError, PathError
from ..runs import RunSpec
from ..runs.data import is_file_name, labels_of, read_dataset
from .parser import BY_NAME_HELP, DEFAULTS, add_data_flags, integer
from .report import results_table


def add_model_parsers(sub) -> None:
    """evaluate, predict and info (export: ``add_export_parser``)."""
    evaluate = sub.add_parser("evaluate", help="cost and accuracy of a saved model on a data set")
    evaluate.add_argument("model")
    add_data_flags(evaluate, for_model=True)
    evaluate.add_argument("--split", choices=["test", "train", "all"], default="test",
                          help="the split to score; all: the whole set (a file in its row order) (default test)")
    evaluate.add_argument("--seed", type=integer("seed", low=0), default=None,
                          help="seed of the train/test split (default: the one the model was trained with)")
    evaluate.add_argument("--predictions", default=None, metavar="FILE",
                          help="also write the predictions for the scored examples to this CSV file")
    evaluate.set_defaults(handler="cmd_evaluate")

    predict = sub.add_parser("predict", help="predictions of a saved model for a CSV/NPZ file of raw features")
    predict.add_argument("model")
    predict.add_argument("--input", required=True,
                         help="a .csv (header row) or .npz (X) file of examples with the raw features; a label "
                              "column is left out (and scored)")
    predict.add_argument("--label", default=None,
                         help="the label column (default: the model's label column when present)")
    predict.add_argument("--output", default="-", help="CSV file to write (default: standard output)")
    predict.add_argument("--columns-by-name", action="store_true", help=BY_NAME_HELP)
    predict.set_defaults(handler="cmd_predict")

    info = sub.add_parser("info", help="layers, input pipeline, classes, features and hyperparameters of a model")
    info.add_argument("model")
    info.set_defaults(handler="cmd_info")


# ---------------------------------------------------------------------- evaluate
def resolve_training_data(args, extra: dict, model_path: Path) -> str:
    """Fill the data flags left out from the model file; return what is scored, in words.

    A file is looked for at its recorded absolute path, then at its recorded path from the model's
    folder (never by its bare name in the current folder), and must have the sha256 recorded at
    training; a file passed with --data is scored as given, said so when it is not the training file.
    """
    from ..data.datasets import canonical_name, file_sha256

    record = extra.get("data") if isinstance(extra.get("data"), dict) else {}
    for name in ("test_fraction", "label"):
        if getattr(args, name) is None:
            setattr(args, name, record.get(name, extra.get(name)))
    if args.test_fraction is None:
        args.test_fraction = extra.get("test_fraction") or DEFAULTS["test_fraction"]
    if args.data is not None:
        if is_file_name(args.data) and not Path(args.data).is_file():
            raise DatasetError(f"no data file at {args.data} (--data)")
        same = (is_file_name(args.data) and record.get("sha256") == file_sha256(args.data)) or \
            (not is_file_name(args.data) and canonical_name(args.data) == record.get("name"))
        return f"{args.data}" + ("" if same else " (passed with --data; not the data the model was trained on)")
    older = not record and extra.get("dataset") and not is_file_name(extra["dataset"])  # files of earlier versions
    if record.get("kind") == "built-in" or older:
        args.data = record.get("name", extra.get("dataset"))
        args.data_path = args.data_path or record.get("data_path", extra.get("data_path"))
        return f"{args.data} (the built-in set the model was trained on; its files are checked against their " \
               "published sha256)" if args.data_path else f"{args.data} (the built-in set the model was trained on)"
    if record.get("kind") != "file":
        raise HyperparameterError(f"{model_path} does not record where its training data is; pass --data FILE")
    return training_file(args, record, model_path)


def training_file(args, record: dict, model_path: Path) -> str:
    """The recorded training file, found and checked by its sha256 (sets ``args.data``); what is scored, in words."""
    from ..data.datasets import file_sha256

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
    from ..io import load, load_metadata

    model_path = Path(args.model)
    net = load(model_path)
    extra = load_metadata(model_path).get("extra") or {}
    if args.predictions is not None:
        check_output_file(args.predictions, "--predictions")
    what = resolve_training_data(args, extra, model_path)
    seed = args.seed if args.seed is not None else extra.get("seed", 0)
    source = RunSpec(data=args.data, data_path=args.data_path, label=args.label, test_fraction=args.test_fraction,
                     seed=seed)
    data = read_dataset(source, raw=net.input_scale is not None, net=net, by_name=args.columns_by_name)
    if args.split == "all":
        X = np.concatenate([data.X_train, data.X_test], axis=1)
        Y = np.concatenate([data.Y_train, data.Y_test], axis=1)
        if is_file_name(args.data):  # a file in its row order
            X, Y = file_in_order(args, net)
    else:
        X, Y = (data.X_test, data.Y_test) if args.split == "test" else (data.X_train, data.Y_train)
    print(f"data: {what}; split {args.split}: {X.shape[1]} examples (seed {seed}, test fraction "
          f"{args.test_fraction:g})")
    print(results_table({args.split: net.evaluate(X, Y)}))
    if args.predictions is not None:
        header, rows = prediction_rows(net, X, extra)
        write_csv(args.predictions, header, rows)
        print(f"wrote {len(rows)} predictions to {args.predictions}")
    return 0


def file_in_order(args, net):
    """X and Y of a whole data file in its row order, read with the model's features and classes."""
    from ..data.tables import read_table

    table = read_table(args.data, label=args.label, features=net.feature_names, n_features=net.layer_dims[0],
                       by_name=args.columns_by_name)
    if table.labels is None:
        raise LabelError(f"{args.data} has no label column to score against; pass --label")
    Y = labels_of(net, table.labels, args.data) if net.n_classes else table.labels.astype(np.float64)
    return table.X, Y


# ---------------------------------------------------------------------- predictions
def check_output_file(path, flag: str) -> None:
    """A CSV file to write: not a folder, in a folder that exists ("-": standard output)."""
    if path == "-":
        return
    target = Path(path)
    if target.is_dir():
        raise PathError(f"{flag} {path} is a folder; {flag} names the CSV file to write")
    if not target.parent.is_dir():
        raise PathError(f"{flag} {path}: the folder {target.parent} does not exist")


def prediction_rows(net, X, extra: dict) -> tuple[list[str], list[list]]:
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


def write_csv(target, header, rows) -> None:
    handle = sys.stdout if target == "-" else open(target, "w", newline="")  # noqa: SIM115
    try:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    finally:
        if handle is not sys.stdout:
            handle.close()


def cmd_predict(args) -> int:
    from ..data.tables import read_table
    from ..io import load, load_metadata

    check_output_file(args.output, "--output")
    if not Path(args.input).exists():
        raise DatasetError(f"no data file at {args.input} (--input): pass a .csv file with a header row or an .npz "
                           "file with X")
    net = load(args.model)
    extra = load_metadata(args.model).get("extra") or {}
    record = extra.get("data") if isinstance(extra.get("data"), dict) else {}
    table = read_table(args.input, label=args.label, require_label=False, features=net.feature_names,
                       n_features=net.layer_dims[0], label_hint=record.get("label"), by_name=args.columns_by_name)
    header, rows = prediction_rows(net, table.X, extra)
    write_csv(args.output, header, rows)
    notes = [] if args.output == "-" else [f"wrote {len(rows)} predictions to {args.output}"]
    if table.labels is not None:
        notes += scored_against(net, table, rows)
    for note in notes:
        print(note, file=sys.stderr if args.output == "-" else sys.stdout)
    return 0


def scored_against(net, table, rows) -> list[str]:
    """predict on a file with a label column: the accuracy (or rmse) against it, in words."""
    from ..data.preprocessing import label_text

    if net.n_classes:
        truth = [label_text(v) for v in table.labels[0].tolist()]
        correct = sum(row[0] == t for row, t in zip(rows, truth, strict=True))
        return [f"accuracy {100 * correct / len(rows):.2f}% ({correct} of {len(rows)}) against the "
                f"column {table.label_name!r}"]
    if table.labels.dtype.kind in "fiu":
        values = np.asarray(net.predict_proba(table.X), dtype=np.float64)
        rmse = float(np.sqrt(np.mean((values - table.labels.astype(np.float64)) ** 2)))
        return [f"rmse {rmse:.6g} against the column {table.label_name!r}"]
    return []


# ---------------------------------------------------------------------- info
def abbreviated(names, limit: int = 12) -> str:
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[: limit - 2]) + f", ... ({len(names) - limit + 1} more), " + names[-1]


def cmd_info(args) -> int:
    from ..io import load, load_metadata

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
        print(f"classes ({len(names)}): {abbreviated(names)}")
    if net.feature_names:
        print(f"features ({len(net.feature_names)}): {abbreviated(net.feature_names)}")
    print_extra(meta.get("extra") or {})
    return 0


def print_extra(extra: dict) -> None:
    """info: what the training stored beside the network (data record, run spec, seed, results)."""
    record = extra.get("data") if isinstance(extra.get("data"), dict) else {}
    if record.get("kind") == "file":
        print(f"data: {record['file']} (sha256 {record['sha256']}), label column {record.get('label')!r}")
    for key, value in extra.items():
        if value is not None and key not in ("results", "data", "run_spec"):
            print(f"{key}: {value}")
    if isinstance(extra.get("run_spec"), dict):
        try:
            described = RunSpec.from_dict(extra["run_spec"]).describe()
        except GlassnetError as exc:  # a spec this glassnet cannot read: say so, the rest still shown
            described = f"not readable here ({exc})"
        print("run spec (what differs from the run defaults; glassnet train --spec this file runs it again):")
        print("\n".join(f"  {line}" for line in described.splitlines()))
    if extra.get("results"):
        print(results_table(extra["results"]))


# ---------------------------------------------------------------------- export
def add_export_parser(sub) -> None:
    from ..onnx import DEFAULT_OPSET  # the module alone: onnx itself loads when a model is exported

    export = sub.add_parser("export", help="write a saved model as an ONNX file for onnxruntime and other runtimes "
                                           "(needs the 'onnx' extra)")
    export.add_argument("model", help="a glassnet model file (.npz)")
    export.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="the .onnx file to write, or a folder (default: the model's path with .onnx)")
    export.add_argument("--opset", type=integer("opset", low=13), default=DEFAULT_OPSET,
                        help=f"the ONNX opset (default {DEFAULT_OPSET}: onnxruntime 1.13 and later read it)")
    export.set_defaults(handler="cmd_export")


def cmd_export(args) -> int:
    """glassnet export: the model as ONNX, then run by onnxruntime beside glassnet on made-up rows."""
    from .. import onnx

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


__all__ = ["abbreviated", "add_export_parser", "add_model_parsers", "check_output_file", "cmd_evaluate", "cmd_export",
           "cmd_info", "cmd_predict", "file_in_order", "prediction_rows", "print_extra", "resolve_training_data",
           "scored_against", "training_file", "write_csv"]
