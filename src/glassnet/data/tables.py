"""Tabular files for the command line: CSV (a header row, one example per row) and NPZ.

``read_table(path, label=...)`` returns a ``Table``: X (n_x, m) float64 as a transposed view of
example-major storage, the labels as found in the file (1, m) (numbers, or strings such as class
names; None when the file has no label column), the feature names and the label column's name.

* CSV (UTF-8): the first row names the columns; ``label`` names the label column (default: a
  column named "label", "y", "target" or "class", else the last column).
* NPZ: arrays ``X`` (m, n_x) — the scikit-learn layout, one example per row — and ``y`` (m,) or
  (m, n_y), numbers or strings; ``feature_names`` optional.

For a saved model (``features`` = its feature names, ``n_features`` = its n_x) the columns are
picked by name when the file has them all, else in order; a label column is left out of X (and
its values returned) whether the model's label name, ``label``, or the only extra column.
Anything that is not such a file is a ``DatasetError`` that says what was found and where.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DatasetError

LABEL_NAMES = ("label", "y", "target", "class")


@dataclass
class Table:
    """What ``read_table`` found: X (n_x, m) float64, labels (n_y, m) or None, the column names."""

    X: np.ndarray
    labels: np.ndarray | None
    feature_names: list[str]
    label_name: str | None = None

    @property
    def m(self) -> int:
        return int(self.X.shape[1])


def read_table(path, label: str | None = None, require_label: bool = True, features=None,
               n_features: int | None = None, label_hint: str | None = None) -> Table:
    """A ``Table`` from a CSV or NPZ file (see the module docstring for the rules).

    ``label``: the label column (it must exist); ``label_hint``: a label column to leave out when
    the file has it (a model's own label name); ``require_label``: find a label column or fail.
    """
    path = Path(path)
    if path.is_dir():
        raise DatasetError(f"{path} is a folder; pass a CSV (header row) or an NPZ file with X and y")
    if not path.is_file():
        raise DatasetError(f"no data file at {path}; pass a CSV (header row) or an NPZ file with X and y")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        table = _read_npz(path, require_label)
    elif suffix in (".csv", ".txt"):
        table = _read_csv(path, label, require_label, features, n_features, label_hint)
    else:
        raise DatasetError(f"{path}: unknown file type {path.suffix!r}; use .csv (with a header row) or .npz (X, y)")
    if table.m == 0:
        raise DatasetError(f"{path} holds no examples (a header and no rows, or X with 0 rows)")
    if n_features is not None and table.X.shape[0] != n_features:
        raise DatasetError(f"{path} has {table.X.shape[0]} feature columns; the model takes {n_features}")
    return table


# ---------------------------------------------------------------------------------------------- NPZ


def _read_npz(path: Path, require_label: bool) -> Table:
    try:
        with np.load(path, allow_pickle=False) as content:
            if not hasattr(content, "files"):
                raise DatasetError(f"{path} holds a single .npy array; save X and y with np.savez(path, X=X, y=y)")
            arrays = {k: content[k] for k in content.files}
    except DatasetError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{path} cannot be read as an .npz file of X and y (numbers or strings; "
                           f"no Python objects): {exc}") from exc
    if "X" not in arrays:
        raise DatasetError(f"{path} has arrays {sorted(arrays)}; expected X (m, n_x) and y (m,)")
    X = arrays["X"]
    if X.dtype.kind not in "biuf":
        raise DatasetError(f"{path}: X holds {X.dtype} values, not numbers; encode every feature as a number")
    if X.ndim != 2:
        raise DatasetError(f"{path}: X must be 2-D (m, n_x), one example per row, got shape {X.shape}")
    X = X.astype(np.float64)
    y = arrays.get("y", arrays.get("Y"))
    if y is None and require_label:
        raise DatasetError(f"{path} has no label array y; save the labels as y (m,)")
    names = arrays.get("feature_names")
    names = [str(n) for n in names] if names is not None and names.shape == (X.shape[1],) else \
        [f"x{i}" for i in range(X.shape[1])]
    labels = None
    if y is not None:
        if y.dtype.kind not in "biufUS" or y.ndim not in (1, 2):
            raise DatasetError(f"{path}: y must hold numbers or strings, (m,) or (m, n_y), got {y.dtype} {y.shape}")
        if y.shape[0] != X.shape[0]:
            raise DatasetError(f"{path}: X has {X.shape[0]} rows but y has {y.shape[0]}")
        if y.dtype.kind == "S":
            y = np.char.decode(y, "utf-8", "replace")
        labels = y.reshape(1, -1) if y.ndim == 1 else y.T
        if labels.dtype.kind in "biu":
            labels = labels.astype(np.float64)
    return Table(X.T, labels, names, "y" if labels is not None else None)


# ---------------------------------------------------------------------------------------------- CSV


def _csv_rows(path: Path) -> list[list[str]]:
    """The rows of a UTF-8 CSV file, blank rows dropped; binary or non-UTF-8 content refused."""
    data = path.read_bytes()
    if b"\x00" in data:
        raise DatasetError(f"{path} is a binary file (it holds NUL bytes), not a CSV text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DatasetError(f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                           "save it as UTF-8 (for example: iconv -f latin1 -t utf-8)") from exc
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DatasetError(f"{path} is not a valid CSV file ({exc})") from exc
    return [r for r in rows if r and any(cell.strip() for cell in r)]


def _label_column(header, label, require_label, features, n_features) -> str | None:
    """The name of the label column, or None."""
    if label is not None:
        return label
    if require_label:
        return next((h for h in header if h.lower() in LABEL_NAMES), header[-1])
    if features is not None and all(f in header for f in features):
        extra = [h for h in header if h not in features]
        return next((h for h in extra if h.lower() in LABEL_NAMES), extra[0] if len(extra) == 1 else None)
    if n_features is not None and len(header) == n_features + 1:
        return next((h for h in header if h.lower() in LABEL_NAMES), None)
    return None


def _read_csv(path: Path, label, require_label: bool, features, n_features, label_hint=None) -> Table:
    rows = _csv_rows(path)
    if len(rows) < 1:
        raise DatasetError(f"{path} is empty; a CSV file needs a header row and example rows")
    header = [h.strip() for h in rows[0]]
    if label is not None and label not in header:
        raise DatasetError(f"{path} has no column {label!r}; its columns are: {', '.join(header)}")
    if label is None and label_hint in header:
        label = label_hint
    label = _label_column(header, label, require_label, features, n_features)
    label_index = header.index(label) if label is not None else None
    if features is not None and all(f in header for f in features):
        feature_idx = [header.index(f) for f in features]
    else:
        feature_idx = [i for i in range(len(header)) if i != label_index]
    if not feature_idx:
        raise DatasetError(f"{path} has no feature columns besides the label column {label!r}")
    body = rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DatasetError(f"{path}, line {number}: {len(row)} values, the header has {len(header)}")
    X = np.empty((len(body), len(feature_idx)), dtype=np.float64)
    for number, row in enumerate(body, start=2):
        try:
            X[number - 2] = [float(row[i]) for i in feature_idx]
        except ValueError:
            bad = next(i for i in feature_idx if not _is_number(row[i]))
            raise DatasetError(f"{path}, line {number}, column {header[bad]!r}: {row[bad]!r} is not a number; "
                               "encode categorical features as numbers first") from None
    labels = None
    if label_index is not None:
        raw = [row[label_index].strip() for row in body]
        numbers = all(_is_number(v) for v in raw)
        labels = np.array([float(v) for v in raw] if numbers else raw).reshape(1, -1)
    return Table(X.T, labels, [header[i] for i in feature_idx], label)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
