"""Preprocessing in the notes' layout (one column per example): splits, one-hot labels, input normalization.

- ``train_test_split`` / ``train_dev_test_split``: seeded, stratified (each class keeps its
  proportion in every split, to within one example).
- ``one_hot`` (1, m) labels -> (C, m); ``from_one_hot`` (C, m) -> (1, m).
- ``encode_labels``: labels as found in a file (numbers or strings) -> class indices 0..C-1 and
  the class names, so a model can answer in the original labels.
- ``Standardizer``: the notes' input normalization, statistics from the training set only.
"""

from __future__ import annotations

import numpy as np

from ..backend import make_rng, xp
from ..errors import HyperparameterError, LabelError, NonFiniteError, NotFittedError, ShapeError
from ..validation import as_matrix, check_finite, check_int, check_number

# ---------------------------------------------------------------------------------------------
# Splits
# ---------------------------------------------------------------------------------------------


def _held_out_count(size, m: int, name: str) -> int:
    """A split size as a count: a fraction in [0, 1) of m (rounded half up) or an int count."""
    if isinstance(size, int | np.integer) and not isinstance(size, bool):
        return check_int(size, name, low=0)
    f = check_number(size, name, low=0.0, high=1.0, high_open=True,
                     hint="a fraction of the examples such as 0.1, or a count such as 500")
    k = int(np.floor(f * m + 0.5))
    if f > 0 and k == 0:
        raise HyperparameterError(
            f"{name}={size} of {m} examples rounds to an empty split; use a larger fraction, a count "
            f"(for example {name}=1), or {name}=0 for no split"
        )
    return k


def _class_ids(Y: np.ndarray) -> np.ndarray:
    """(m,) class index of every example, from labels (1, m) or one-hot (C, m)."""
    Y = np.asarray(Y)
    if Y.shape[0] == 1:
        if not np.array_equal(Y, np.round(Y)):
            raise LabelError(
                "stratify=True needs class labels (1, m) of integer values, got non-integer values; "
                "for real-valued targets pass stratify=False"
            )
        return np.unique(Y[0], return_inverse=True)[1].reshape(-1)
    is_binary = np.isin(Y, (0, 1)).all()
    if not is_binary or not (Y.sum(axis=0) == 1).all():
        raise LabelError(
            f"stratify=True needs labels (1, m) or one-hot Y ({Y.shape[0]}, m) with a single 1 per column; "
            "for real-valued targets pass stratify=False"
        )
    return np.argmax(Y, axis=0)


def _stratified_counts(sizes: np.ndarray, split_sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Counts (K classes, S splits): row c sums to sizes[c], column s to split_sizes[s], each entry
    floor or ceil of its exact share sizes[c] * split_sizes[s] / m.

    Every class is then within one example of its share in every split at once. Rounding each split
    separately cannot promise that (the train remainder would drift by up to 2); a rounding that
    keeps both the row and the column sums always exists (a matrix-rounding theorem) and is found
    here as a maximum flow: source -> class c (its missing units) -> split s (one unit where the share
    has a fraction) -> sink (the split's missing units). Classes enter in a random order, so which
    classes round up varies with the seed.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    m = int(sizes.sum())
    exact = sizes[:, None] * split_sizes[None, :]  # integer: m times the share, no float rounding
    counts, has_fraction = exact // m, exact % m > 0
    row_missing = sizes - counts.sum(axis=1)
    col_missing = split_sizes - counts.sum(axis=0)
    K, S = counts.shape
    order = rng.permutation(K)
    source, sink = 0, K + S + 1
    c_idx, s_idx = np.nonzero(has_fraction[order])
    tails = np.concatenate([np.zeros(K, np.int64), 1 + c_idx, 1 + K + np.arange(S)])
    heads = np.concatenate([1 + np.arange(K), 1 + K + s_idx, np.full(S, sink)])
    caps = np.concatenate([row_missing[order], np.ones(c_idx.size, np.int64), col_missing]).astype(np.int32)
    graph = csr_matrix((caps, (tails, heads)), shape=(K + S + 2, K + S + 2))
    result = maximum_flow(graph, source, sink)
    if result.flow_value != row_missing.sum():  # cannot happen (the rounding always exists); never split wrongly
        raise RuntimeError(f"stratified rounding found no solution for class sizes {sizes.tolist()}")
    flow = result.flow.tocoo()
    middle = (flow.row >= 1) & (flow.row <= K) & (flow.col > K) & (flow.col < sink) & (flow.data > 0)
    counts[order[flow.row[middle] - 1], flow.col[middle] - 1 - K] += 1
    return counts


def _split_indices(Y, m: int, n_dev: int, n_test: int, stratify: bool, rng) -> tuple[np.ndarray, ...]:
    """Column indices (train, dev, test), each in a random order."""
    perm = rng.permutation(m)
    which = np.zeros(m, dtype=np.int8)  # 0 train, 1 dev, 2 test; indexed by position in perm
    if stratify:
        ids = _class_ids(Y)[perm]
        sizes = np.bincount(ids)
        counts = _stratified_counts(sizes, np.array([m - n_dev - n_test, n_dev, n_test]), rng)
        for c in range(sizes.size):  # a loop over classes, not examples
            pos = np.flatnonzero(ids == c)
            n_dev_c, n_test_c = counts[c, 1], counts[c, 2]
            which[pos[:n_test_c]] = 2
            which[pos[n_test_c: n_test_c + n_dev_c]] = 1
    else:
        which[:n_test] = 2
        which[n_test: n_test + n_dev] = 1
    return perm[which == 0], perm[which == 1], perm[which == 2]


def _take_columns(A, idx: np.ndarray):
    """Columns ``idx`` of A (n, m) as an (n, k) view of an example-major (k, n) array (fast gathers later)."""
    return A.T[idx].T


def train_dev_test_split(X, Y, dev=0.1, test=0.1, stratify: bool = True, seed=None):
    """Split the columns of X (n_x, m) and Y (n_y, m) into train, dev and test: seeded, stratified.

    ``dev`` and ``test`` are fractions of m in [0, 1) (rounded half up) or counts. With
    ``stratify`` (labels (1, m) or one-hot (C, m)) every class gets floor or ceil of its share
    of each split (train included), so the class proportions hold to within one example. Every split is in a
    random order drawn from ``seed``; X parts are example-major in memory (the (n_x, m) transpose view
    of (m, n_x) storage, so a later mini-batch gather copies whole examples).
    Returns (X_train, Y_train, X_dev, Y_dev, X_test, Y_test).
    """
    X, Y = as_matrix(X, "X"), as_matrix(Y, "Y")
    m = X.shape[1]
    if Y.shape[1] != m:
        raise ShapeError(
            f"X and Y must have the same number of columns (examples), got X {X.shape} and Y {Y.shape}"
        )
    n_dev, n_test = _held_out_count(dev, m, "dev"), _held_out_count(test, m, "test")
    if n_dev + n_test >= m:
        raise HyperparameterError(
            f"dev ({n_dev}) + test ({n_test}) examples leave no training examples out of m = {m}; "
            "use smaller dev and test sizes"
        )
    rng = make_rng(seed)
    parts = _split_indices(Y, m, n_dev, n_test, stratify, rng)
    out = []
    for idx in parts:
        out += [_take_columns(X, idx), Y[:, idx]]
    return tuple(out)


def train_test_split(X, Y, test=0.2, stratify: bool = True, seed=None):
    """Split the columns of X (n_x, m) and Y (n_y, m) into train and test (see ``train_dev_test_split``).

    Returns (X_train, Y_train, X_test, Y_test).
    """
    X_tr, Y_tr, _, _, X_te, Y_te = train_dev_test_split(X, Y, dev=0, test=test, stratify=stratify, seed=seed)
    return X_tr, Y_tr, X_te, Y_te


# ---------------------------------------------------------------------------------------------
# One-hot
# ---------------------------------------------------------------------------------------------


def one_hot(Y, n_classes: int | None = None, dtype=np.float32) -> np.ndarray:
    """Labels (1, m) in 0..C-1 -> one-hot (C, m): Y_hot[c, i] = 1 if y(i) = c else 0.

    ``n_classes`` defaults to max(y) + 1.
    """
    Y = as_matrix(Y, "Y")
    if Y.shape[0] != 1:
        raise ShapeError(
            f"one_hot takes labels of shape (1, m), got {Y.shape}; if Y is already one-hot use it as it "
            "is (from_one_hot turns it back into labels)"
        )
    labels = np.asarray(Y)[0]
    if labels.size and (not np.array_equal(labels, np.round(labels)) or labels.min() < 0):
        raise LabelError(f"one_hot needs integer labels >= 0, got values from {labels.min()} to {labels.max()}")
    labels = labels.astype(np.intp)
    top = int(labels.max()) + 1 if labels.size else 0
    if n_classes is None:
        n_classes = max(top, 1)
    n_classes = check_int(n_classes, "n_classes")
    if top > n_classes:
        raise LabelError(
            f"labels go up to {top - 1} but n_classes={n_classes}; labels must be in 0..{n_classes - 1}, "
            f"so pass n_classes >= {top}"
        )
    out = np.zeros((n_classes, labels.size), dtype=dtype)
    out[labels, np.arange(labels.size)] = 1
    return out


def label_text(value) -> str:
    """A label as text: strings stripped, integral numbers without a decimal part ("3", not "3.0")."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return text
        return label_text(number) if np.isfinite(number) and text.lower() not in ("nan", "inf", "-inf") else text
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def encode_labels(labels) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels (1, m) as found in a file -> (Y (1, m) int64 in 0..C-1, class names (C,)).

    The classes are the distinct labels in sorted order (numbers by value, then strings), named
    by ``label_text``: labels {3, 7} become 0, 1 named ("3", "7"); {"setosa", "virginica"} become
    0, 1. A model that keeps the names answers in the original labels (``Network.predict_labels``);
    a set of labels such as {0, 1000000} gives two classes, not a million-unit output.
    """
    raw = np.asarray(labels)
    if raw.ndim != 2 or raw.shape[0] != 1:
        raise ShapeError(f"encode_labels takes labels of shape (1, m), got {raw.shape}")
    texts = [label_text(v) for v in raw[0].tolist()]

    def order(text: str):
        try:
            return (0, float(text), text)
        except ValueError:
            return (1, 0.0, text)

    classes = tuple(sorted(set(texts), key=order))
    index = {name: k for k, name in enumerate(classes)}
    return np.array([[index[t] for t in texts]], dtype=np.int64), classes


def from_one_hot(Y) -> np.ndarray:
    """One-hot (or probabilities) (C, m) -> labels (1, m) int64: y(i) = argmax_c Y[c, i]."""
    Y = as_matrix(Y, "Y")
    if Y.shape[0] < 2:
        raise ShapeError(
            f"from_one_hot takes (C, m) with C >= 2 rows, got {Y.shape}; a (1, m) array already holds labels"
        )
    return np.argmax(np.asarray(Y), axis=0).astype(np.int64).reshape(1, -1)


# ---------------------------------------------------------------------------------------------
# Input normalization
# ---------------------------------------------------------------------------------------------

_CHUNK_VALUES = 1 << 22  # values per pass of fit: bounds its float64 temporaries to 32 MB


class Standardizer:
    """The notes' input normalization: subtract the mean, divide by the standard deviation, per feature.

    fit (training set only):  mu = (1/m) sum_i x(i),   sigma2 = (1/m) sum_i (x(i) - mu)^2
    transform:                x_norm = (x - mu) / s,   s = sigma if sigma >= floor, else 1

    A feature (near-)constant in the training set (sigma < floor) is only centred: it maps to 0
    on the training set, and other data keep their offset x - mu instead of being multiplied by
    1/floor. (Dividing by max(sigma, floor) would also map it to 0 on the training set, but a test
    or augmented example that differs there explodes: 67 of MNIST's 784 pixels are always 0 in
    its training set, and one test image then reaches |x_norm| = 9.4e6.) scikit-learn's
    StandardScaler makes the same choice. Statistics are computed in float64 (the mean as
    x(1) + (1/m) sum (x(i) - x(1)), the same number, exact for a constant feature) and stored as
    ``mu`` (n_x, 1) and ``sigma2`` (n_x, 1) float64. ``transform`` applies them unchanged to any
    data (dev, test, new examples), keeps a float input's dtype (float32 stays float32), and
    never modifies its input.
    """

    def __init__(self, floor: float = 1e-8):
        self.floor = check_number(floor, "floor", low=0.0, low_open=True,
                                  hint="features with a standard deviation below it are only centred; 1e-8")
        self.mu: np.ndarray | None = None
        self.sigma2: np.ndarray | None = None

    @property
    def n_features(self) -> int:
        """n_x, the number of features the statistics are for."""
        self._check_fitted()
        return int(self.mu.shape[0])

    @property
    def scale(self) -> np.ndarray:
        """s = sigma where sigma >= floor, else 1; (n_x, 1) float64: what transform divides by."""
        self._check_fitted()
        sigma = np.sqrt(np.asarray(self.sigma2, dtype=np.float64))
        return np.where(sigma >= self.floor, sigma, 1.0)

    def _check_fitted(self) -> None:
        if self.mu is None or self.sigma2 is None:
            raise NotFittedError("this Standardizer is not fitted yet; call fit(X_train) first")

    def fit(self, X, divide_by: float | None = None) -> Standardizer:
        """Compute mu and sigma2 per feature (row) of the training set X (n_x, m).

        ``divide_by``: the statistics of X / divide_by (a network's fixed input scaling, applied
        before this Standardizer), computed chunk by chunk without a scaled copy of X.
        """
        X = as_matrix(X, "X")
        check_finite(X, "X")
        X = np.asarray(X)
        n, m = X.shape
        if m == 0:
            raise ShapeError("X has no examples (shape (n_x, 0)); fit needs at least one column")
        scale = 1.0 if divide_by is None else check_number(divide_by, "divide_by", low=0.0, low_open=True)

        def part(s):  # chunks of examples keep temporaries small on large data sets
            block = X[:, s: s + chunk].astype(np.float64, copy=False)
            return block if divide_by is None else block / scale

        chunk = max(1, _CHUNK_VALUES // max(n, 1))
        shift = part(0)[:, :1]
        total = np.zeros((n, 1))
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is said below, in words
            for s in range(0, m, chunk):
                total += (part(s) - shift).sum(axis=1, keepdims=True)
            mu = shift + total / m
            sq = np.zeros((n, 1))
            for s in range(0, m, chunk):
                d = part(s) - mu
                sq += np.einsum("ij,ij->i", d, d)[:, None]
        bad = ~(np.isfinite(mu) & np.isfinite(sq))[:, 0]
        if bad.any():
            k = int(np.argmax(bad))
            raise NonFiniteError(
                f"X's feature {k} (row {k}) spans values up to {float(np.abs(X[k]).max()):.3g}: its variance is beyond "
                "float64 (about 1.8e308), so it cannot be standardized; divide that feature by a power of ten first")
        self.mu, self.sigma2 = mu, sq / m
        return self

    def _checked(self, X, name: str):
        self._check_fitted()
        X = as_matrix(X, name)
        n_x = self.mu.shape[0]
        if X.shape[0] != n_x:
            hint = f"; it looks like (m, n_x): pass {name}.T" if X.shape[1] == n_x else ""
            raise ShapeError(
                f"{name} must have {n_x} rows (the features this Standardizer was fitted on), "
                f"got shape {X.shape}{hint}"
            )
        dtype = X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)
        return X, dtype

    def transform(self, X):
        """x_norm = (x - mu) / s for every column of X (n_x, m); a new array in X's float dtype."""
        X, dtype = self._checked(X, "X")
        out = X - xp.asarray(self.mu, dtype=dtype)
        out /= xp.asarray(self.scale, dtype=dtype)
        return out

    def fit_transform(self, X):
        """fit(X) then transform(X)."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X_norm):
        """x = x_norm * s + mu: undoes transform (up to rounding)."""
        X_norm, dtype = self._checked(X_norm, "X_norm")
        out = X_norm * xp.asarray(self.scale, dtype=dtype)
        out += xp.asarray(self.mu, dtype=dtype)
        return out

    def to_dict(self, as_lists: bool = False) -> dict:
        """{"type", "floor", "mu", "sigma2"}: arrays (n_x, 1) for .npz, or flat lists for JSON (``as_lists``)."""
        self._check_fitted()
        mu, sigma2 = np.asarray(self.mu, dtype=np.float64), np.asarray(self.sigma2, dtype=np.float64)
        if as_lists:
            mu, sigma2 = mu.ravel().tolist(), sigma2.ravel().tolist()
        return {"type": "Standardizer", "floor": float(self.floor), "mu": mu, "sigma2": sigma2}

    @classmethod
    def from_dict(cls, state: dict) -> Standardizer:
        """A fitted Standardizer from ``to_dict``'s output (lists or arrays, flat or (n_x, 1))."""
        missing = [k for k in ("mu", "sigma2") if k not in state]
        if missing:
            raise HyperparameterError(
                f"a Standardizer state needs keys mu and sigma2 (and floor), missing {', '.join(missing)}; "
                "pass what Standardizer.to_dict() returned"
            )
        self = cls(floor=state.get("floor", 1e-8))
        mu = np.asarray(state["mu"], dtype=np.float64).reshape(-1, 1)
        sigma2 = np.asarray(state["sigma2"], dtype=np.float64).reshape(-1, 1)
        if mu.shape != sigma2.shape:
            raise ShapeError(f"mu and sigma2 must have the same length, got {mu.shape[0]} and {sigma2.shape[0]}")
        if not (np.isfinite(mu).all() and np.isfinite(sigma2).all()) or (sigma2 < 0).any():
            raise HyperparameterError("a Standardizer state needs finite mu and finite sigma2 >= 0")
        self.mu, self.sigma2 = mu, sigma2
        return self

    def __repr__(self) -> str:
        state = f"n_features={self.mu.shape[0]}" if self.mu is not None else "not fitted"
        return f"Standardizer(floor={self.floor:g}, {state})"
