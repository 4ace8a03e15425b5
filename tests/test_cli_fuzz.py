"""The command line against malformed files and flag values: exit 2, one line on stderr, no traceback,
and no run folder made (every check runs before the first byte is written)."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import cli


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty current folder: `train` without --out would make runs/ here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fails_cleanly(capsys, folder, argv, message=None):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (argv, code, out, err)
    assert err.startswith("glassnet: error: ") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "usage:" not in err
    if message is not None:
        assert message in err, err
    assert not (folder / "runs").exists(), f"{argv} made a run folder"
    return err


def write(folder, name, content):
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


GOOD_CSV = "a,b,label\n" + "".join(f"{i % 5},{(i * 7) % 3},{i % 2}\n" for i in range(40))


@pytest.mark.parametrize("flags,message", [
    (["--optimizer", "adamw"], "invalid choice: 'adamw'"),
    (["--epochs", "-3"], "argument --epochs: epochs must be an integer >= 1, got -3"),
    (["--epochs", "0"], "--epochs"),
    (["--epochs", "2.5"], "--epochs"),
    (["--batch-size", "-1"], "argument --batch-size"),
    (["--learning-rate", "0"], "argument --learning-rate: learning_rate must be a number in (0.0, inf), got 0.0"),
    (["--learning-rate", "nan"], "--learning-rate"),
    (["--learning-rate", "inf"], "--learning-rate"),
    (["--resume", "missing.npz"], "--resume missing.npz: no checkpoint file there"),
    (["--test-fraction", "0"], "argument --test-fraction"),
    (["--test-fraction", "1"], "argument --test-fraction"),
    (["--dev-fraction", "1"], "argument --dev-fraction"),
    (["--dev-fraction", "-0.1"], "argument --dev-fraction"),
    (["--limit", "0"], "argument --limit: limit must be an integer >= 1, got 0"),
    (["--limit", "-5"], "argument --limit: limit must be an integer >= 1, got -5"),
    (["--layers", "abc"], "argument --layers"),
    (["--layers", "0"], "argument --layers"),
    (["--layers", ","], "argument --layers"),
    (["--activation", "swish"], "unknown activation 'swish'"),
    (["--activation", "relu,tanh,relu"], "--activation needs 1 or 2 names"),
    (["--keep-prob", "1.5"], "keep_prob"),
    (["--keep-prob", "x"], "--keep-prob"),
    (["--l2", "-1"], "argument --l2"),
    (["--init-scale", "0"], "argument --init-scale"),
    (["--initializer", "ones"], "invalid choice: 'ones'"),
    (["--schedule", "cosine2"], "invalid choice: 'cosine2'"),
    (["--dtype", "float16"], "invalid choice: 'float16'"),
    (["--augment", "bogus"], "unknown augmentation 'bogus'"),
    (["--early-stopping", "3", "--dev-fraction", "0"], "--early-stopping needs a dev set"),
    (["--early-stopping", "-1"], "argument --early-stopping"),
    (["--checkpoint-every", "0"], "argument --checkpoint-every"),
    (["--data-path", "somewhere"], "reads no files"),
    (["--data", "nope.csv"], "no data file at nope.csv"),
    (["--data", "imagenet"], "unknown data set 'imagenet'"),
    (["--data", "mnist", "--data-path", "no/such/folder"], "--data-path no/such/folder: no such folder"),
    (["--data", "moons", "--augment", "crop"], "--augment works on images"),
    (["--seed", "-1"], "argument --seed"),
])
def test_train_flag_mistakes(flags, message, workdir, capsys):
    fails_cleanly(capsys, workdir, ["train", "--quiet", *flags], message)


def test_out_naming_a_file(workdir, capsys):
    target = write(workdir, "taken", "not a folder")
    fails_cleanly(capsys, workdir, ["train", "--out", target], "is a file")
    fails_cleanly(capsys, workdir, ["train", "--out", f"{target}/run"], "is a file")


def test_resume_from_a_model_instead_of_a_checkpoint(workdir, capsys):
    import glassnet as gn

    gn.save(gn.Network([64, 3, 10], output_activation="softmax"), workdir / "model.npz")
    fails_cleanly(capsys, workdir, ["train", "--resume", str(workdir / "model.npz")], "is a model, not a checkpoint")


def _npz(folder, name, **arrays):
    np.savez(folder / name, **arrays)
    return str(folder / name)


MALFORMED = {
    "latin-1": ("d.csv", "température,y\n1,0\n".encode("latin-1"), "is not UTF-8 text"),
    "binary": ("d.csv", b"\x00\x01\x02\xff" * 20, "is a binary file"),
    "random bytes": ("d.csv", bytes(np.random.default_rng(0).integers(128, 256, 64, dtype=np.uint8)), "UTF-8"),
    "empty": ("d.csv", b"", "is empty"),
    "header only": ("d.csv", b"a,b,label\n", "holds no examples"),
    "ragged": ("d.csv", b"a,b,label\n1,2,0\n1,2\n", "line 3: 2 values, the header has 3"),
    "string feature": ("d.csv", b"a,b,label\n1,x,0\n2,3,1\n", "line 2, column 'b': 'x' is not a number"),
    "only a label": ("d.csv", b"label\n0\n1\n", "no feature columns"),
    "missing label column": ("d.csv", GOOD_CSV.encode(), "no column 'species'"),
    "one class": ("d.csv", b"a,label\n" + b"".join(b"%d,cat\n" % i for i in range(30)), "one class"),
    "too few rows for a test split": ("d.csv", b"a,label\n1,0\n2,1\n", "empty split"),
    "non-finite feature": ("d.csv", GOOD_CSV.replace("0,0,0", "nan,0,0").encode(), "'nan' is a missing value"),
    "corrupt npz": ("d.npz", b"PK\x03\x04 not really a zip", "cannot be read as an .npz"),
    "text file named npz": ("d.npz", b"X,y\n1,2\n", "cannot be read as an .npz"),
    "unknown suffix": ("d.txt.gz", b"1,2", "unknown data set"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_data_files(case, workdir, capsys):
    name, content, message = MALFORMED[case]
    path = write(workdir, name, content)
    label = ["--label", "species"] if case == "missing label column" else []
    fails_cleanly(capsys, workdir, ["train", "--data", path, "--quiet", "--epochs", "1", *label], message)


@pytest.mark.parametrize("arrays,message", [
    ({"y": np.zeros(3)}, "expected X (m, n_x) and y (m,)"),
    ({"X": np.ones((4, 2))}, "has no label array y"),
    ({"X": np.array([["a", "b"]] * 4), "y": np.arange(4)}, "X holds <U1 values, not numbers"),
    ({"X": np.ones((4, 2, 2)), "y": np.arange(4)}, "X must be 2-D"),
    ({"X": np.ones((4, 2)), "y": np.arange(5)}, "X has 4 rows but y has 5"),
    ({"X": np.ones((4, 2)), "y": np.array([{"a": 1}] * 4, dtype=object)}, "no Python objects"),
    ({"X": np.ones((0, 2)), "y": np.zeros(0)}, "holds no examples"),
    ({"X": np.full((40, 2), 1e39), "y": np.arange(40) % 2}, "float32"),
])
def test_malformed_npz(arrays, message, workdir, capsys):
    path = _npz(workdir, "d.npz", **arrays)
    fails_cleanly(capsys, workdir, ["train", "--data", path, "--quiet", "--epochs", "1"], message)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    data = folder / "d.csv"
    data.write_text(GOOD_CSV)
    assert cli.main(["train", "--data", str(data), "--layers", "3", "--epochs", "1", "--out", str(folder / "run"),
                     "--quiet"]) == 0
    return folder / "run" / "model.npz"


@pytest.mark.parametrize("make,message", [
    (lambda d: ["--input", write(d, "x.csv", "a,b\nfoo,1\n")], "'foo' is not a number"),
    (lambda d: ["--input", _npz(d, "x.npz", X=np.array([["a", "b"]]))], "X holds <U1 values, not numbers"),
    (lambda d: ["--input", write(d, "x.csv", "p,q,r\n1,2,3\n")], "the model takes 2"),
    (lambda d: ["--input", write(d, "x.csv", b"\xe9,b\n1,2\n")], "is not UTF-8 text"),
    (lambda d: ["--input", "missing.csv"], "no data file at missing.csv (--input)"),
    (lambda d: ["--input", str(d)], "is a folder"),
    (lambda d: ["--input", write(d, "x.csv", "a,b\n1,2\n"), "--output", str(d)], "--output"),
    (lambda d: ["--input", write(d, "x.csv", "a,b\n1,2\n"), "--output", str(d / "no" / "p.csv")],
     "does not exist"),
    (lambda d: ["--input", write(d, "x.csv", "a,b\n1,2\n"), "--label", "nope"], "no column 'nope'"),
])
def test_predict_mistakes(make, message, small_model, workdir, capsys):
    fails_cleanly(capsys, workdir, ["predict", str(small_model), *make(workdir)], message)


@pytest.mark.parametrize("make,message", [
    (lambda d, m: ["missing.npz"], "no model file at missing.npz"),
    (lambda d, m: [str(m), "--predictions", str(d)], "--predictions"),
    (lambda d, m: [str(m), "--data", "nope.csv"], "no data file at nope.csv (--data)"),
    (lambda d, m: [str(m), "--data", write(d, "other.csv", "a,b,label\n" + "1,2,7\n" * 20)], "not one of the model's"),
    (lambda d, m: [str(m), "--test-fraction", "0"], "argument --test-fraction"),
    (lambda d, m: [str(m), "--split", "dev"], "invalid choice: 'dev'"),
])
def test_evaluate_mistakes(make, message, small_model, workdir, capsys):
    fails_cleanly(capsys, workdir, ["evaluate", *make(workdir, small_model)], message)


def test_random_bytes_as_a_data_file(workdir, capsys):
    """Seeded garbage of every kind: a clean one-line refusal every time (or, rarely, a valid CSV that trains)."""
    rng = np.random.default_rng(13)
    for i in range(30):
        size = int(rng.integers(0, 200))
        content = bytes(rng.integers(0, 256, size, dtype=np.uint8)) if i % 2 else \
            ",".join(rng.choice(["1", "x", "", "nan", "\n", "2.5", '"', "label"], size // 4)).encode()
        path = write(workdir, f"r{i}.csv", content)
        code = cli.main(["train", "--data", path, "--quiet", "--epochs", "1", "--layers", "2",
                         "--out", str(workdir / "runs" / str(i))])
        out, err = capsys.readouterr()
        assert code in (0, 2), err
        if code == 2:
            assert err.startswith("glassnet: error: ") and len(err.strip().splitlines()) == 1, err
            assert not (workdir / "runs" / str(i)).exists()
