import json
import os
import stat
import time
import zipfile

import numpy as np
import pytest

import glassnet as gn
from glassnet import atomic, io, modelfile


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
    # a run of 6 epochs (cosine over the 6) cut after epoch 3 and resumed: the same run, number for number
    full = new_net()
    h_full = full.fit(X, Y, epochs=6, checkpoint_dir=tmp_path / "cut", checkpoint_every=1, **kwargs)
    resumed = new_net()
    h_resumed = resumed.fit(X, Y, epochs=6, resume_from=tmp_path / "cut" / "checkpoint-epoch0003.npz", **kwargs)
    np.testing.assert_array_equal(resumed.parameters_to_vector(), full.parameters_to_vector())
    assert h_resumed["cost"] == h_full["cost"] and len(h_resumed) == 6
    assert h_resumed["learning_rate"] == h_full["learning_rate"]

    # a finished run of 3 epochs continued to 6 with a constant rate: the same as 6 at once
    constant = {**kwargs, "schedule": "constant"}
    whole = new_net()
    h_whole = whole.fit(X, Y, epochs=6, **constant)
    first = new_net()
    first.fit(X, Y, epochs=3, checkpoint_dir=tmp_path, checkpoint_every=1, **constant)
    assert (tmp_path / "checkpoint-epoch0003.npz").is_file() and (tmp_path / "checkpoint-last.npz").is_file()
    continued = new_net()
    h_continued = continued.fit(X, Y, epochs=6, resume_from=tmp_path / "checkpoint-epoch0003.npz", **constant)
    np.testing.assert_array_equal(continued.parameters_to_vector(), whole.parameters_to_vector())
    assert h_continued["cost"] == h_whole["cost"]
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


# ---------------------------------------------------------------- files that are not valid models (issue 13)


def arrays_of(path):
    with np.load(path, allow_pickle=False) as content:
        return {k: content[k] for k in content.files}


def write_consistent(path, arrays, meta):
    """A file whose checksums all agree with its content: only the content itself can be wrong."""
    arrays = dict(arrays)
    arrays.pop("__metadata__", None)
    meta = {**meta, "arrays": {k: modelfile._digest(v) for k, v in arrays.items()}}
    meta[io.CHECKSUM_KEY] = modelfile._metadata_digest(meta)
    np.savez(path, **arrays, __metadata__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def metadata_of(path):
    return json.loads(arrays_of(path)["__metadata__"].tobytes())


def test_a_npy_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "weights.npy"
    np.save(path, np.zeros((3, 3)))
    with pytest.raises(gn.ModelFileError, match=r"weights.npy is a single .npy array"):
        gn.load(path)


@pytest.mark.parametrize("bad", [None, 3, ""])
def test_a_path_that_is_not_a_path_is_refused(bad):
    with pytest.raises(gn.ModelFileError, match="path"):
        gn.load(bad)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(gn.ModelFileError, match="is a folder"):
        gn.load(tmp_path)


@pytest.mark.parametrize("payload,kind", [(b"null", "null"), (b"[1, 2]", "an array"), (b'"model"', "a string")])
def test_metadata_that_is_not_a_json_object_is_refused(tmp_path, payload, kind):
    path = tmp_path / "odd.npz"
    np.savez(path, W1=np.zeros((2, 2)), __metadata__=np.frombuffer(payload, dtype=np.uint8))
    with pytest.raises(gn.ModelFileError, match=f"odd.npz is not a glassnet model file: its metadata is JSON {kind}"):
        gn.load(path)


def test_a_normalizer_with_missing_arrays_is_refused(tmp_path):
    net, _, _ = trained(normalize=True)
    path = gn.save(net, tmp_path / "model.npz")
    arrays, meta = arrays_of(path), metadata_of(path)
    del arrays["normalizer.mu"]
    write_consistent(path, arrays, meta)
    with pytest.raises(gn.ModelFileError, match=r"model.npz.*normalizer.mu"):
        gn.load(path)


def test_an_architecture_that_disagrees_with_the_arrays_is_refused_before_building_it(tmp_path):
    net, _, _ = trained()
    path = gn.save(net, tmp_path / "model.npz")
    meta = metadata_of(path)
    meta["network"]["layer_dims"] = [10**6, 10**6, 3]  # would allocate terabytes if believed
    write_consistent(path, arrays_of(path), meta)
    with pytest.raises(gn.ModelFileError, match="does not match its arrays"):
        gn.load(path)


def _forge_header(path, name, shape):
    """Rewrite one array's .npy header in the zip to declare ``shape``, keeping its few real bytes."""
    with zipfile.ZipFile(path) as zf:
        entries = {info.filename: zf.read(info) for info in zf.infolist()}
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 1)))
    header["shape"] = shape
    buffer = __import__("io").BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    entries[f"{name}.npy"] = buffer.getvalue() + b"\0" * 64
    with zipfile.ZipFile(path, "w") as zf:
        for entry, data in entries.items():
            zf.writestr(entry, data)


def test_an_array_header_declaring_35_pib_is_refused_before_reading(tmp_path):
    net, _, _ = trained()
    path = gn.save(net, tmp_path / "model.npz")
    _forge_header(path, "W1", (2**52,))  # 2**52 float64 values: 32 PiB... of a 64-byte entry
    with pytest.raises(gn.ModelFileError, match=r"model.npz: array 'W1' declares shape \(4503599627370496,\)"):
        gn.load(path)


def test_an_array_header_declaring_more_than_its_bytes_is_refused(tmp_path):
    net, _, _ = trained()
    path = gn.save(net, tmp_path / "model.npz")
    _forge_header(path, "b1", (7, 1))
    with pytest.raises(gn.ModelFileError, match="corrupt or forged"):
        gn.load(path)


def test_a_zip_with_other_entries_is_refused(tmp_path):
    path = tmp_path / "archive.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(gn.ModelFileError, match="archive.npz is a zip archive but not a glassnet model"):
        gn.load(path)


def test_a_checkpoint_naming_an_unknown_bit_generator_is_refused(tmp_path):
    X = np.random.default_rng(0).standard_normal((6, 20))
    Y = (X[:1] > 0).astype(int)
    gn.Network([6, 8, 1], seed=1).fit(X, Y, epochs=1, checkpoint_dir=tmp_path, checkpoint_every=1)
    path = tmp_path / "checkpoint-last.npz"
    meta = metadata_of(path)
    meta["rng"]["network"]["bit_generator"] = "seed"  # np.random.seed: not a generator class
    write_consistent(path, arrays_of(path), meta)
    with pytest.raises(gn.ModelFileError, match="unknown bit generator 'seed'"):
        gn.Network([6, 8, 1], seed=1).fit(X, Y, epochs=2, resume_from=path)


def test_a_format_1_file_still_loads(tmp_path):
    net, X, _ = trained()
    path = gn.save(net, tmp_path / "model.npz")
    arrays, meta = arrays_of(path), metadata_of(path)
    meta["format_version"] = 1
    del meta[io.CHECKSUM_KEY]
    arrays["__metadata__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    np.testing.assert_array_equal(gn.load(path).predict_proba(X), net.predict_proba(X))


# ---------------------------------------------------------------- saves that leave nothing behind


def test_save_refuses_a_folder_and_what_json_cannot_hold(tmp_path):
    net, _, _ = trained()
    with pytest.raises(gn.ModelFileError, match="is a folder"):
        gn.save(net, tmp_path)
    with pytest.raises(TypeError, match="JSON-serializable"):
        gn.save(net, tmp_path / "model.npz", when=object())
    (tmp_path / "file").write_text("x")
    with pytest.raises(gn.ModelFileError, match="cannot be created"):
        gn.save(net, tmp_path / "file" / "model.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("name", ["model.npz", "history.json"])
def test_the_next_save_removes_temp_files_of_killed_saves_only(tmp_path, name):
    # every file glassnet writes goes through glassnet.atomic: a model, and a side file such as history.json
    net, _, _ = trained()
    target = tmp_path / name
    host = atomic.host_tag()
    dead = subprocess_pid_that_exited()
    stale = tmp_path / f".{name}.{host}-{dead}.abcd1234.tmp"
    live = tmp_path / f".{name}.{host}-{os.getppid()}.abcd1234.tmp"  # a writer still running
    legacy = tmp_path / f".{name}.k3j_x9q1.tmp"  # an older glassnet's name, two days old
    other = tmp_path / ".other.npz.k3j_x9q1.tmp"  # another target's
    for p in (stale, live, legacy, other):
        p.write_bytes(b"partial")
    os.utime(legacy, (time.time() - 2 * 86400,) * 2)
    os.utime(other, (time.time() - 2 * 86400,) * 2)
    if name == "model.npz":
        gn.save(net, target)
    else:
        gn.History().save_json(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, live.name, other.name])


def subprocess_pid_that_exited() -> int:
    import subprocess
    import sys

    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(child.stdout)


def test_a_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_mode(tmp_path):
    net, _, _ = trained()
    old = os.umask(0o022)
    try:
        path = gn.save(net, tmp_path / "model.npz")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.chmod(path, 0o640)
        gn.save(net, path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        os.umask(0o077)
        assert stat.S_IMODE(gn.save(net, tmp_path / "private.npz").stat().st_mode) == 0o600
    finally:
        os.umask(old)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_saves_killed_at_random_moments_never_leave_the_target_unloadable(tmp_path):
    """20 processes save an 8 MB model over and over and are killed (SIGKILL) at a random moment each;
    after every kill the target loads, as the old or the new model, and the next save leaves no temp file."""
    import signal

    net = gn.Network([1000, 2000, 1], seed=0)  # 2 million float32 parameters: 8 MB
    versions = [net.parameters_to_vector()]
    net.params["b2"] = np.ones((1, 1))
    versions.append(net.parameters_to_vector())
    target = gn.save(net, tmp_path / "model.npz")
    rng = np.random.default_rng(0)
    left_behind = 0
    for kill in range(20):
        pid = os.fork()
        if pid == 0:  # the child: save both versions in turn until killed
            try:
                for i in range(10**6):
                    net.vector_to_parameters(versions[i % 2])
                    gn.save(net, target, i=i)
            finally:
                os._exit(0)
        time.sleep(float(rng.uniform(0.0, 0.12)))  # a save of 8 MB takes about 30 ms: a few saves per kill
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        left_behind += sum(1 for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        theta = gn.load(target).parameters_to_vector()  # never a broken file
        assert any(np.array_equal(theta, v) for v in versions), f"kill {kill}: the target holds neither version"
    gn.save(net, target)
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    print(f"temp files found after the kills (each removed by the next save): {left_behind}")
