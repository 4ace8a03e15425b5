"""The data of a run: a built-in set or a .csv/.npz file, read raw and split into train, dev and test.

    test split:  the set's own, or ``test_fraction`` held out (stratified for classes, from the seed)
    dev split:   ``dev_fraction`` of the training split (stratified, from the seed), after ``limit``
    the task:    classification for text labels and for whole numbers with few values (``looks_like_classes``)
                 unless ``task`` says otherwise; the output layer follows from it:
                 2 classes -> one sigmoid unit, C > 2 -> C softmax units, regression -> linear units

Features are read raw (digits 0..16, pixels 0..255): the network divides them itself by the set's
fixed scale (its input pipeline, ``Network.input_scale``), so a saved model takes the data as found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import datasets
from ..data.preprocessing import encode_labels, label_text, train_test_split
from ..data.tables import looks_like_classes, read_table
from ..errors import DatasetError, HyperparameterError, LabelError, unknown_name
from .spec import RunSpec, SpecError

FILE_SUFFIXES = (".csv", ".npz", ".txt")


def is_file_name(name) -> bool:
    """Whether ``data`` names a file (by its suffix) rather than a built-in set."""
    return Path(str(name)).suffix.lower() in FILE_SUFFIXES


def check_source(spec: RunSpec) -> None:
    """The data source exists: a built-in name, or a file; ``data_path`` only for file-based built-in sets."""
    name = spec.data
    if is_file_name(name):
        if not Path(name).is_file():
            raise DatasetError(f"no data file at {name}; data takes a built-in set (glassnet data) or a .csv/.npz file")
        if spec.data_path is not None:
            raise HyperparameterError(f"data_path is for the file-based built-in sets; data {name} is a file")
        return
    key = datasets.canonical_name(name)
    if key not in datasets.DATASETS:
        raise unknown_name("data set", name, list(datasets.DATASETS))
    if spec.data_path is not None:
        if datasets.DATASETS[key].kind != "file":
            raise HyperparameterError(f"data set {key!r} is {datasets.DATASETS[key].kind} and reads no files; "
                                      "leave data_path out")
        if not Path(spec.data_path).exists():
            raise DatasetError(f"data_path {spec.data_path}: no such folder")


def read_dataset(spec: RunSpec, *, raw: bool = True, net=None, by_name: bool = False):
    """A ``Dataset`` (train and test) from the spec's source. ``raw``: features as found (the network scales
    them); ``net``: a saved model whose features and classes a file is read with (evaluate, predict)."""
    if is_file_name(spec.data):
        return _file_dataset(Path(spec.data), spec, net, by_name)
    options = {}
    if datasets.canonical_name(spec.data) in ("mnist", "fashion_mnist"):
        if spec.data_path is not None:
            options["download"] = False
        if spec.limit:  # the first ``limit`` images, as prepare() keeps: the other 58 000 are never converted
            options["limit"] = spec.limit
    return datasets.load(spec.data, path=spec.data_path, test=spec.test_fraction, seed=spec.seed, scaled=not raw,
                         **options)


def _file_dataset(path: Path, spec: RunSpec, net, by_name: bool):
    """A CSV/NPZ file as a Dataset: labels encoded as classes (or kept as targets), split into train and test."""
    table = read_table(path, label=spec.label, features=None if net is None else net.feature_names,
                       by_name=by_name, n_features=None if net is None else net.layer_dims[0])
    classification = net.n_classes > 0 if net is not None else is_classification(table.labels, spec.task)
    class_names = None
    if classification:
        if table.labels.shape[0] != 1:
            raise LabelError(f"{path}: classification needs one label column, got {table.labels.shape[0]}")
        if net is None:
            Y, class_names = encode_labels(table.labels)
            if len(class_names) < 2:
                raise LabelError(f"{path}: the labels hold one class only ({class_names[0]!r}); a classifier needs "
                                 "two or more (or use task regression for numbers)")
        else:
            Y, class_names = labels_of(net, table.labels, path), net.class_names
    else:
        if table.labels.dtype.kind not in "fiu":
            raise LabelError(f"{path}: the labels are text ({str(table.labels[0, 0])!r}); a regression needs numbers "
                             "(use task classification or auto)")
        Y = table.labels.astype(np.float64)
    X_tr, Y_tr, X_te, Y_te = train_test_split(table.X, Y, test=spec.test_fraction, stratify=classification,
                                              seed=spec.seed)
    return datasets.Dataset(X_tr, Y_tr, X_te, Y_te, len(class_names or ()) if classification else 0, path.name,
                            class_names=tuple(class_names) if class_names else None,
                            feature_names=tuple(table.feature_names) if table.named else None,
                            label_name=table.label_name)


def labels_of(net, labels, path) -> np.ndarray:
    """Labels as found in a file -> the model's class indices (1, m); a label it does not know is an error."""
    names = net.class_names or [str(k) for k in range(net.n_classes)]
    index = {name: k for k, name in enumerate(names)}
    texts = [label_text(v) for v in np.asarray(labels)[0].tolist()]
    unknown = sorted({t for t in texts if t not in index})
    if unknown:
        raise LabelError(f"{path}: label {unknown[0]!r} is not one of the model's classes ({', '.join(names)})")
    return np.array([[index[t] for t in texts]], dtype=np.int64)


def is_classification(labels, task: str) -> bool:
    """Whether a file's labels are classes: text always; numbers as ``task`` says, or by ``looks_like_classes``."""
    if labels is None:
        raise LabelError("the file has no label column")
    if labels.dtype.kind in "US":
        if task == "regression":
            raise LabelError(f"the labels are text ({str(labels[0, 0])!r}): a regression needs numbers")
        return True
    if task != "auto":
        return task == "classification"
    return looks_like_classes(labels)


@dataclass
class RunData:
    """The splits of a run and what the network needs to know of its data.

    ``splits``: {"train": (X, Y), "dev": (X, Y) when dev_fraction > 0, "test": (X, Y)}, features raw;
    ``output``/``n_out``: the output layer; ``pipeline``: the network's input_scale, feature and class names.
    """

    dataset: object
    splits: dict
    output: str
    n_out: int
    classification: bool

    @property
    def name(self) -> str:
        return self.dataset.name

    @property
    def n_x(self) -> int:
        return self.dataset.n_x

    @property
    def image_shape(self):
        return self.dataset.image_shape

    @property
    def pipeline(self) -> dict:
        """{"input_scale", "feature_names", "class_names"} for the network (None where unknown or not fitting)."""
        d = self.dataset
        n_classes = 2 if self.output == "sigmoid" and self.n_out == 1 else self.n_out if self.output == "softmax" else 0
        names = d.class_names
        return {"input_scale": d.input_scale if not d.scaled else None,
                "feature_names": d.feature_names if d.feature_names and len(d.feature_names) == self.n_x else None,
                "class_names": names if n_classes and names and len(names) == n_classes else None}


def output_for(dataset, task: str) -> tuple[str, int, bool]:
    """(output activation, units, classification?) for a data set and the task."""
    classification = dataset.n_classes > 0 and task != "regression"
    if not classification:
        return "linear", dataset.Y_train.shape[0], False
    return ("sigmoid", 1, True) if dataset.n_classes == 2 else ("softmax", dataset.n_classes, True)


def prepare(spec: RunSpec, dataset=None) -> RunData:
    """The run's data: ``dataset`` (a Dataset, raw features) or the spec's source read now, then split."""
    dataset = read_dataset(spec) if dataset is None else dataset
    output, n_out, classification = output_for(dataset, spec.task)
    if spec.augment and dataset.image_shape is None:
        raise SpecError(f"augment works on images; data set {dataset.name!r} is not made of images", "augment")
    if spec.standardize_targets and classification:
        raise SpecError("standardize_targets is for regression; these labels are classes", "standardize_targets")
    X, Y = dataset.X_train, dataset.Y_train
    if spec.limit:
        X, Y = X[:, : spec.limit], Y[:, : spec.limit]
    splits = {"train": (X, Y)}
    if spec.dev_fraction:
        X_tr, Y_tr, X_dev, Y_dev = train_test_split(X, Y, test=spec.dev_fraction, stratify=classification,
                                                    seed=spec.seed)
        splits = {"train": (X_tr, Y_tr), "dev": (X_dev, Y_dev)}
    splits["test"] = (dataset.X_test, dataset.Y_test)
    return RunData(dataset, splits, output, n_out, classification)


__all__ = ["FILE_SUFFIXES", "RunData", "check_source", "is_classification", "is_file_name",
           "labels_of", "output_for", "prepare", "read_dataset"]
