import json
import os
import zipfile

import numpy as np
import pytest

import glassnet as gn
from glassnet import io


def trained(dtype="float64", normalize=False, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((5, 80)) * 10 + 3
    Y = rng.integers(0, 3, (1, 80))
    net = gn.Network([5, 7, 3], output_activation="softmax", keep_prob=[1.0, 0.9], l2=0.1,
                     dtype=dtype, seed=seed, activations=[gn.LeakyReLU(0.05), "softmax"])
    net.fit(X, Y, epochs=3, batch_size=16, normalize=normalize, seed=0)
    return net, X, Y


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_load_gives_identical_predictions(tmp_path, dtype):
    net, X, _ = trained(dtype)
    path = gn.save(net, tmp_path / "model.npz", dataset="synthetic")
    loaded = gn.load(path)
    assert loaded.config() == net.config()
    assert loaded.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded.parameters_to_vector(), net.parameters_to_vector())
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))  # bit for bit
    assert loaded.activations[0].alpha == 0.05
    meta = gn.load_metadata(path)
    assert meta["format_version"] == io.FORMAT_VERSION and meta["extra"] == {"dataset": "synthetic"}
    # the file is a plain npz readable without pickle
    with np.load(path, allow_pickle=False) as content:
        assert {"W1", "b1", "W2", "b2", "__metadata__"} <= set(content.files)


def test_truncated_file_is_refused(tmp_path):
    net, _, _ = trained()
    path = gn.save(net, tmp_path / "model.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(gn.ModelFileError, match="corrupt, truncated"):
        gn.load(path)


def test_tampered_file_is_refused(tmp_path):
    net, _, _ = trained()
    path = gn.save(net, tmp_path / "model.npz")
    # rewrite W1 with other values, keeping a valid zip (so only our checksum can tell)
    with np.load(path, allow_pickle=False) as content:
        arrays = {k: content[k] for k in content.files}
    arrays["W1"] = arrays["W1"] + 1.0
    np.savez(path, **arrays)
    with pytest.raises(gn.ModelFileError, match="W1.*checksum"):
        gn.load(path)
    # and one flipped byte in the raw file
    path2 = gn.save(net, tmp_path / "model2.npz")
    raw = bytearray(path2.read_bytes())
    raw[200] ^= 0xFF
    path2.write_bytes(bytes(raw))
    with pytest.raises(gn.ModelFileError):
        gn.load(path2)


def test_foreign_and_newer_files_are_refused(tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.zeros(3))
    with pytest.raises(gn.ModelFileError, match="not a glassnet model"):
        gn.load(foreign)
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(gn.ModelFileError, match="cannot be read"):
        gn.load(text)
    with pytest.raises(gn.ModelFileError, match="no model file"):
        gn.load(tmp_path / "missing.npz")
    net, _, _ = trained()
    path = gn.save(net, tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as content:
        arrays = {k: content[k] for k in content.files}
    meta = json.loads(arrays["__metadata__"].tobytes())
    meta["format_version"] = io.FORMAT_VERSION + 1
    arrays["__metadata__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(gn.ModelFileError, match="newer than this glassnet"):
        gn.load(path)


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    net, X, _ = trained()
    path = gn.save(net, tmp_path / "model.npz")
    before = path.read_bytes()
    net.params["W1"] = net.params["W1"] * 2

    def crash(src, dst):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        gn.save(net, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary left behind
    assert zipfile.is_zipfile(path)


def test_resume_from_checkpoint_matches_an_uninterrupted_run(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 100))
    Y = (X[:1] + X[1:2] > 0).astype(int)
    Xd = rng.standard_normal((6, 40))
    Yd = (Xd[:1] + Xd[1:2] > 0).astype(int)

    def new_net():
        return gn.Network([6, 8, 1], keep_prob=0.8, seed=1, dtype="float64")

    kwargs = {"batch_size": 16, "optimizer": "adam", "learning_rate": 0.01, "X_dev": Xd, "Y_dev": Yd,
              "seed": 2, "normalize": True}
    full = new_net()
    h_full = full.fit(X, Y, epochs=6, **kwargs)

    first = new_net()
    first.fit(X, Y, epochs=3, checkpoint_dir=tmp_path, checkpoint_every=1, **kwargs)
    assert (tmp_path / "checkpoint-epoch0003.npz").is_file() and (tmp_path / "checkpoint-last.npz").is_file()
    resumed = new_net()
    h_resumed = resumed.fit(X, Y, epochs=6, resume_from=tmp_path / "checkpoint-epoch0003.npz", **kwargs)
    np.testing.assert_array_equal(resumed.parameters_to_vector(), full.parameters_to_vector())
    assert h_resumed["cost"] == h_full["cost"] and len(h_resumed) == 6
    # a checkpoint also loads as a model
    np.testing.assert_array_equal(gn.load(tmp_path / "checkpoint-epoch0003.npz").parameters_to_vector(),
                                  first.parameters_to_vector())


def test_resume_refuses_another_architecture(tmp_path):
    X = np.random.default_rng(0).standard_normal((6, 20))
    Y = (X[:1] > 0).astype(int)
    gn.Network([6, 8, 1], seed=1).fit(X, Y, epochs=1, checkpoint_dir=tmp_path, checkpoint_every=1)
    with pytest.raises(gn.ModelFileError, match="differs from the one being trained"):
        gn.Network([6, 9, 1]).fit(X, Y, epochs=2, resume_from=tmp_path / "checkpoint-last.npz")


def test_best_checkpoint_with_early_stopping(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 60))
    Y = (X[:1] > 0).astype(int)
    net = gn.Network([6, 8, 1], seed=1)
    history = net.fit(X, Y, epochs=5, X_dev=X, Y_dev=Y, early_stopping=gn.EarlyStopping(patience=10),
                      checkpoint_dir=tmp_path)
    best = gn.load(tmp_path / "checkpoint-best.npz")
    assert gn.load_metadata(tmp_path / "checkpoint-best.npz")["history"]["records"]["epoch"][-1] == history.best_epoch
    np.testing.assert_array_equal(best.parameters_to_vector(), net.parameters_to_vector())
