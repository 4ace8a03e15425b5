"""Data sets in the notes' layout: X (n_x, m) with one column per example, Y (1, m) int64 labels.

This room holds the ``Dataset`` record, the registry ``DATASETS`` and ``load``; the sets themselves
live in three rooms beside it, whose public names are importable from here too:

- ``synthetic``: generated, seeded 2-D sets: ``make_flower``, ``make_moons``, ``make_circles``,
  ``make_spirals``, ``make_blobs``, ``make_xor`` -> X (2, m) float64, Y (1, m) int64.
- ``readers``: scikit-learn's bundled sets (no network: ``load_digits``, ``load_breast_cancer``) and
  the file-based ones: ``load_mnist``, ``load_fashion_mnist`` (the original gzip'd IDX files,
  ``read_idx``), ``load_cats`` (the course's two .h5 files), ``load_course_2d`` (the course's data.mat).
- ``files``: where those files come from: ``RESOURCES`` (addresses and published sha256, checked on
  every load), the cache root ``data_home``, ``locate`` (finds, downloads, verifies), ``file_sha256``.

X is stored example-major (each example's features contiguous in memory, what
``images.reshape(m, -1)`` gives) and handed out as its ``(n_x, m)`` transpose view: a mini-batch
gather then copies whole contiguous examples instead of picking one value per feature row.

``load(name, path=None, **kw)`` gives any of them as a ``Dataset`` with a train and a test split;
``DATASETS`` lists the names.

Fixed scaling: digits are divided by 16 and image pixels by 255, so X lies in [0, 1]. Every loader
reports that divisor (``Dataset.input_scale``) and takes ``scaled=False`` to hand out the raw
values instead: a model that divides its inputs itself (``Network(input_scale=...)``) then takes
raw features, the ones a user has in a file, at prediction time too.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..backend import make_rng
from ..errors import HyperparameterError, unknown_name
from .files import (  # noqa: F401 - public names of this room since before the split
    ALIASES,
    DOWNLOAD_TIMEOUT_S,
    RESOURCES,
    FileInfo,
    Resource,
    canonical_name,
    data_home,
    file_sha256,
    locate,
    verify_file,
)
from .readers import (  # noqa: F401 - public names of this room since before the split
    DIGITS_SCALE,
    FASHION_MNIST_CLASSES,
    IMAGE_SCALE,
    MNIST_SPLITS,
    load_breast_cancer,
    load_cats,
    load_course_2d,
    load_digits,
    load_fashion_mnist,
    load_mnist,
    read_cats,
    read_idx,
)
from .synthetic import (  # noqa: F401 - public names of this room since before the split
    GENERATORS,
    make_blobs,
    make_circles,
    make_flower,
    make_moons,
    make_spirals,
    make_xor,
)

# ---------------------------------------------------------------------------------------------
# The result of load(): one small structure for every data set
# ---------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """A data set split into train and test, in the notes' layout.

    X_train (n_x, m_train), Y_train (1, m_train) int64, X_test (n_x, m_test), Y_test (1, m_test)
    (image sets loaded with ``images=True``: X (m, H, W, C)); labels 0..n_classes-1;
    ``image_shape`` (H, W, C) when each column of X is an image flattened in C order (what
    augmentation needs), else None; ``class_names`` and ``feature_names`` when known.

    ``input_scale``: the loader's fixed scaling of the raw features, X = raw / input_scale (16 for
    digits, 255 for images; None when the features are used as read). ``scaled``: whether X holds
    the divided values (the default) or the raw ones (``load(..., scaled=False)``). ``label_name``:
    the label column of a set read from a file.
    """

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    n_classes: int
    name: str
    image_shape: tuple[int, int, int] | None = None
    class_names: tuple[str, ...] | None = None
    feature_names: tuple[str, ...] | None = None
    input_scale: float | None = None
    scaled: bool = True
    label_name: str | None = None

    @property
    def n_x(self) -> int:
        """Number of input features: rows of X, or H*W*C when X holds images (m, H, W, C) (``images=True``)."""
        X = self.X_train
        return int(np.prod(X.shape[1:])) if X.ndim == 4 else int(X.shape[0])

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}: X_train {self.X_train.shape} {self.X_train.dtype}, "
            f"Y_train {self.Y_train.shape}, X_test {self.X_test.shape}, Y_test {self.Y_test.shape}, "
            f"n_classes={self.n_classes}, image_shape={self.image_shape}, input_scale={self.input_scale}, "
            f"scaled={self.scaled})"
        )


# ---------------------------------------------------------------------------------------------
# The registry used by the command line
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadRequest:
    """What ``load`` was asked for, as a registry entry's ``build`` reads it (each reads what it needs)."""

    name: str
    path: str | os.PathLike | None
    test: float
    seed: object
    scaled: bool
    options: dict


@dataclass(frozen=True)
class DatasetInfo:
    """A registry entry: ``kind`` is "file", "bundled" or "generated"; ``options`` are the keywords
    ``load`` passes on; ``build(request)`` makes the Dataset of a ``LoadRequest``."""

    name: str
    kind: str
    description: str
    options: tuple[str, ...]
    build: Callable[[LoadRequest], Dataset]


def _no_path(r: LoadRequest) -> None:
    if r.path is not None:
        where = "bundled with scikit-learn" if r.name in ("digits", "breast_cancer") else "generated"
        raise HyperparameterError(
            f"data set {r.name!r} is {where} and reads no files, got path={str(r.path)!r}; leave path out"
        )


def _split(r: LoadRequest, X, Y, n_classes: int, seed, **extra) -> Dataset:
    """A set without a test split of its own, split here: stratified, ``r.test`` held out, drawn from ``seed``."""
    from .preprocessing import train_test_split

    X_tr, Y_tr, X_te, Y_te = train_test_split(X, Y, test=r.test, stratify=True, seed=seed)
    return Dataset(X_tr, Y_tr, X_te, Y_te, n_classes, r.name, **extra)


def _build_idx(r: LoadRequest) -> Dataset:
    loader = load_mnist if r.name == "mnist" else load_fashion_mnist
    options = dict(r.options)
    limit = options.pop("limit", None)  # the training split's alone
    X_tr, Y_tr = loader(r.path, split="train", scaled=r.scaled, limit=limit, **options)
    X_te, Y_te = loader(r.path, split="test", scaled=r.scaled, **options)
    classes = tuple(str(d) for d in range(10)) if r.name == "mnist" else FASHION_MNIST_CLASSES
    return Dataset(X_tr, Y_tr, X_te, Y_te, 10, r.name, (28, 28, 1), classes, input_scale=IMAGE_SCALE,
                   scaled=r.scaled)


def _build_cats(r: LoadRequest) -> Dataset:
    X_tr, Y_tr, X_te, Y_te, classes = read_cats(r.path, r.options.get("images", False), r.scaled)
    return Dataset(X_tr, Y_tr, X_te, Y_te, 2, r.name, (64, 64, 3), classes, input_scale=IMAGE_SCALE,
                   scaled=r.scaled)


def _build_course_2d(r: LoadRequest) -> Dataset:
    return Dataset(*load_course_2d(r.path), 2, r.name, feature_names=("x1", "x2"))


def _build_bundled(r: LoadRequest) -> Dataset:
    _no_path(r)
    if r.name == "digits":
        X, Y = load_digits(scaled=r.scaled)
        return _split(r, X, Y, 10, r.seed, image_shape=(8, 8, 1),
                      class_names=tuple(str(d) for d in range(10)),
                      feature_names=tuple(f"pixel_{row}_{col}" for row in range(8) for col in range(8)),
                      input_scale=DIGITS_SCALE, scaled=r.scaled)
    from sklearn.datasets import load_breast_cancer as sk_load_breast_cancer

    X, Y = load_breast_cancer()
    return _split(r, X, Y, 2, r.seed, class_names=("malignant", "benign"),
                  feature_names=tuple(str(f) for f in sk_load_breast_cancer().feature_names))


def _build_generated(r: LoadRequest) -> Dataset:
    _no_path(r)
    rng = make_rng(r.seed)  # one seed draws the points, then the split
    X, Y = GENERATORS[r.name](seed=rng, **r.options)
    n_classes = r.options.get("classes", 2) if r.name == "spirals" else int(Y.max()) + 1
    return _split(r, X, Y, n_classes, rng, class_names=tuple(str(c) for c in range(n_classes)),
                  feature_names=("x1", "x2"))


def _options(function) -> tuple[str, ...]:
    return tuple(p for p in inspect.signature(function).parameters if p != "seed")


DATASETS: dict[str, DatasetInfo] = {
    "digits": DatasetInfo("digits", "bundled", "scikit-learn's 8x8 digits: 1797 examples, 64 features, 10 classes",
                          (), _build_bundled),
    "breast_cancer": DatasetInfo("breast_cancer", "bundled",
                                 "Wisconsin breast cancer: 569 examples, 30 raw features, 2 classes",
                                 (), _build_bundled),
    "mnist": DatasetInfo("mnist", "file", "MNIST digits 28x28: 60000 train / 10000 test, 10 classes (downloaded)",
                         ("images", "download", "cache_dir", "limit"), _build_idx),
    "fashion_mnist": DatasetInfo("fashion_mnist", "file",
                                 "Fashion-MNIST 28x28: 60000 train / 10000 test, 10 classes (downloaded)",
                                 ("images", "download", "cache_dir", "limit"), _build_idx),
    "cats": DatasetInfo("cats", "file", "the course's cat / non-cat 64x64 RGB: 209 train / 50 test",
                        ("images",), _build_cats),
    "course_2d": DatasetInfo("course_2d", "file", "the course's 2-D regularization set: 211 train / 200 test",
                             (), _build_course_2d),
    **{
        name: DatasetInfo(name, "generated", (gen.__doc__ or "").splitlines()[0], _options(gen), _build_generated)
        for name, gen in GENERATORS.items()
    },
}


def listing() -> list[str]:
    """One line per data set (``glassnet data``): name, kind, description; a file-based set's folder, a name too."""
    lines = []
    for key, info in DATASETS.items():
        line = f"{key:<15}{info.kind:<11}{info.description}"
        if key in RESOURCES:
            folder = RESOURCES[key].folder
            line += f"; folder {folder}/" + (f" (--data {folder} works too)" if folder != key else "")
        lines.append(line)
    return lines


def load(name: str, path=None, *, test: float = 0.2, seed=None, scaled: bool = True, **options) -> Dataset:
    """Data set ``name`` (one of ``DATASETS``) as a ``Dataset`` with a train and a test split.

    Sets that come with a test split (mnist, fashion_mnist, cats, course_2d) keep it and ignore
    ``test``; the others are split here: stratified, ``test`` = fraction of examples held out,
    drawn from ``seed`` (the generated sets are drawn from it too, so one seed fixes both).
    ``path`` is where file-based sets are read from (see ``locate``); the others take no path.
    ``options`` go to the loader or generator: ``DATASETS[name].options`` lists them (``images``,
    ``download``, ``cache_dir`` for files; ``n``, ``noise``, ``classes``, ... for generated sets).
    ``limit`` (mnist, fashion_mnist): the first ``limit`` training examples, the others not converted
    to floats at all (the test split stays whole).
    A set's folder name is a name too (``fashion-mnist``, ``catvnoncat``, ``regularization-2d``).
    ``scaled=False`` gives the raw features of the sets with a fixed scaling (digits 0..16, images
    0..255; ``Dataset.input_scale`` says the divisor either way); the other sets are the same with
    either value.
    """
    key = canonical_name(name)
    if key not in DATASETS:
        raise unknown_name("data set", name, list(DATASETS))
    info = DATASETS[key]
    unknown = sorted(set(options) - set(info.options))
    if unknown:
        known = ", ".join(info.options) or "none"
        raise HyperparameterError(
            f"data set {key!r} takes no option(s) {', '.join(unknown)}; its options are: {known}"
        )
    return info.build(LoadRequest(key, path, test, seed, bool(scaled), options))
