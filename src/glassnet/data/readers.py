"""Reading the stored sets: scikit-learn's bundled ones, MNIST and Fashion-MNIST's IDX files, the course's files.

Each reader checks what it reads (magic numbers, dimensions, keys, shapes) and hands out X in the
notes' layout (n_x, m), the transpose view of example-major storage, with Y (1, m) int64. Pixels
are divided by ``IMAGE_SCALE`` and digits by ``DIGITS_SCALE`` unless ``scaled=False``.
"""

from __future__ import annotations

import functools
import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import DatasetError, unknown_name
from ..validation import check_int
from .files import locate

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


MNIST_SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


# ---------------------------------------------------------------------------------------------
# IDX (MNIST, Fashion-MNIST)
# ---------------------------------------------------------------------------------------------

_IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """An IDX file (gzip'd if its name ends in .gz) as a read-only array of the shape its header declares.

    Header: two zero bytes, a type byte (0x08 = uint8, ...), a byte with the number of dimensions
    d, then d big-endian uint32 sizes; then the values in row-major order, big-endian.
    The last few files read are kept, by path, size and modification time: loading MNIST again in the
    same process (a notebook cell run twice, a sweep's trials) does not decompress 47 MB again.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    return _read_idx_once(path.absolute(), stat.st_size, stat.st_mtime_ns)


def _unreadable(path: Path, exc: Exception) -> DatasetError:
    return DatasetError(f"cannot read {path} as a (gzip'd) IDX file: {exc}; delete it and get it again")


@functools.lru_cache(maxsize=4)
def _read_idx_once(path: Path, size: int, mtime_ns: int) -> np.ndarray:
    """``read_idx``'s work, once per (path, size, modification time); the array is read-only, so sharing it is safe."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                data = f.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise _unreadable(path, exc) from exc
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


def images_to_columns(images: np.ndarray, as_images: bool = False, scaled: bool = True):
    """uint8 images (m, H, W[, C]) -> float32 in [0, 1] (raw 0..255 unless ``scaled``):
    (m, H, W, C) if as_images else (H*W*C, m), one image per column."""
    m = images.shape[0]
    out = images.astype(np.float32)
    if scaled:
        np.divide(out, np.float32(IMAGE_SCALE), out=out)
    if as_images:
        return out.reshape(images.shape if images.ndim == 4 else (*images.shape, 1))
    return out.reshape(m, -1).T


def read_idx_images(name: str, path=None, split: str = "train", download: bool = True, cache_dir=None):
    """The pixels of MNIST or Fashion-MNIST (``name``) as stored: uint8 images (m, 28, 28) and labels (m,),
    checked, read-only. For picking examples before converting them (``images_to_columns``): 500 random
    images of the 60 000 are 1.5 MB of float32 instead of 188. Folder and download as in ``load_mnist``."""
    if split not in MNIST_SPLITS:
        raise unknown_name("split", split, list(MNIST_SPLITS))
    files = MNIST_SPLITS[split]
    return _read_idx_pair(locate(name, path, download=download, cache_dir=cache_dir, files=files), *files)


def _load_idx_set(name: str, path, split: str, images: bool, download: bool, cache_dir, scaled: bool = True,
                  limit: int | None = None):
    if limit is not None:
        limit = check_int(limit, "limit", hint="the number of examples to keep, or None for all")
    imgs, labs = read_idx_images(name, path, split, download, cache_dir)
    imgs, labs = imgs[:limit], labs[:limit]  # before the conversion: 2 000 images are 6 MB of float32, 60 000 are 188
    return images_to_columns(imgs, images, scaled), labs.astype(np.int64).reshape(1, -1)


def load_mnist(path=None, split: str = "train", images: bool = False, download: bool = True, cache_dir=None,
               scaled: bool = True, limit: int | None = None):
    """MNIST handwritten digits from the original gzip'd IDX files: X, Y for ``split`` "train" or "test".

    X (784, m) float32 = pixel / 255 in [0, 1] (``scaled=False``: the raw pixels 0..255),
    row index = row * 28 + col (``images=True``: (m, 28, 28, 1) float32 instead); Y (1, m) int64
    in 0..9; m = 60000 (train) or 10000 (test), or the first ``limit`` of them. ``path``: a folder
    holding the four files (never downloaded into); ``path=None``: the cache folder
    ``$GLASSNET_DATA/mnist`` (default ``~/.cache/glassnet/mnist``, or ``cache_dir/mnist``),
    downloaded there on first use when ``download`` is true. Files are sha256-checked on every load.
    """
    return _load_idx_set("mnist", path, split, images, download, cache_dir, scaled, limit)


def load_fashion_mnist(path=None, split: str = "train", images: bool = False, download: bool = True,
                       cache_dir=None, scaled: bool = True, limit: int | None = None):
    """Fashion-MNIST (Zalando) from the original gzip'd IDX files: X, Y for ``split`` "train" or "test".

    Same layout, scaling, ``limit`` and caching as ``load_mnist`` (cache folder ``<root>/fashion-mnist``);
    labels 0..9 are ``FASHION_MNIST_CLASSES``.
    """
    return _load_idx_set("fashion_mnist", path, split, images, download, cache_dir, scaled, limit)


# ---------------------------------------------------------------------------------------------
# The course's files
# ---------------------------------------------------------------------------------------------


def read_cats(path, images: bool, scaled: bool = True):
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
        out += [images_to_columns(x, images, scaled), y.astype(np.int64).reshape(1, -1)]
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
    return read_cats(path, images, scaled)[:4]


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
