"""The data every trial of a sweep receives: the splits, the output layer, the networks' input pipeline.

A sweep reads its data once, in the front end, and sends it once to every worker: either a run's
data (``runs.prepare(spec)``, the command line's way) or arrays given to ``glassnet.sweep``. Either
way the trials get a ``TrialData``; its ``fingerprint`` tells a rerun whether it sees the same data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..data.tables import looks_like_classes
from ..errors import HyperparameterError, ShapeError
from ..validation import as_matrix, check_finite

PIPELINE_KEYS = ("input_scale", "feature_names", "class_names")
SPLIT_NAMES = ("train", "dev", "test")


@dataclass(frozen=True)
class TrialData:
    """``splits``: {"train": (X, Y), "dev": (X, Y) if any, "test": (X, Y) if any}, one column per example;
    ``output``/``n_out``: the output layer; ``pipeline``: Network's input_scale, feature_names, class_names;
    ``image_shape``: (H, W, C) for images (augmentation needs it); ``name``: the data set's name."""

    splits: dict
    output: str
    n_out: int
    pipeline: dict = field(default_factory=dict)
    image_shape: tuple | None = None
    name: str = "arrays"

    @property
    def n_x(self) -> int:
        return int(self.splits["train"][0].shape[0])

    @property
    def metric(self) -> str:
        """What a trial reports beside the data cost: rmse for a linear output, else accuracy."""
        return "rmse" if self.output == "linear" else "accuracy"

    @property
    def rank_by(self) -> str:
        """The column configurations are ranked by: the dev data cost, else the training data cost."""
        return "dev_data_cost" if "dev" in self.splits else "train_data_cost"

    @classmethod
    def of_run(cls, data) -> TrialData:
        """The trials' view of a run's data (``runs.RunData``)."""
        pipeline = {k: v for k, v in data.pipeline.items() if v is not None}
        image_shape = tuple(data.image_shape) if data.image_shape is not None else None
        return cls(dict(data.splits), data.output, int(data.n_out), pipeline, image_shape, data.name)

    def fingerprint(self) -> str:
        """A short hash of the arrays (split, shape, dtype and bytes): a rerun must see the same data."""
        digest = hashlib.sha1()
        for split, (X, Y) in self.splits.items():
            for key, array in ((f"X_{split}", X), (f"Y_{split}", Y)):
                array = np.ascontiguousarray(array)
                digest.update(f"{key}{array.shape}{array.dtype.str}".encode())
                digest.update(memoryview(array).cast("B"))
        return digest.hexdigest()[:16]


def infer_output(Y) -> tuple[str, int]:
    """(output activation, n_out) for labels Y: 0/1 -> sigmoid; class labels or one-hot -> softmax; else linear.

    Class labels are what ``data.tables.looks_like_classes`` calls classes (whole numbers, few values).
    """
    Y = np.asarray(Y)
    if Y.ndim == 2 and Y.shape[0] > 1:
        whole = bool(np.all(np.isfinite(Y))) and bool(np.all(Y == np.round(Y)))
        one_hot = whole and Y.min() >= 0 and Y.max() <= 1 and bool(np.all(Y.sum(axis=0) == 1))
        return ("softmax", Y.shape[0]) if one_hot else ("linear", Y.shape[0])
    if looks_like_classes(Y) and Y.min() >= 0:
        classes = int(Y.max()) + 1
        return ("sigmoid", 1) if classes <= 2 else ("softmax", classes)
    return "linear", 1


def arrays_data(arrays: dict, output: str | None = None, n_out: int | None = None, image_shape=None,
                pipeline: dict | None = None) -> TrialData:
    """A TrialData from arrays: {"train": (X, Y), "dev": (X_dev, Y_dev) or (None, None), "test": ...}.

    Each X (n_x, m) and Y (n_y, m) is checked (2-D, real, finite, m columns, the same n_x and n_y in
    every split); ``output`` and ``n_out`` default to ``infer_output`` of the training labels (a
    softmax over class labels has max(Y) + 1 units). Whether the labels fit the output is the
    networks' to check, trial by trial.
    """
    pipeline = dict(pipeline or {})
    unknown = sorted(set(pipeline) - set(PIPELINE_KEYS))
    if unknown:
        raise HyperparameterError(f"pipeline takes input_scale, feature_names and class_names, got {unknown}")
    splits = {}
    for split in SPLIT_NAMES:
        X, Y = arrays.get(split, (None, None))
        if (X is None) != (Y is None):
            raise HyperparameterError("pass X_dev with Y_dev and X_test with Y_test, or neither of a pair")
        if X is not None:
            splits[split] = _checked_pair(X, Y, "" if split == "train" else f"_{split}", splits.get("train"))
    Y = splits["train"][1]
    if output is None:
        output, inferred = infer_output(Y)
    else:
        inferred = int(np.max(Y)) + 1 if output == "softmax" and Y.shape[0] == 1 else Y.shape[0]
    return TrialData(splits, output, inferred if n_out is None else int(n_out),
                     {k: v for k, v in pipeline.items() if v is not None},
                     tuple(image_shape) if image_shape is not None else None)


def _checked_pair(X, Y, suffix: str, train) -> tuple:
    X, Y = as_matrix(X, f"X{suffix}"), as_matrix(Y, f"Y{suffix}")
    check_finite(X, f"X{suffix}")
    check_finite(Y, f"Y{suffix}")
    if X.shape[1] != Y.shape[1] or X.shape[1] == 0:
        raise ShapeError(f"X{suffix} has {X.shape[1]} examples (columns) and Y{suffix} {Y.shape[1]}; "
                         "they must be the same number, at least 1")
    if train is not None and (X.shape[0], Y.shape[0]) != (train[0].shape[0], train[1].shape[0]):
        raise ShapeError(f"X{suffix}, Y{suffix} have {X.shape[0]} and {Y.shape[0]} rows; the training set "
                         f"has {train[0].shape[0]} and {train[1].shape[0]}")
    return X, Y


__all__ = ["PIPELINE_KEYS", "TrialData", "arrays_data", "infer_output"]
