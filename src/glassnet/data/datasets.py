"""Data sets in the notes' layout: X (n_x, m) with one column per example, Y (1, m) int64 labels.

Three kinds:

- generated, seeded: ``make_flower``, ``make_moons``, ``make_circles``, ``make_spirals``,
  ``make_blobs``, ``make_xor`` -> X (2, m) float64, Y (1, m) int64. Every random number comes from
  ``glassnet.backend.make_rng(seed)``: the same seed gives the same set, another seed another set.
- bundled with scikit-learn (no network): ``load_digits``, ``load_breast_cancer``.
- files: ``load_mnist``, ``load_fashion_mnist`` (the original gzip'd IDX files, downloaded into a
  cache folder on first use), ``load_cats`` (the course's two .h5 files), ``load_course_2d`` (the
  course's data.mat). Every file is checked against its published sha256 on every load (hashing
  the 9.9 MB MNIST train images takes about 15 ms; decompressing them takes 20 times longer).

X is stored example-major (each example's features contiguous in memory, what
``images.reshape(m, -1)`` gives) and handed out as its ``(n_x, m)`` transpose view, the layout
that makes mini-batch gathers fast (see DESIGN.md).

``load(name, path=None, **kw)`` gives any of them as a ``Dataset`` with a train and a test split;
``DATASETS`` lists the names.

Fixed scaling: digits are divided by 16 and image pixels by 255, so X lies in [0, 1]. Every loader
reports that divisor (``Dataset.input_scale``) and takes ``scaled=False`` to hand out the raw
values instead: a model that divides its inputs itself (``Network(input_scale=...)``) then takes
raw features, the ones a user has in a file, at prediction time too.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import inspect
import os
import struct
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..backend import make_rng
from ..errors import DatasetError, HyperparameterError, HyperparameterTypeError, ShapeError, unknown_name
from ..validation import check_int, check_memory, check_number

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
# Generated data sets
# ---------------------------------------------------------------------------------------------


def _check_noise(noise, name: str = "noise") -> float:
    return check_number(noise, name, low=0.0, hint="0 gives noise-free points")


def _check_points(n: int) -> int:
    """A point count whose arrays fit in memory (a few float64 copies of (n, 2) while generating)."""
    check_memory(8.0 * 2 * 8 * n, f"{n} points", "ask for fewer points")
    return n


def _split_counts(n: int, k: int) -> np.ndarray:
    """n examples over k classes as evenly as possible (the first n mod k classes get one more)."""
    counts = np.full(k, n // k, dtype=np.int64)
    counts[: n % k] += 1
    return counts


def _finish(points: np.ndarray, labels: np.ndarray, rng: np.random.Generator, shuffle: bool):
    """(m, 2) points and (m,) labels -> X (2, m) example-major view, Y (1, m) int64."""
    if shuffle:
        perm = rng.permutation(points.shape[0])
        points, labels = points[perm], labels[perm]
    points = np.ascontiguousarray(points, dtype=np.float64)
    return points.T, labels.astype(np.int64).reshape(1, -1)


def make_flower(n: int = 400, noise: float = 0.2, seed=None, shuffle: bool = True):
    """The course's planar "flower": two classes on alternating petals of a rose curve.

    For class j in {0, 1}:  t = linspace(3.12 j, 3.12 (j+1)) + noise * N(0, 1),
    r = 4 sin(4t) + noise * N(0, 1),  x = (r sin t, r cos t).
    Returns X (2, n) float64 (values within about [-4.5, 4.5]), Y (1, n) int64 in {0, 1}.
    """
    n = check_int(n, "n", low=2)
    _check_points(n)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    counts = _split_counts(n, 2)
    labels = np.repeat(np.arange(2), counts)
    base = np.concatenate([np.linspace(j * 3.12, (j + 1) * 3.12, c) for j, c in enumerate(counts)])
    t = base + rng.standard_normal(n) * noise
    r = 4.0 * np.sin(4.0 * t) + rng.standard_normal(n) * noise
    points = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return _finish(points, labels, rng, shuffle)


def make_moons(n: int = 400, noise: float = 0.1, seed=None, shuffle: bool = True):
    """Two interleaving half circles (scikit-learn's shape, generated with our seeded Generator).

    Class 0: (cos s, sin s); class 1: (1 - cos s, 0.5 - sin s), s in [0, pi]; then + noise * N(0, I).
    Returns X (2, n) float64, Y (1, n) int64 in {0, 1}.
    """
    n = check_int(n, "n", low=2)
    _check_points(n)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    s_out, s_in = np.linspace(0.0, np.pi, n_out), np.linspace(0.0, np.pi, n_in)
    points = np.concatenate([
        np.column_stack([np.cos(s_out), np.sin(s_out)]),
        np.column_stack([1.0 - np.cos(s_in), 0.5 - np.sin(s_in)]),
    ])
    points += noise * rng.standard_normal(points.shape)
    labels = np.repeat(np.arange(2), [n_out, n_in])
    return _finish(points, labels, rng, shuffle)


def make_circles(n: int = 400, noise: float = 0.05, factor: float = 0.8, seed=None, shuffle: bool = True):
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor``, + noise * N(0, I).

    Returns X (2, n) float64, Y (1, n) int64 in {0, 1}.
    """
    n = check_int(n, "n", low=2)
    _check_points(n)
    noise = _check_noise(noise)
    factor = check_number(factor, "factor", low=0.0, high=1.0, high_open=True,
                          hint="factor is the inner radius over the outer radius")
    rng = make_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    s_out = np.linspace(0.0, 2 * np.pi, n_out, endpoint=False)
    s_in = np.linspace(0.0, 2 * np.pi, n_in, endpoint=False)
    points = np.concatenate([
        np.column_stack([np.cos(s_out), np.sin(s_out)]),
        factor * np.column_stack([np.cos(s_in), np.sin(s_in)]),
    ])
    points += noise * rng.standard_normal(points.shape)
    labels = np.repeat(np.arange(2), [n_out, n_in])
    return _finish(points, labels, rng, shuffle)


def make_spirals(n: int = 400, classes: int = 2, noise: float = 0.2, seed=None, shuffle: bool = True):
    """K interleaved spiral arms (the CS231n spiral data), one class per arm.

    For arm j:  r = linspace(0, 1),  t = 2 pi j / K + 4 r + noise * N(0, 1),  x = (r sin t, r cos t);
    ``noise`` jitters the angle (radians). Returns X (2, n) float64 in [-1, 1], Y (1, n) int64 in 0..K-1.
    """
    classes = check_int(classes, "classes", low=2)
    n = check_int(n, "n", low=classes, hint=f"at least one example per class ({classes})")
    _check_points(n)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    counts = _split_counts(n, classes)
    labels = np.repeat(np.arange(classes), counts)
    r = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    t = 2 * np.pi * labels / classes + 4.0 * r + noise * rng.standard_normal(n)
    points = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return _finish(points, labels, rng, shuffle)


def make_blobs(n: int = 400, centers=3, std: float = 1.0, seed=None, box: tuple[float, float] = (-10.0, 10.0),
               shuffle: bool = True):
    """Isotropic Gaussian blobs: x = center[y] + std * N(0, I).

    ``centers`` is a count (centers drawn uniformly in ``box`` x ``box``) or an array (k, 2) of
    centers. Returns X (2, n) float64, Y (1, n) int64 in 0..k-1 (as even as n allows).
    """
    std = check_number(std, "std", low=0.0)
    rng = make_rng(seed)
    if isinstance(centers, int | np.integer) and not isinstance(centers, bool):
        k = _check_points(check_int(centers, "centers"))
        low, high = (check_number(v, "box") for v in box)
        if not low < high:
            raise HyperparameterError(f"box must be (low, high) with low < high, got {box!r}")
        points_c = rng.uniform(low, high, size=(k, 2))
    else:
        points_c = np.asarray(centers, dtype=np.float64)
        if points_c.ndim != 2 or points_c.shape[1] != 2 or points_c.shape[0] < 1:
            raise ShapeError(
                f"centers must be a count or an array (k, 2) of 2-D centers, got shape {points_c.shape}"
            )
        k = points_c.shape[0]
    n = check_int(n, "n", low=k, hint=f"at least one example per center ({k})")
    _check_points(n)
    labels = np.repeat(np.arange(k), _split_counts(n, k))
    points = points_c[labels] + std * rng.standard_normal((n, 2))
    return _finish(points, labels, rng, shuffle)


def make_xor(n: int = 400, noise: float = 0.1, seed=None, shuffle: bool = True):
    """The XOR problem: p uniform in [-1, 1]^2, y = [p1 > 0] xor [p2 > 0], x = p + noise * N(0, I).

    Returns X (2, n) float64, Y (1, n) int64 in {0, 1} (class sizes vary with the draw).
    """
    n = check_int(n, "n", low=2)
    _check_points(n)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    p = rng.uniform(-1.0, 1.0, size=(n, 2))
    labels = ((p[:, 0] > 0) != (p[:, 1] > 0)).astype(np.int64)
    points = p + noise * rng.standard_normal((n, 2))
    return _finish(points, labels, rng, shuffle)


# ---------------------------------------------------------------------------------------------
# Bundled with scikit-learn
# ---------------------------------------------------------------------------------------------


DIGITS_SCALE = 16.0
"""scikit-learn's digits count ink in 4x4 blocks: raw values 0..16."""
IMAGE_SCALE = 255.0
"""8-bit pixels: raw values 0..255."""


def load_digits(scaled: bool = True):
    """scikit-learn's bundled 8x8 digits: X (64, 1797) float64 = pixel / 16 in [0, 1], Y (1, 1797) int64 0..9.

    Row index of X = row * 8 + col of the image (``image_shape`` (8, 8, 1)). ``scaled=False``:
    the raw pixel values 0..16, as scikit-learn gives them.
    """
    from sklearn.datasets import load_digits as sk_load_digits

    bunch = sk_load_digits()
    data = np.ascontiguousarray(bunch.data, dtype=np.float64)
    if scaled:
        data /= DIGITS_SCALE
    return data.T, bunch.target.astype(np.int64).reshape(1, -1)


def load_breast_cancer():
    """scikit-learn's bundled Wisconsin breast cancer set: X (30, 569) raw float64 features, Y (1, 569) int64.

    Y = 0 malignant (212), 1 benign (357). The features are unscaled (areas in the thousands,
    smoothness near 0.1): standardize them (``Standardizer``) before training.
    """
    from sklearn.datasets import load_breast_cancer as sk_load_breast_cancer

    bunch = sk_load_breast_cancer()
    data = np.ascontiguousarray(bunch.data, dtype=np.float64)
    return data.T, bunch.target.astype(np.int64).reshape(1, -1)


# ---------------------------------------------------------------------------------------------
# Files: names, official addresses, checksums
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    """One published file: its sha256 (verified on every load), md5 (as published) and size in bytes."""

    sha256: str
    md5: str
    size: int


@dataclass(frozen=True)
class Resource:
    """A file-based data set: the files it needs, where they are published, and their checksums.

    ``folder`` is the conventional folder name (the one in ``shared/datasets``); ``mirrors`` are
    base URLs tried in order (empty: the files cannot be downloaded, the user puts them in place).
    """

    name: str
    title: str
    folder: str
    mirrors: tuple[str, ...]
    files: dict[str, FileInfo]


RESOURCES: dict[str, Resource] = {
    "mnist": Resource(
        name="mnist",
        title="MNIST",
        folder="mnist",
        # torchvision's mirror first; LeCun's page often refuses automated downloads.
        mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"),
        files={
            "train-images-idx3-ubyte.gz": FileInfo(
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "f68b3c2dcbeaaa9fbdd348bbdeb94873", 9912422),
            "train-labels-idx1-ubyte.gz": FileInfo(
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "d53e105ee54ea40749a09fcbcd1e9432", 28881),
            "t10k-images-idx3-ubyte.gz": FileInfo(
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "9fb629c4189551a2d022fa330f9573f3", 1648877),
            "t10k-labels-idx1-ubyte.gz": FileInfo(
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                "ec29112dd5afa0611ce80d1b7f02629c", 4542),
        },
    ),
    "fashion_mnist": Resource(
        name="fashion_mnist",
        title="Fashion-MNIST",
        folder="fashion-mnist",
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        files={
            "train-images-idx3-ubyte.gz": FileInfo(
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d", 26421880),
            "train-labels-idx1-ubyte.gz": FileInfo(
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                "25c81989df183df01b3e8a0aad5dffbe", 29515),
            "t10k-images-idx3-ubyte.gz": FileInfo(
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                "bef4ecab320f06d8554ea6380940ec79", 4422102),
            "t10k-labels-idx1-ubyte.gz": FileInfo(
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                "bb300cfdad3c16e7a12a480ee83cd310", 5148),
        },
    ),
    "cats": Resource(
        name="cats",
        title="cat vs non-cat (deeplearning.ai course 1)",
        folder="catvnoncat",
        mirrors=(),  # course material: no official public address
        files={
            "train_catvnoncat.h5": FileInfo(
                "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
                "7ae153172cf0e4872f49a801f0c76c3d", 2572022),
            "test_catvnoncat.h5": FileInfo(
                "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
                "7214e326ef4178b6a71af105ddaf3dbd", 616958),
        },
    ),
    "course_2d": Resource(
        name="course_2d",
        title="the course's 2-D regularization set (data.mat)",
        folder="regularization-2d",
        mirrors=(),
        files={
            "data.mat": FileInfo(
                "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231",
                "252062681550c46ca3c069b2d027d3f3", 6038),
        },
    ),
}

MNIST_SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

DOWNLOAD_TIMEOUT_S = 60.0


def data_home() -> Path:
    """The cache root: ``$GLASSNET_DATA`` if set, else ``~/.cache/glassnet``.

    It is laid out like ``shared/datasets`` and like a folder given as ``path=``: one subfolder per
    data set named ``Resource.folder`` (``mnist``, ``fashion-mnist``, ``catvnoncat``,
    ``regularization-2d``), so ``GLASSNET_DATA=../shared/datasets`` works as it is. A subfolder
    named after the data set (``fashion_mnist``, ``cats``, ``course_2d``: the names of earlier
    versions) is read too when it holds the files.
    """
    env = os.environ.get("GLASSNET_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "glassnet"


def _cache_folder(resource: Resource, root: Path, needed: list[str]) -> Path:
    """The cache subfolder of ``resource``: the first of ``folder``/``name`` holding every needed file,
    else ``folder`` (where downloads go)."""
    for candidate in dict.fromkeys((resource.folder, resource.name)):
        if all((root / candidate / f).is_file() for f in needed):
            return root / candidate
    return root / resource.folder


def file_sha256(path: str | os.PathLike) -> str:
    """The sha256 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _redownload_hint(resource: Resource, cached: bool) -> str:
    if cached and resource.mirrors:
        return f"delete it and load again to re-download it (from {resource.mirrors[0]})"
    return "delete it and put a good copy in its place"


def verify_file(path: Path, resource: Resource, cached: bool = False) -> None:
    """Check ``path`` against its published size and sha256; a mismatch is a DatasetError."""
    info = resource.files[path.name]
    actual = file_sha256(path)
    if actual != info.sha256:
        size = path.stat().st_size
        raise DatasetError(
            f"checksum mismatch for {path} ({resource.title}): expected sha256 {info.sha256} "
            f"({info.size} bytes), got {actual} ({size} bytes); the file is corrupt, truncated or a "
            f"different version: {_redownload_hint(resource, cached)}"
        )


def _where_to_put(resource: Resource, folder: Path, missing: list[str]) -> str:
    urls = (
        "; get them from " + " or ".join(resource.mirrors) if resource.mirrors
        else "; these files have no public download address, copy them from the course materials"
    )
    return (
        f"put the file(s) {', '.join(missing)} for {resource.title} into {folder}{urls}; "
        f"or pass path= (on the command line: --data-path) to a folder that holds them "
        f"(set GLASSNET_DATA to move the cache root)"
    )


def _open_url(url: str, timeout: float):
    """The one place that touches the network (tests replace it; it is never called by them)."""
    return urllib.request.urlopen(url, timeout=timeout)


def _download(url: str, dest: Path, info: FileInfo, resource: Resource) -> None:
    """Download ``url`` to ``dest`` atomically (temporary file + rename), sha256-checked before the rename."""
    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with _open_url(url, DOWNLOAD_TIMEOUT_S) as response, os.fdopen(fd, "wb") as out:
            length = getattr(response, "headers", {}).get("Content-Length")
            total = int(length) if length else info.size
            with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=dest.name,
                      leave=False) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != info.sha256:
            raise DatasetError(
                f"checksum mismatch for {dest.name} downloaded from {url}: expected sha256 {info.sha256}, "
                f"got {digest.hexdigest()}; the download is corrupt or the server sent another file"
            )
        os.replace(tmp, dest)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _fetch_missing(resource: Resource, folder: Path, missing: list[str]) -> None:
    """Download each missing file from the first mirror that works; offline gives 'where to put it'."""
    for filename in missing:
        errors = []
        for base in resource.mirrors:
            try:
                _download(base + filename, folder / filename, resource.files[filename], resource)
                break
            except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
                errors.append(f"{base + filename}: {exc}")
        else:
            raise DatasetError(
                f"could not download {filename} ({'; '.join(errors)}). "
                + _where_to_put(resource, folder, missing[missing.index(filename):])
            )


def locate(name: str, path=None, download: bool = True, cache_dir=None, files=None) -> Path:
    """The folder holding ``files`` of data set ``name``, downloaded if allowed and possible, all verified.

    ``path``: a folder holding the files, or a folder with a subfolder named like the data set
    (``mnist``, ``fashion-mnist``, ``catvnoncat``, ``regularization-2d``), or one of the files; files
    are never downloaded into ``path``. ``path=None``: the cache folder ``cache_dir/<folder>``
    (``cache_dir`` defaults to ``data_home()``; the same folder names as under ``path``, see
    ``data_home``), where missing files are downloaded when the data set has an address and
    ``download`` is true.
    """
    resource = RESOURCES[canonical_name(name)]
    needed = list(files) if files is not None else list(resource.files)
    for value, what in ((path, "path"), (cache_dir, "cache_dir")):
        if value is not None and not isinstance(value, str | os.PathLike):
            raise HyperparameterTypeError(f"{what} must be a folder or file path (str or Path), got "
                                          f"{type(value).__name__} {value!r}")
    if path is not None:
        root = Path(path).expanduser()
        if root.is_file():
            root = root.parent
        candidates = [root, root / resource.folder, root / resource.name]
        folder = next((c for c in candidates if all((c / f).is_file() for f in needed)), None)
        if folder is None:
            missing = [f for f in needed if not (root / f).is_file()]
            raise DatasetError(f"{resource.title} files not found under path={str(path)!r}: "
                               + _where_to_put(resource, root, missing))
        cached = False
    else:
        root = Path(cache_dir).expanduser() if cache_dir is not None else data_home()
        folder = _cache_folder(resource, root, needed)
        missing = [f for f in needed if not (folder / f).is_file()]
        if missing:
            if not download or not resource.mirrors:
                reason = "download=False" if resource.mirrors else "they cannot be downloaded"
                raise DatasetError(f"{resource.title} file(s) missing from {folder} ({reason}): "
                                   + _where_to_put(resource, folder, missing))
            _fetch_missing(resource, folder, missing)
        cached = True
    for f in needed:
        verify_file(folder / f, resource, cached=cached)
    return folder


# ---------------------------------------------------------------------------------------------
# IDX (MNIST, Fashion-MNIST)
# ---------------------------------------------------------------------------------------------

_IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """An IDX file (gzip'd if its name ends in .gz) as an array of the shape its header declares.

    Header: two zero bytes, a type byte (0x08 = uint8, ...), a byte with the number of dimensions
    d, then d big-endian uint32 sizes; then the values in row-major order, big-endian.
    """
    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                data = f.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"cannot read {path} as a (gzip'd) IDX file: {exc}; delete it and get it again") from exc
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise DatasetError(f"{path} is not an IDX file: its magic number is {data[:4].hex()!r}, expected 0000 "
                           "then a type byte (08 = uint8) and the number of dimensions")
    dtype, ndim = _IDX_TYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{path} is truncated: {len(data)} bytes, its header alone needs {header}")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    count = int(np.prod(dims, dtype=np.int64))
    if len(data) - header != count * dtype.itemsize:
        raise DatasetError(
            f"{path} declares dimensions {dims} ({count * dtype.itemsize} bytes of data) but holds "
            f"{len(data) - header} bytes after its header; the file is truncated or corrupt"
        )
    return np.frombuffer(data, dtype=dtype, count=count, offset=header).reshape(dims)


def _read_idx_pair(folder: Path, images_file: str, labels_file: str):
    """Images (m, 28, 28) uint8 and labels (m,) uint8, with magic numbers and dimensions checked."""
    imgs, labs = read_idx(folder / images_file), read_idx(folder / labels_file)
    if imgs.dtype != np.uint8 or imgs.ndim != 3 or imgs.shape[1:] != (28, 28):
        raise DatasetError(f"{folder / images_file} should hold uint8 images (m, 28, 28) (magic 2051), "
                           f"got {imgs.dtype} {imgs.shape}")
    if labs.dtype != np.uint8 or labs.ndim != 1:
        raise DatasetError(f"{folder / labels_file} should hold uint8 labels (m,) (magic 2049), "
                           f"got {labs.dtype} {labs.shape}")
    if labs.shape[0] != imgs.shape[0]:
        raise DatasetError(f"{images_file} holds {imgs.shape[0]} images but {labels_file} "
                           f"holds {labs.shape[0]} labels")
    if labs.size and labs.max() > 9:
        raise DatasetError(f"{folder / labels_file} holds label {labs.max()}, expected 0..9")
    return imgs, labs


def _images_to_columns(images: np.ndarray, as_images: bool, scaled: bool = True):
    """uint8 images (m, H, W[, C]) -> float32 in [0, 1] (raw 0..255 unless ``scaled``):
    (m, H, W, C) if as_images else (H*W*C, m)."""
    m = images.shape[0]
    out = images.astype(np.float32)
    if scaled:
        np.divide(out, np.float32(IMAGE_SCALE), out=out)
    if as_images:
        return out.reshape(images.shape if images.ndim == 4 else (*images.shape, 1))
    return out.reshape(m, -1).T


def _load_idx_set(name: str, path, split: str, images: bool, download: bool, cache_dir, scaled: bool = True):
    if split not in MNIST_SPLITS:
        raise unknown_name("split", split, list(MNIST_SPLITS))
    files = MNIST_SPLITS[split]
    folder = locate(name, path, download=download, cache_dir=cache_dir, files=files)
    imgs, labs = _read_idx_pair(folder, *files)
    return _images_to_columns(imgs, images, scaled), labs.astype(np.int64).reshape(1, -1)


def load_mnist(path=None, split: str = "train", images: bool = False, download: bool = True, cache_dir=None,
               scaled: bool = True):
    """MNIST handwritten digits from the original gzip'd IDX files: X, Y for ``split`` "train" or "test".

    X (784, m) float32 = pixel / 255 in [0, 1] (``scaled=False``: the raw pixels 0..255),
    row index = row * 28 + col (``images=True``: (m, 28, 28, 1) float32 instead); Y (1, m) int64
    in 0..9; m = 60000 (train) or 10000 (test). ``path``: a folder holding the four files (never
    downloaded into); ``path=None``: the cache folder ``$GLASSNET_DATA/mnist`` (default
    ``~/.cache/glassnet/mnist``, or ``cache_dir/mnist``), downloaded there on first use when
    ``download`` is true. Files are sha256-checked on every load.
    """
    return _load_idx_set("mnist", path, split, images, download, cache_dir, scaled)


def load_fashion_mnist(path=None, split: str = "train", images: bool = False, download: bool = True,
                       cache_dir=None, scaled: bool = True):
    """Fashion-MNIST (Zalando) from the original gzip'd IDX files: X, Y for ``split`` "train" or "test".

    Same layout, scaling and caching as ``load_mnist`` (cache folder ``<root>/fashion-mnist``);
    labels 0..9 are ``FASHION_MNIST_CLASSES``.
    """
    return _load_idx_set("fashion_mnist", path, split, images, download, cache_dir, scaled)


# ---------------------------------------------------------------------------------------------
# The course's files
# ---------------------------------------------------------------------------------------------


def _read_cats(path, images: bool, scaled: bool = True):
    import h5py

    folder = locate("cats", path, download=False)
    out, classes = [], None
    for split in ("train", "test"):
        file = folder / f"{split}_catvnoncat.h5"
        try:
            with h5py.File(file, "r") as h5:
                x = np.asarray(h5[f"{split}_set_x"])
                y = np.asarray(h5[f"{split}_set_y"])
                if classes is None and "list_classes" in h5:
                    classes = tuple(c.decode() for c in np.asarray(h5["list_classes"]))
        except (OSError, KeyError) as exc:
            raise DatasetError(f"cannot read {file}: {exc}; expected the keys {split}_set_x and {split}_set_y") \
                from exc
        if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1:] != (64, 64, 3) or y.shape != (x.shape[0],):
            raise DatasetError(f"{file}: expected {split}_set_x uint8 (m, 64, 64, 3) and {split}_set_y (m,), "
                               f"got {x.dtype} {x.shape} and {y.shape}")
        out += [_images_to_columns(x, images, scaled), y.astype(np.int64).reshape(1, -1)]
    return (*out, classes or ("non-cat", "cat"))


def load_cats(path=None, images: bool = False, scaled: bool = True):
    """The course's cat / non-cat pictures: (X_train, Y_train, X_test, Y_test).

    X (12288, m) float32 = pixel / 255 in [0, 1] (``scaled=False``: the raw pixels 0..255), one
    64x64 RGB image per column flattened as
    ``x.reshape(m, -1).T`` (row index (row * 64 + col) * 3 + channel) like the course;
    ``images=True`` gives (m, 64, 64, 3) float32. Y (1, m) int64, 1 = cat. m = 209 train, 50 test.
    ``path``: the folder with train_catvnoncat.h5 and test_catvnoncat.h5 (or its parent);
    ``None``: the cache folder ``<root>/catvnoncat``. Both files are sha256-checked.
    """
    return _read_cats(path, images, scaled)[:4]


def load_course_2d(path=None):
    """The course's 2-D regularization set (data.mat): (X_train, Y_train, X_test, Y_test).

    X_train (2, 211) float64 (the mat's X transposed), Y_train (1, 211) int64 in {0, 1};
    X_test (2, 200), Y_test (1, 200) from Xval / yval. ``path``: data.mat or its folder.
    """
    from scipy.io import loadmat

    folder = locate("course_2d", path, download=False)
    file = folder / "data.mat"
    try:
        mat = loadmat(file)
        arrays = [mat[k] for k in ("X", "y", "Xval", "yval")]
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"cannot read {file}: {exc}; expected the variables X, y, Xval, yval") from exc
    X, y, Xv, yv = arrays
    if X.shape[1:] != (2,) or y.shape != (X.shape[0], 1) or Xv.shape[1:] != (2,) or yv.shape != (Xv.shape[0], 1):
        raise DatasetError(f"{file}: expected X (m, 2), y (m, 1), Xval (k, 2), yval (k, 1), got "
                           f"{X.shape}, {y.shape}, {Xv.shape}, {yv.shape}")

    def columns(a):
        return np.ascontiguousarray(a, dtype=np.float64).T

    return columns(X), y.astype(np.int64).T, columns(Xv), yv.astype(np.int64).T


# ---------------------------------------------------------------------------------------------
# The registry used by the command line
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetInfo:
    """A registry entry: ``kind`` is "file", "bundled" or "generated"; ``options`` are the keywords
    ``load`` passes on; ``build(name, path, test, seed, scaled, **options)`` makes the Dataset."""

    name: str
    kind: str
    description: str
    options: tuple[str, ...]
    build: Callable[..., Dataset]


def _no_path(name: str, path) -> None:
    if path is not None:
        where = "bundled with scikit-learn" if name in ("digits", "breast_cancer") else "generated"
        raise HyperparameterError(
            f"data set {name!r} is {where} and reads no files, got path={str(path)!r}; leave path out"
        )


def _split(name, X, Y, n_classes, test, seed, **extra) -> Dataset:
    from .preprocessing import train_test_split

    X_tr, Y_tr, X_te, Y_te = train_test_split(X, Y, test=test, stratify=True, seed=seed)
    return Dataset(X_tr, Y_tr, X_te, Y_te, n_classes, name, **extra)


def _build_idx(name: str, path, test, seed, scaled=True, **kw) -> Dataset:
    loader = load_mnist if name == "mnist" else load_fashion_mnist
    X_tr, Y_tr = loader(path, split="train", scaled=scaled, **kw)
    X_te, Y_te = loader(path, split="test", scaled=scaled, **kw)
    classes = tuple(str(d) for d in range(10)) if name == "mnist" else FASHION_MNIST_CLASSES
    return Dataset(X_tr, Y_tr, X_te, Y_te, 10, name, (28, 28, 1), classes, input_scale=IMAGE_SCALE, scaled=scaled)


def _build_cats(name, path, test, seed, scaled=True, images=False) -> Dataset:
    X_tr, Y_tr, X_te, Y_te, classes = _read_cats(path, images, scaled)
    return Dataset(X_tr, Y_tr, X_te, Y_te, 2, name, (64, 64, 3), classes, input_scale=IMAGE_SCALE, scaled=scaled)


def _build_course_2d(name, path, test, seed, scaled=True) -> Dataset:
    return Dataset(*load_course_2d(path), 2, name, feature_names=("x1", "x2"))


def _build_bundled(name: str, path, test, seed, scaled=True) -> Dataset:
    _no_path(name, path)
    if name == "digits":
        X, Y = load_digits(scaled=scaled)
        return _split(name, X, Y, 10, test, seed, image_shape=(8, 8, 1),
                      class_names=tuple(str(d) for d in range(10)),
                      feature_names=tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8)),
                      input_scale=DIGITS_SCALE, scaled=scaled)
    from sklearn.datasets import load_breast_cancer as sk_load_breast_cancer

    X, Y = load_breast_cancer()
    return _split(name, X, Y, 2, test, seed, class_names=("malignant", "benign"),
                  feature_names=tuple(str(f) for f in sk_load_breast_cancer().feature_names))


_GENERATORS = {"flower": make_flower, "moons": make_moons, "circles": make_circles, "spirals": make_spirals,
               "blobs": make_blobs, "xor": make_xor}


def _build_generated(name: str, path, test, seed, scaled=True, **kw) -> Dataset:
    _no_path(name, path)
    rng = make_rng(seed)
    X, Y = _GENERATORS[name](seed=rng, **kw)
    n_classes = kw.get("classes", 2) if name == "spirals" else int(Y.max()) + 1
    return _split(name, X, Y, n_classes, test, rng, class_names=tuple(str(c) for c in range(n_classes)),
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
                         ("images", "download", "cache_dir"), _build_idx),
    "fashion_mnist": DatasetInfo("fashion_mnist", "file",
                                 "Fashion-MNIST 28x28: 60000 train / 10000 test, 10 classes (downloaded)",
                                 ("images", "download", "cache_dir"), _build_idx),
    "cats": DatasetInfo("cats", "file", "the course's cat / non-cat 64x64 RGB: 209 train / 50 test",
                        ("images",), _build_cats),
    "course_2d": DatasetInfo("course_2d", "file", "the course's 2-D regularization set: 211 train / 200 test",
                             (), _build_course_2d),
    **{
        name: DatasetInfo(name, "generated", (gen.__doc__ or "").splitlines()[0], _options(gen), _build_generated)
        for name, gen in _GENERATORS.items()
    },
}


# A file-based set's folder (``Resource.folder``: the layout of the cache and of shared/datasets) names it too.
ALIASES = {r.folder.replace("-", "_"): key for key, r in RESOURCES.items() if r.folder.replace("-", "_") != key}


def canonical_name(name) -> str:
    """The ``DATASETS`` key of a data set name: case and hyphens aside, a folder's name (``catvnoncat``,
    ``regularization-2d``, ``fashion-mnist``) read as its set's (``cats``, ``course_2d``, ``fashion_mnist``)."""
    key = str(name).strip().lower().replace("-", "_")
    return ALIASES.get(key, key)


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
    return info.build(key, path, test, seed, scaled=bool(scaled), **options)
