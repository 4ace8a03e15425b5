"""The playground's 2-D data: glassnet's own generators on one noise scale, and uploaded CSV files.

Every built-in set comes from ``glassnet.datasets`` (circles, moons, flower, spirals, XOR,
Gaussian blobs). The page's noise slider runs from 0 to 1; ``NOISE_SCALE`` turns it into each
generator's own argument, so that 0.2 (the default) gives each set its usual look. The exported
script makes the same call, written out by ``generator_source``.

An uploaded CSV file is read as text with the csv module and ``float``: three columns (two
features and a label, with or without a header row), two distinct labels, at most
``MAX_UPLOAD_POINTS`` rows. Nothing in it is evaluated or executed.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

import glassnet as gn
from glassnet.data.tables import find_label_column

from .protocol import MAX_ABS_COORDINATE, MAX_UPLOAD_POINTS, MIN_UPLOAD_POINTS, ProtocolError

BLOB_CENTERS = [[-2.0, -1.5], [2.0, 1.5]]

# data set -> (function of glassnet.datasets, its keyword arguments for a noise level in [0, 1])
GENERATORS = {
    "circles": ("make_circles", lambda noise: {"noise": 0.25 * noise, "factor": 0.5}),
    "moons": ("make_moons", lambda noise: {"noise": 0.5 * noise}),
    "flower": ("make_flower", lambda noise: {"noise": 1.0 * noise}),
    "spirals": ("make_spirals", lambda noise: {"noise": 1.0 * noise, "classes": 2}),
    "xor": ("make_xor", lambda noise: {"noise": 0.5 * noise}),
    "blobs": ("make_blobs", lambda noise: {"centers": BLOB_CENTERS, "std": 0.4 + 4.0 * noise}),
}
NOISE_SCALE = "circles 0.25 (factor 0.5), moons 0.5, flower 1, spirals 1 (radians), xor 0.5, blobs std 0.4 + 4·noise"


def generate(name: str, points: int, noise: float, seed: int):
    """X (2, points) float64 and Y (1, points) int64 in {0, 1} from glassnet's generator ``name``."""
    function, kwargs = GENERATORS[name]
    return getattr(gn.datasets, function)(points, seed=seed, **kwargs(noise))


def generator_source(name: str, points: int, noise: float, seed: int) -> str:
    """The Python call that ``generate`` makes, as text for the exported script."""
    function, kwargs = GENERATORS[name]
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs(noise).items())
    return f"gn.datasets.{function}({points}, {args}, seed={seed})"


def split(X, Y, train_fraction: float, seed: int):
    """(X_train, Y_train, X_dev, Y_dev): stratified, seeded; at least one example on each side."""
    m = X.shape[1]
    n_dev = min(max(1, round((1.0 - train_fraction) * m)), m - 1)
    return gn.train_test_split(X, Y, test=n_dev, seed=seed)


# ---------------------------------------------------------------------------------- uploads
def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_csv(text: str):
    """CSV text -> (X (2, m) float64, Y (1, m) int64, label names (two strings)); raises ProtocolError.

    Three columns: x1, x2 and the label. A first row whose features are not numbers is a header;
    a header may put the label anywhere if it names it label, y, target or class (in that order of
    preference: glassnet.data.tables' rule, ``find_label_column``, the same as the command line's).
    """
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ProtocolError("bad_csv", f"the file is not readable as CSV ({exc})") from None
    if not rows:
        raise ProtocolError("bad_csv", "the file is empty")
    label_col = 2
    header = rows[0]
    if len(header) == 3 and any(_number(cell.strip()) is None for cell in header[:2]):
        found = find_label_column(header)
        label_col = 2 if found is None else found
        rows = rows[1:]
    features = [i for i in range(3) if i != label_col]
    if len(rows) > MAX_UPLOAD_POINTS:
        raise ProtocolError("too_many_points", f"the file has {len(rows):,} rows; the limit is {MAX_UPLOAD_POINTS:,}",
                            limit=MAX_UPLOAD_POINTS)
    if len(rows) < MIN_UPLOAD_POINTS:
        raise ProtocolError("too_few_points", f"the file has {len(rows)} data rows; at least {MIN_UPLOAD_POINTS} "
                            "are needed", limit=MIN_UPLOAD_POINTS)
    X = np.empty((len(rows), 2))
    labels = []
    for r, row in enumerate(rows, start=1):
        if len(row) != 3:
            raise ProtocolError("bad_csv", f"row {r} has {len(row)} columns; every row needs 3 (x1, x2, label)",
                                line=r)
        for j, col in enumerate(features):
            value = _number(row[col].strip())
            if value is None or not math.isfinite(value) or abs(value) > MAX_ABS_COORDINATE:
                raise ProtocolError("bad_csv", f"row {r}: {row[col].strip()[:30]!r} is not a finite number "
                                    f"within ±{MAX_ABS_COORDINATE:g}", line=r)
            X[r - 1, j] = value
        labels.append(row[label_col].strip()[:40])
    classes = sorted(set(labels), key=lambda s: (_number(s) is None, _number(s) or 0.0, s))
    if len(classes) != 2:
        raise ProtocolError("bad_labels", f"the label column must hold exactly 2 distinct values, found "
                            f"{len(classes)}", found=len(classes))
    Y = np.array([[classes.index(s) for s in labels]], dtype=np.int64)
    return np.ascontiguousarray(X).T, Y, classes
