"""Tabular files for the command line: CSV (a header row, one example per row) and NPZ.

``read_table(path, label=...)`` returns X (n_x, m), as a transposed view of example-major storage,
the raw label row (1, m) (None when the file has no label column), and the feature names.

* CSV: the first row names the columns; ``label`` names the label column (default: a column named
  "label", "y", "target" or "class", else the last column). Labels may be numbers or strings
  (class names).
* NPZ: arrays ``X`` (m, n_x) — the scikit-learn layout, one example per row — and ``y`` (m,) or
  (m, n_y); ``feature_names`` optional.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..errors import DatasetError

LABEL_NAMES = ("label", "y", "target", "class")


def read_table(path, label: str | None = None, require_label: bool = True):
    """(X (n_x, m) float64, labels (1, m) or (n_y, m) or None, feature names) from a CSV or NPZ file."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"no data file at {path}; pass a CSV (header row) or an NPZ file with X and y")
    if path.suffix.lower() == ".npz":
        return _read_npz(path, require_label)
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path, label, require_label)
    raise DatasetError(f"{path}: unknown file type {path.suffix!r}; use .csv (with a header row) or .npz (X, y)")


def _read_npz(path: Path, require_label: bool):
    try:
        with np.load(path, allow_pickle=False) as content:
            arrays = {k: content[k] for k in content.files}
    except (ValueError, OSError) as exc:
        raise DatasetError(f"{path} cannot be read as an .npz file ({exc})") from exc
    if "X" not in arrays:
        raise DatasetError(f"{path} has arrays {sorted(arrays)}; expected X (m, n_x) and y (m,)")
    X = np.asarray(arrays["X"], dtype=np.float64)
    if X.ndim != 2:
        raise DatasetError(f"{path}: X must be 2-D (m, n_x), one example per row, got shape {X.shape}")
    y = arrays.get("y", arrays.get("Y"))
    if y is None and require_label:
        raise DatasetError(f"{path} has no label array y; save the labels as y (m,)")
    names = [str(n) for n in arrays.get("feature_names", [f"x{i}" for i in range(X.shape[1])])]
    labels = None
    if y is not None:
        y = np.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise DatasetError(f"{path}: X has {X.shape[0]} rows but y has {y.shape[0]}")
        labels = y.reshape(1, -1) if y.ndim == 1 else y.T
    return X.T, labels, names


def _read_csv(path: Path, label: str | None, require_label: bool):
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows = [r for r in rows if r and any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise DatasetError(f"{path} needs a header row and at least one example row")
    header = [h.strip() for h in rows[0]]
    if label is not None and label not in header:
        raise DatasetError(f"{path} has no column {label!r}; its columns are: {', '.join(header)}")
    if label is None and require_label:
        label = next((h for h in header if h.lower() in LABEL_NAMES), header[-1])
    label_index = header.index(label) if label is not None else None
    body = rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DatasetError(f"{path}, line {number}: {len(row)} values, the header has {len(header)}")
    feature_idx = [i for i in range(len(header)) if i != label_index]
    try:
        X = np.array([[float(row[i]) for i in feature_idx] for row in body], dtype=np.float64)
    except ValueError as exc:
        raise DatasetError(f"{path}: a feature value is not a number ({exc}); "
                           f"encode categorical features as numbers first") from exc
    labels = None
    if label_index is not None:
        raw = [row[label_index].strip() for row in body]
        try:
            labels = np.array([float(v) for v in raw]).reshape(1, -1)
        except ValueError:
            classes = sorted(set(raw))  # class names: encode as 0..C-1 in sorted order
            labels = np.array([classes.index(v) for v in raw]).reshape(1, -1)
    return X.T, labels, [header[i] for i in feature_idx]
