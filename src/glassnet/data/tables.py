"""Tabular files for the command line: CSV (a header row, one example per row) and NPZ.

``read_table(path, label=...)`` returns a ``Table``: X (n_x, m) float64 as a transposed view of
example-major storage, the labels as found in the file (1, m) (numbers, or strings such as class
names; None when the file has no label column), the feature names and the label column's name.

* CSV (UTF-8): the first row names the columns; ``label`` names the label column (default: a
  column named "label", "y", "target" or "class", in that order of preference, else the last
  column: ``find_label_column``). The separator is the one of ``,`` ``;`` and tab that the header
  row holds most of (a ``;``-separated export reads as it is). An empty cell (or NA, NaN, ?) is
  a missing value, refused with its line and column.
* NPZ: arrays ``X`` (m, n_x) — the scikit-learn layout, one example per row — and ``y`` (m,) or
  (m, n_y), numbers or strings; ``feature_names`` optional.

For a saved model (``features`` = its feature names, ``n_features`` = its n_x) a file that names
its columns must name the model's features in the model's order (a label column aside); columns
of other names are refused with the names that differ, and ``by_name=True`` picks the columns by
name when they are the model's in another order. A file without names (an NPZ without
``feature_names``) is taken in order. A label column is left out of X (and its values returned)
whether the model's label name, ``label``, or the only extra column.
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
"""Names a label column goes by, in order of preference (case aside): see ``find_label_column``."""
MAX_CLASSES = 100
"""The most distinct integer label values read as classes (see ``looks_like_classes``)."""
MISSING = ("", "na", "n/a", "nan", "null", "none", "?", "-")  # cells that stand for a missing value
SEPARATORS = (",", ";", "\t")
BY_NAME_FLAG = "--columns-by-name"


@dataclass
class Table:
    """What ``read_table`` found: X (n_x, m) float64, labels (n_y, m) or None, the column names."""

    X: np.ndarray
    labels: np.ndarray | None
    feature_names: list[str]
    label_name: str | None = None
    named: bool = True  # False: the file gave no feature names (x0, x1, ... stand in)

    @property
    def m(self) -> int:
        return int(self.X.shape[1])


def read_table(path, label: str | None = None, require_label: bool = True, features=None,
               n_features: int | None = None, label_hint: str | None = None, by_name: bool = False) -> Table:
    """A ``Table`` from a CSV or NPZ file (see the module docstring for the rules).

    ``label``: the label column (it must exist); ``label_hint``: a label column to leave out when
    the file has it (a model's own label name); ``require_label``: find a label column or fail;
    ``by_name``: pick a model's ``features`` by name when the file has them in another order.
    """
    path = Path(path)
    if path.is_dir():
        raise DatasetError(f"{path} is a folder; pass a CSV (header row) or an NPZ file with X and y")
    if not path.is_file():
        raise DatasetError(f"no data file at {path}; pass a CSV (header row) or an NPZ file with X and y")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        table = _read_npz(path, require_label)
        if features is not None and table.named:
            table.X = table.X[_model_columns(path, table.feature_names, features, by_name), :]
            table.feature_names = list(features)
    elif suffix in (".csv", ".txt"):
        table = _read_csv(path, label, require_label, features, n_features, label_hint, by_name)
    else:
        raise DatasetError(f"{path}: unknown file type {path.suffix!r}; use .csv (with a header row) or .npz (X, y)")
    if table.m == 0:
        raise DatasetError(f"{path} holds no examples (a header and no rows, or X with 0 rows)")
    if n_features is not None and table.X.shape[0] != n_features:
        raise DatasetError(f"{path} has {table.X.shape[0]} feature columns; the model takes {n_features}")
    return table


def _quoted(names, limit: int = 8) -> str:
    names = [repr(str(n)) for n in names]
    return ", ".join(names if len(names) <= limit else [*names[: limit - 1], f"... ({len(names) - limit + 1} more)"])


def _model_columns(path: Path, names: list[str], features, by_name: bool) -> list[int]:
    """Indices into ``names`` (a file's feature columns) of a model's ``features``, in the model's order.

    Equal names in equal order: taken as they are. The same names in another order: picked by name
    with ``by_name``, else refused. Other names: refused, naming the columns that differ.
    """
    features = [str(f) for f in features]
    if names == features:
        return list(range(len(names)))
    if sorted(names) == sorted(features) and len(set(names)) == len(names):
        if by_name:
            return [names.index(f) for f in features]
        moved = [n for n, f in zip(names, features, strict=True) if n != f]
        raise DatasetError(f"{path}: the feature columns are the model's in another order ({_quoted(moved)} "
                           f"are not where the model has them); the model takes {_quoted(features)}: put the "
                           f"columns in that order, or pass {BY_NAME_FLAG} to pick them by name")
    missing = [f for f in features if f not in names]
    foreign = [n for n in names if n not in features]
    if not missing and not foreign:  # the same names, one of them twice
        twice = sorted({n for n in names if names.count(n) > 1})
        raise DatasetError(f"{path}: column {_quoted(twice)} appears more than once; give each column its own name")
    width = "" if len(names) == len(features) else f" ({len(names)} feature columns; the model takes {len(features)})"
    if len(foreign) == len(names):
        raise DatasetError(f"{path}: none of its columns ({_quoted(names, 5)}) is a feature of the model "
                           f"({_quoted(features, 5)}): a file of another data set?{width}")
    said = [f"it lacks the model's feature(s) {_quoted(missing)}" if missing else "",
            f"the model has no feature(s) {_quoted(foreign)}" if foreign else ""]
    raise DatasetError(f"{path}: its columns are not the model's features: {'; '.join(s for s in said if s)} "
                       f"(renamed or extra columns?); the model takes {_quoted(features)}{width}")


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
    named = names is not None and names.shape == (X.shape[1],)
    names = [str(n) for n in names] if named else [f"x{i}" for i in range(X.shape[1])]
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
    return Table(X.T, labels, names, "y" if labels is not None else None, named)


# ---------------------------------------------------------------------------------------------- CSV


def _separator(text: str) -> str:
    """The separator of a CSV text: of , ; and tab, the one its header row holds most of (ties: the comma)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(SEPARATORS, key=header.count)


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) of each row of a UTF-8 CSV file, blank rows dropped; binary or non-UTF-8
    content refused. The separator is found in the header row (``_separator``)."""
    data = path.read_bytes()
    if b"\x00" in data:
        raise DatasetError(f"{path} is a binary file (it holds NUL bytes), not a CSV text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DatasetError(f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                           "save it as UTF-8 (for example: iconv -f latin1 -t utf-8)") from exc
    rows, line = [], 1
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
        for row in reader:
            if row and any(cell.strip() for cell in row):
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DatasetError(f"{path} is not a valid CSV file ({exc})") from exc
    return rows


def find_label_column(names) -> int | None:
    """The index of the label column among column ``names``, found by name, or None.

    The rule: the first of ``LABEL_NAMES`` ("label", "y", "target", "class", in that order of
    preference) that a column is named, case and surrounding spaces aside; among columns of the same
    name, the leftmost. So x, y, label -> label; y, target -> y.
    """
    lowered = [str(n).strip().lower() for n in names]
    return next((lowered.index(name) for name in LABEL_NAMES if name in lowered), None)


def looks_like_classes(labels) -> bool:
    """Whether numeric labels read as classes rather than as values to regress, when nobody said.

    The rule: one row of whole numbers (all finite) with at most ``MAX_CLASSES`` (100) distinct
    values. Text labels are classes too, but that is for the caller to say: this looks at numbers.
    One-hot rows (several rows) and fractional values are not class labels here.
    """
    Y = np.asarray(labels)
    if Y.dtype.kind not in "biuf" or Y.size == 0:
        return False
    Y = Y.reshape(1, -1) if Y.ndim < 2 else Y
    if Y.shape[0] != 1 or not bool(np.all(np.isfinite(Y))) or not bool(np.all(Y == np.round(Y))):
        return False
    return len(np.unique(Y)) <= MAX_CLASSES


def _by_name(names) -> str | None:
    index = find_label_column(names)
    return None if index is None else names[index]


def _label_column(header, label, require_label, features, n_features) -> str | None:
    """The name of the label column, or None."""
    if label is not None:
        return label
    if require_label:
        return _by_name(header) or header[-1]
    if features is not None and all(f in header for f in features):
        extra = [h for h in header if h not in features]
        return _by_name(extra) or (extra[0] if len(extra) == 1 else None)
    if n_features is not None and len(header) == n_features + 1:
        return _by_name(header)
    return None


def _read_csv(path: Path, label, require_label: bool, features, n_features, label_hint=None,
              by_name: bool = False) -> Table:
    rows = _csv_rows(path)
    if len(rows) < 1:
        raise DatasetError(f"{path} is empty; a CSV file needs a header row and example rows")
    header = [h.strip() for h in rows[0][1]]
    if label is not None and label not in header:
        raise DatasetError(f"{path} has no column {label!r}; its columns are: {', '.join(header)}")
    if label is None and label_hint in header:
        label = label_hint
    label = _label_column(header, label, require_label, features, n_features)
    label_index = header.index(label) if label is not None else None
    feature_idx = [i for i in range(len(header)) if i != label_index]
    if not feature_idx:
        raise DatasetError(f"{path} has no feature columns besides the label column {label!r}")
    if features is not None:
        feature_idx = [feature_idx[k] for k in _model_columns(path, [header[i] for i in feature_idx], features,
                                                              by_name)]
    body = rows[1:]
    for number, row in body:
        if len(row) != len(header):
            raise DatasetError(f"{path}, line {number}: {len(row)} values, the header has {len(header)}")
    X = _numbers(path, header, body, feature_idx)
    labels = None if label_index is None else _labels(path, label, [(n, row[label_index]) for n, row in body],
                                                      require_label)
    return Table(X.T, labels, [header[i] for i in feature_idx], label if labels is not None else None)


def _numbers(path: Path, header, body, columns) -> np.ndarray:
    """The feature columns of the body rows as float64 (m, n): a missing or non-numeric cell is refused
    with its line and column."""
    X = np.empty((len(body), len(columns)), dtype=np.float64)
    for k, (number, row) in enumerate(body):
        try:
            X[k] = [float(row[i]) for i in columns]
        except ValueError:
            bad = next(i for i in columns if not _is_number(row[i]))
            raise _bad_cell(path, header, body, columns, number, row[bad].strip(), bad) from None
    finite = np.isfinite(X)
    if not finite.all():
        k, j = (int(v[0]) for v in np.nonzero(~finite))
        number, row = body[k]
        raise _bad_cell(path, header, body, columns, number, row[columns[j]].strip(), columns[j])
    return X


def _bad_cell(path: Path, header, body, columns, number: int, cell: str, column: int) -> DatasetError:
    """The error for ``cell``, the first cell of the features that is not a finite number."""
    where = f"{path}, line {number}, column {header[column]!r}"
    if cell.lower() in MISSING:
        count = sum(row[i].strip().lower() in MISSING for _, row in body for i in columns)
        what = "an empty cell" if not cell else repr(cell)
        return DatasetError(f"{where}: {what} is a missing value ({count} missing in the feature columns); "
                            "glassnet does not fill in missing values: fill them in (e.g. with the column's "
                            "training mean) or drop those rows")
    if _is_number(cell):
        return DatasetError(f"{where}: {cell!r} is not a finite number; replace it or drop the row")
    if "," in cell and _is_number(cell.replace(",", ".")):
        point = cell.replace(",", ".")
        return DatasetError(f"{where}: {cell!r} is not a number: write decimals with a point ({point})")
    return DatasetError(f"{where}: {cell!r} is not a number; encode categorical features as numbers first "
                        "(e.g. one 0/1 column per category)")


def _labels(path: Path, name: str, cells, require_label: bool) -> np.ndarray | None:
    """The label column's cells (1, m): numbers when every one is a number, else text; a missing label is refused
    (a column of empty cells in a file to predict is no label column)."""
    raw = [cell.strip() for _, cell in cells]
    empty = [number for number, cell in cells if not cell.strip()]  # "none" or "-" may be a class: only blanks
    if empty and not require_label and len(empty) == len(raw):
        return None
    if empty:
        raise DatasetError(f"{path}, line {empty[0]}, column {name!r}: the label is missing (an empty cell; "
                           f"{len(empty)} rows without a label); drop those rows or fill in their labels")
    numbers = all(_is_number(v) for v in raw)
    return np.array([float(v) for v in raw] if numbers else raw).reshape(1, -1)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
