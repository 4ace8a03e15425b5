"""Loaders and generators: shapes, dtypes, ranges, class counts, checksums; never the network."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import struct
import urllib.error

import numpy as np
import pytest

from glassnet.data import datasets as ds
from glassnet.data import files
from glassnet.errors import DatasetError, HyperparameterError, ShapeError, UnknownNameError

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to reach the network fails the test (tests that want a fake install their own)."""

    def refuse(url, timeout):
        raise AssertionError(f"a test tried to reach the network: {url}")

    monkeypatch.setattr(files, "_open_url", refuse)


def assert_example_major(X):
    """X (n_x, m) is the transpose view of an example-major array (a mini-batch gather copies whole examples)."""
    assert X.T.flags.c_contiguous


# ------------------------------------------------------------------------------ MNIST


def test_mnist_train(shared_datasets):
    X, Y = ds.load_mnist(shared_datasets / "mnist", split="train")
    assert X.shape == (784, 60000) and X.dtype == np.float32
    assert Y.shape == (1, 60000) and Y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    counts = np.bincount(Y[0])
    assert counts.size == 10 and counts.sum() == 60000
    assert counts.tolist() == MNIST_TRAIN_COUNTS
    assert_example_major(X)



def test_a_limit_reads_the_first_training_images_alone(shared_datasets):
    """limit=N: the first N training examples, the same numbers as the whole split's first N columns, in an array
    of N columns (not a view of all 60 000); the test split stays whole; a limit that is no count is refused."""
    pixels = ds.read_idx(shared_datasets / "mnist" / "train-images-idx3-ubyte.gz")[:300].reshape(300, -1).T
    labels = ds.read_idx(shared_datasets / "mnist" / "train-labels-idx1-ubyte.gz")[:300]
    X_few, Y_few = ds.load_mnist(shared_datasets / "mnist", split="train", limit=300)
    assert X_few.shape == (784, 300) and np.array_equal(X_few, pixels.astype(np.float32) / np.float32(255))
    assert np.array_equal(Y_few[0], labels) and (X_few.base is None or X_few.base.size == 300 * 784)
    d = ds.load("mnist", path=shared_datasets, limit=300, scaled=False)
    assert d.X_train.shape == (784, 300) and d.X_test.shape == (784, 10000)
    assert np.array_equal(d.X_train, pixels)
    for wrong in (0, -1, "300", 2.5):
        with pytest.raises(HyperparameterError, match="limit"):
            ds.load_mnist(shared_datasets / "mnist", limit=wrong)


def test_pixels_picked_before_the_conversion_are_the_loaders_columns(shared_datasets):
    """read_idx_images gives the stored uint8 pixels; images_to_columns of any pick of them is load_mnist's
    columns of those examples, bit for bit and in the same layout (one contiguous image per column)."""
    from glassnet.data.readers import images_to_columns, read_idx_images

    pixels, labels = read_idx_images("mnist", shared_datasets / "mnist", "test")
    assert pixels.shape == (10000, 28, 28) and pixels.dtype == np.uint8 and labels.shape == (10000,)
    X, Y = ds.load_mnist(shared_datasets / "mnist", split="test")
    pick = np.array([3, 17, 9999, 0])
    columns = images_to_columns(pixels[pick])
    assert np.array_equal(columns, X[:, pick]) and columns.flags.f_contiguous
    assert np.array_equal(labels[pick], Y[0, pick])
    with pytest.raises(UnknownNameError, match="split"):
        read_idx_images("mnist", shared_datasets / "mnist", "dev")

def test_mnist_test_split_and_images_layout(shared_datasets):
    X, Y = ds.load_mnist(shared_datasets / "mnist", split="test")
    assert X.shape == (784, 10000) and Y.shape == (1, 10000)
    assert np.bincount(Y[0]).tolist() == MNIST_TEST_COUNTS
    # the parent folder works too, and images=True is the same pixels as (m, 28, 28, 1)
    imgs, Y2 = ds.load_mnist(shared_datasets, split="test", images=True)
    assert imgs.shape == (10000, 28, 28, 1) and imgs.dtype == np.float32
    np.testing.assert_array_equal(imgs.reshape(10000, -1).T, X)
    np.testing.assert_array_equal(Y2, Y)
    # the pixels are byte / 255: every value times 255 is a whole number
    np.testing.assert_allclose(X[:, :50] * 255, np.round(X[:, :50] * 255), atol=1e-4)


def test_mnist_unknown_split(shared_datasets):
    with pytest.raises(UnknownNameError, match="train"):
        ds.load_mnist(shared_datasets / "mnist", split="validation")


def test_fashion_mnist(shared_datasets):
    X, Y = ds.load_fashion_mnist(shared_datasets / "fashion-mnist", split="train")
    assert X.shape == (784, 60000) and X.dtype == np.float32 and Y.dtype == np.int64
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert np.bincount(Y[0]).tolist() == [6000] * 10
    X, Y = ds.load_fashion_mnist(shared_datasets, split="test")
    assert X.shape == (784, 10000) and np.bincount(Y[0]).tolist() == [1000] * 10


def _copy_mnist_test(shared_datasets, dest):
    dest.mkdir(exist_ok=True)
    for name in ds.MNIST_SPLITS["test"]:
        shutil.copyfile(shared_datasets / "mnist" / name, dest / name)
    return dest


def test_corrupted_copy_fails_checksum(shared_datasets, tmp_path):
    folder = _copy_mnist_test(shared_datasets, tmp_path / "mnist")
    target = folder / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    actual = hashlib.sha256(bytes(data)).hexdigest()
    with pytest.raises(DatasetError) as err:
        ds.load_mnist(folder, split="test")
    message = str(err.value)
    assert str(target) in message
    assert ds.RESOURCES["mnist"].files[target.name].sha256 in message and actual in message
    assert "delete" in message


def test_cats_and_course_2d_corrupted(shared_datasets, tmp_path):
    for sub, name, loader in [("catvnoncat", "test_catvnoncat.h5", ds.load_cats),
                              ("regularization-2d", "data.mat", ds.load_course_2d)]:
        folder = tmp_path / sub
        shutil.copytree(shared_datasets / sub, folder, copy_function=shutil.copyfile)
        folder.chmod(0o755)
        data = bytearray((folder / name).read_bytes())
        data[-1] ^= 0x01
        (folder / name).write_bytes(bytes(data))
        with pytest.raises(DatasetError, match="checksum mismatch"):
            loader(folder)


def test_missing_file_offline_says_where_to_put_it(monkeypatch, tmp_path):
    calls = []

    def offline(url, timeout):
        calls.append(url)
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(files, "_open_url", offline)
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path))
    with pytest.raises(DatasetError) as err:
        ds.load_mnist(split="test")
    message = str(err.value)
    folder = tmp_path / "mnist"
    assert str(folder) in message
    assert "t10k-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/" in message
    assert len(calls) == 2 and calls[0].startswith("https://ossci-datasets")  # both mirrors were tried
    assert not any(folder.iterdir())  # nothing half-written left behind


def test_missing_file_without_download(tmp_path):
    with pytest.raises(DatasetError, match="download=False") as err:
        ds.load_fashion_mnist(split="train", download=False, cache_dir=tmp_path)
    assert str(tmp_path / "fashion-mnist") in str(err.value)  # the layout of shared/datasets
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte.gz"):
        ds.load_mnist(tmp_path, split="train")  # an explicit path is never downloaded into
    with pytest.raises(DatasetError, match="train_catvnoncat.h5"):
        ds.load_cats(tmp_path)


class FakeResponse(io.BytesIO):
    headers: dict = {}


def test_download_is_verified_and_atomic(monkeypatch, tmp_path, shared_datasets):
    def serve(url, timeout):
        return FakeResponse((shared_datasets / "mnist" / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(files, "_open_url", serve)
    X, Y = ds.load_mnist(split="test", cache_dir=tmp_path)
    assert X.shape == (784, 10000)
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(ds.MNIST_SPLITS["test"])


def test_corrupt_download_is_refused_and_not_kept(monkeypatch, tmp_path):
    monkeypatch.setattr(files, "_open_url", lambda url, timeout: FakeResponse(b"<html>not the file</html>"))
    with pytest.raises(DatasetError, match="checksum mismatch"):
        ds.load_mnist(split="test", cache_dir=tmp_path)
    assert not any((tmp_path / "mnist").iterdir())


def _write_idx(path, magic_bytes: bytes, dims, payload: bytes):
    with gzip.open(path, "wb") as f:
        f.write(magic_bytes + struct.pack(f">{len(dims)}I", *dims) + payload)


def test_read_idx_parses_and_validates(tmp_path):
    good = tmp_path / "good.gz"
    _write_idx(good, bytes([0, 0, 0x08, 3]), (2, 3, 4), bytes(range(24)))
    a = ds.read_idx(good)
    assert a.shape == (2, 3, 4) and a.dtype == np.uint8 and a[1, 2, 3] == 23
    big = tmp_path / "int32.gz"
    _write_idx(big, bytes([0, 0, 0x0C, 1]), (2,), struct.pack(">2i", 1, -70000))
    assert ds.read_idx(big).tolist() == [1, -70000]  # big-endian
    bad_magic = tmp_path / "bad.gz"
    _write_idx(bad_magic, bytes([1, 2, 0x08, 1]), (3,), b"abc")
    with pytest.raises(DatasetError, match="not an IDX file"):
        ds.read_idx(bad_magic)
    truncated = tmp_path / "short.gz"
    _write_idx(truncated, bytes([0, 0, 0x08, 2]), (10, 10), bytes(99))
    with pytest.raises(DatasetError, match="truncated"):
        ds.read_idx(truncated)
    not_gzip = tmp_path / "plain.gz"
    not_gzip.write_bytes(b"hello")
    with pytest.raises(DatasetError, match="cannot read"):
        ds.read_idx(not_gzip)



def test_read_idx_reads_a_file_once_until_it_changes(tmp_path):
    """A second read of the same file is the same read-only array (no second decompression); a file written
    again (another size or modification time) is read again, and one deleted is an error, not the old array."""
    path = tmp_path / "images.gz"
    _write_idx(path, bytes([0, 0, 0x08, 1]), (3,), bytes([1, 2, 3]))
    first = ds.read_idx(path)
    assert ds.read_idx(path) is first and not first.flags.writeable
    with pytest.raises(ValueError):
        first[0] = 9
    _write_idx(path, bytes([0, 0, 0x08, 1]), (4,), bytes([4, 5, 6, 7]))
    os.utime(path, ns=(0, 10**18))
    assert ds.read_idx(path).tolist() == [4, 5, 6, 7]
    path.unlink()
    with pytest.raises(DatasetError, match="cannot read"):
        ds.read_idx(path)


# ------------------------------------------------------------------------------ the course's files


def test_cats(shared_datasets):
    X_tr, Y_tr, X_te, Y_te = ds.load_cats(shared_datasets / "catvnoncat")
    assert X_tr.shape == (12288, 209) and X_te.shape == (12288, 50)
    assert X_tr.dtype == np.float32 and Y_tr.dtype == np.int64
    assert Y_tr.shape == (1, 209) and Y_te.shape == (1, 50)
    assert 0.0 <= X_tr.min() and X_tr.max() <= 1.0
    assert (int(Y_tr.sum()), int((Y_tr == 0).sum())) == (72, 137)
    assert (int(Y_te.sum()), int((Y_te == 0).sum())) == (33, 17)
    assert Y_tr[0, :10].tolist() == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0]
    assert int(np.round(X_tr * 255).astype(np.int64).sum()) == 264542077
    imgs = ds.load_cats(shared_datasets, images=True)[0]
    assert imgs.shape == (209, 64, 64, 3)
    np.testing.assert_array_equal(imgs.reshape(209, -1).T, X_tr)  # the course's x.reshape(m, -1).T


def test_course_2d(shared_datasets):
    X_tr, Y_tr, X_te, Y_te = ds.load_course_2d(shared_datasets / "regularization-2d" / "data.mat")
    assert X_tr.shape == (2, 211) and X_te.shape == (2, 200) and X_tr.dtype == np.float64
    assert Y_tr.shape == (1, 211) and Y_te.shape == (1, 200) and Y_tr.dtype == np.int64
    assert np.bincount(Y_tr[0]).tolist() == [105, 106]
    assert np.bincount(Y_te[0]).tolist() == [113, 87]
    np.testing.assert_allclose(X_tr[:, 0], [-0.158986, 0.423977], atol=1e-6)


# ------------------------------------------------------------------------------ bundled


def test_digits_and_breast_cancer():
    X, Y = ds.load_digits()
    assert X.shape == (64, 1797) and X.dtype == np.float64 and Y.shape == (1, 1797) and Y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0 and set(np.unique(Y)) == set(range(10))
    X, Y = ds.load_breast_cancer()
    assert X.shape == (30, 569) and Y.shape == (1, 569)
    assert np.bincount(Y[0]).tolist() == [212, 357]
    assert X.max() > 1000  # raw, unscaled features


# ------------------------------------------------------------------------------ generated

GENERATORS = [ds.make_flower, ds.make_moons, ds.make_circles, ds.make_spirals, ds.make_blobs, ds.make_xor]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_generated_deterministic_per_seed(make):
    X1, Y1 = make(n=101, seed=3)
    X2, Y2 = make(n=101, seed=3)
    X3, _ = make(n=101, seed=4)
    assert X1.shape == (2, 101) and X1.dtype == np.float64
    assert Y1.shape == (1, 101) and Y1.dtype == np.int64
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(X1, X3)
    assert np.isfinite(X1).all() and Y1.min() == 0


@pytest.mark.parametrize("make", [ds.make_flower, ds.make_moons, ds.make_circles, ds.make_spirals],
                         ids=lambda f: f.__name__)
def test_generated_balanced(make):
    _, Y = make(n=301, seed=0)
    assert sorted(np.bincount(Y[0]).tolist()) == [150, 151]


def test_generated_shapes_and_options():
    X, Y = ds.make_spirals(n=300, classes=5, seed=0)
    assert np.bincount(Y[0]).tolist() == [60] * 5 and np.abs(X).max() <= 1.0
    X, Y = ds.make_blobs(n=90, centers=np.array([[0.0, 0.0], [10.0, 10.0]]), std=0.1, seed=0)
    np.testing.assert_allclose(X[:, Y[0] == 1].mean(axis=1), [10.0, 10.0], atol=0.1)
    X, _ = ds.make_circles(n=200, noise=0.0, factor=0.5, seed=0)
    assert sorted(np.unique(np.round(np.hypot(X[0], X[1]), 9)).tolist()) == [0.5, 1.0]
    X, Y = ds.make_xor(n=500, noise=0.0, seed=0)
    np.testing.assert_array_equal(Y[0], (X[0] * X[1] < 0).astype(np.int64))
    # shuffle=False keeps the classes in blocks (the course's order)
    _, Y = ds.make_flower(n=10, seed=0, shuffle=False)
    assert Y[0].tolist() == [0] * 5 + [1] * 5


def test_generated_validation():
    with pytest.raises(HyperparameterError, match="noise"):
        ds.make_moons(noise=-1.0)
    with pytest.raises(HyperparameterError, match="factor"):
        ds.make_circles(factor=1.5)
    with pytest.raises(HyperparameterError, match="n must be"):
        ds.make_spirals(n=2, classes=3)
    with pytest.raises(HyperparameterError, match="seed"):
        ds.make_xor(seed=-1)
    with pytest.raises(ShapeError, match="centers"):
        ds.make_blobs(centers=np.zeros((3, 3)))


# ------------------------------------------------------------------------------ the registry


def test_load_registry_generated_and_bundled():
    assert set(ds.DATASETS) == {"digits", "breast_cancer", "mnist", "fashion_mnist", "cats", "course_2d",
                                "flower", "moons", "circles", "spirals", "blobs", "xor"}
    a = ds.load("moons", seed=5, n=200, noise=0.2)
    b = ds.load("moons", seed=5, n=200, noise=0.2)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert a.X_train.shape == (2, 160) and a.X_test.shape == (2, 40) and a.n_classes == 2
    assert ds.load("spirals", seed=0, classes=4).n_classes == 4
    d = ds.load("digits", seed=0, test=0.25)
    assert d.n_classes == 10 and d.image_shape == (8, 8, 1)
    assert d.X_train.shape[1] + d.X_test.shape[1] == 1797
    assert "digits" in repr(d)


def test_load_registry_files(shared_datasets):
    d = ds.load("cats", path=shared_datasets)
    assert d.image_shape == (64, 64, 3) and d.class_names == ("non-cat", "cat") and d.n_x == 12288
    images = ds.load("cats", path=shared_datasets, images=True)
    assert images.X_train.shape == (209, 64, 64, 3) and images.n_x == 12288
    d = ds.load("course-2d", path=shared_datasets)
    assert d.X_train.shape == (2, 211) and d.X_test.shape == (2, 200)


def test_the_folder_names_of_the_file_based_sets_are_their_names_too(shared_datasets):
    """README and the cache name the folders fashion-mnist/, catvnoncat/, regularization-2d/; --data took only
    fashion_mnist, cats, course_2d. Both spellings name the set now, and `glassnet data` shows the folder."""
    for folder, key in (("fashion-mnist", "fashion_mnist"), ("catvnoncat", "cats"),
                        ("regularization-2d", "course_2d"), ("Regularization_2D", "course_2d"), ("mnist", "mnist")):
        assert ds.canonical_name(folder) == key and (shared_datasets / ds.RESOURCES[key].folder).is_dir()
        assert ds.canonical_name(key) == key
    d = ds.load("regularization-2d", path=shared_datasets)
    assert d.name == "course_2d" and d.X_train.shape == (2, 211)
    assert ds.load("catvnoncat", path=shared_datasets).name == "cats"
    assert ds.locate("catvnoncat", shared_datasets).name == "catvnoncat"
    lines = {line.split()[0]: line for line in ds.listing()}
    assert list(lines) == list(ds.DATASETS)
    for key in ("fashion_mnist", "cats", "course_2d"):
        folder = ds.RESOURCES[key].folder
        assert f"folder {folder}/ (--data {folder} works too)" in lines[key]
    assert lines["mnist"].endswith("folder mnist/")


def test_load_registry_errors():
    with pytest.raises(UnknownNameError, match="moons"):
        ds.load("moon")
    with pytest.raises(HyperparameterError, match="options are: n, noise"):
        ds.load("moons", colour="red")
    with pytest.raises(HyperparameterError, match="reads no files"):
        ds.load("xor", path="/tmp")


# ------------------------------------------------------------------------------ fixed scaling and the cache layout


def test_raw_features_and_the_fixed_scaling_they_need(shared_datasets):
    X16, Y = ds.load_digits()
    raw, Y_raw = ds.load_digits(scaled=False)
    assert raw.max() == 16.0 and np.array_equal(raw / ds.DIGITS_SCALE, X16) and np.array_equal(Y, Y_raw)
    scaled = ds.load("digits", seed=0)
    unscaled = ds.load("digits", seed=0, scaled=False)
    assert scaled.input_scale == unscaled.input_scale == 16.0 and scaled.scaled and not unscaled.scaled
    assert np.array_equal(unscaled.X_test / 16.0, scaled.X_test)  # the same split, raw values
    assert unscaled.feature_names[:2] == ("pixel_0_0", "pixel_0_1") and len(unscaled.feature_names) == 64
    mnist = ds.load("mnist", path=shared_datasets, scaled=False, download=False, limit=10)  # the test split whole
    assert mnist.input_scale == 255.0 and mnist.X_test.dtype == np.float32 and mnist.X_test.max() == 255.0
    # the network's own division gives the loader's numbers bit for bit
    scaled_test, _ = ds.load_mnist(shared_datasets, split="test")
    assert np.array_equal(mnist.X_test / np.float32(255.0), scaled_test)
    assert ds.load("moons", seed=0).input_scale is None


def test_the_cache_root_reads_the_shared_layout(monkeypatch, shared_datasets):
    """GLASSNET_DATA pointing at a folder laid out like shared/datasets (regularization-2d/, fashion-mnist/,
    catvnoncat/) finds every set without path=."""
    monkeypatch.setenv("GLASSNET_DATA", str(shared_datasets))
    X_tr, _, _, _ = ds.load_course_2d()
    assert X_tr.shape == (2, 211)
    assert ds.load_cats()[0].shape == (12288, 209)
    assert ds.load_fashion_mnist(split="test", download=False)[0].shape == (784, 10000)


def test_the_cache_root_still_reads_the_older_names(monkeypatch, tmp_path, shared_datasets):
    old = tmp_path / "course_2d"
    old.mkdir()
    shutil.copyfile(shared_datasets / "regularization-2d" / "data.mat", old / "data.mat")
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path))
    assert ds.load_course_2d()[0].shape == (2, 211)
