import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from glassnet import cli


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """`glassnet train` with its defaults (only the output folder chosen), run once for the module."""
    out = tmp_path_factory.mktemp("digits")
    code = cli.main(["train", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_default_train_reaches_97_percent_and_writes_everything(default_run):
    results = json.loads((default_run / "results.json").read_text())
    assert results["test"]["accuracy"] >= 0.97
    for name in ("model.npz", "history.json", "cost.png", "curves.png"):
        assert (default_run / name).stat().st_size > 0
    history = json.loads((default_run / "history.json").read_text())
    assert len(history["records"]["cost"]) == cli.DEFAULTS["epochs"]


def test_evaluate_reloads_to_the_same_accuracy(default_run, capsys):
    code, out, _ = run(capsys, "evaluate", str(default_run / "model.npz"))
    assert code == 0
    results = json.loads((default_run / "results.json").read_text())
    assert f"{100 * results['test']['accuracy']:.2f}%" in out


def test_info(default_run, capsys):
    code, out, _ = run(capsys, "info", str(default_run / "model.npz"))
    assert code == 0
    assert "(128, 64)" in out and "total parameters: 17,226" in out and "Standardizer" in out
    assert "dataset: digits" in out


def test_predict_writes_csv(default_run, tmp_path, capsys):
    from sklearn.datasets import load_digits

    d = load_digits()
    src = tmp_path / "new.npz"
    np.savez(src, X=d.data[:20] / 16)
    dst = tmp_path / "pred.csv"
    code, _, _ = run(capsys, "predict", str(default_run / "model.npz"), "--input", str(src), "--output", str(dst))
    assert code == 0
    rows = list(csv.DictReader(dst.open()))
    assert len(rows) == 20 and {"prediction", "p0", "p9", "class_name"} <= set(rows[0])
    correct = sum(int(r["prediction"]) == t for r, t in zip(rows, d.target[:20], strict=True))
    assert correct >= 18


def test_train_on_a_csv_with_named_label(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    species = np.where(X[:, 0] + X[:, 1] > 0, "setosa", "virginica")
    path = tmp_path / "flowers.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "species", "b", "c"])
        for row, s in zip(X, species, strict=True):
            writer.writerow([row[0], s, row[1], row[2]])
    out = tmp_path / "run"
    code, stdout, _ = run(capsys, "train", "--data", str(path), "--label", "species", "--layers", "8",
                          "--epochs", "60", "--out", str(out), "--quiet")
    assert code == 0, stdout
    assert json.loads((out / "results.json").read_text())["test"]["accuracy"] > 0.9


def test_two_d_data_gets_a_decision_boundary(tmp_path, capsys):
    out = tmp_path / "moons"
    code, _, _ = run(capsys, "train", "--data", "moons", "--layers", "10,5", "--activation", "tanh",
                     "--epochs", "30", "--out", str(out), "--quiet", "--early-stopping", "5")
    assert code == 0
    assert (out / "boundary.png").stat().st_size > 0


@pytest.mark.parametrize("argv,message", [
    (["train", "--activation", "swish", "--epochs", "1"], "unknown activation 'swish'"),
    (["train", "--data", "nope.csv"], "no data file at nope.csv"),
    (["train", "--data", "imagenet"], "unknown data set 'imagenet'"),
    (["train", "--keep-prob", "1.5", "--epochs", "1"], "keep_prob must be a number in (0.0, 1.0]"),
    (["evaluate", "missing.npz"], "no model file at missing.npz"),
])
def test_user_errors_print_one_line_and_exit_2(argv, message, capsys, tmp_path):
    code, _, err = run(capsys, *argv, *(["--out", str(tmp_path)] if argv[0] == "train" else []))
    assert code == 2
    assert err.strip().startswith("glassnet: error:") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_console_script_entry_point():
    result = subprocess.run([sys.executable, "-m", "glassnet.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("glassnet ")


def test_gradcheck_passes_and_fails_with_exit_codes(tmp_path, capsys):
    report = tmp_path / "report.json"
    code, out, _ = run(capsys, "gradcheck", "--layers", "5,3", "--activation", "tanh", "--l2", "0.7",
                       "--examples", "16", "--json", str(report))
    assert code == 0, out
    assert "gradient check passed" in out and "W1" in out
    assert json.loads(report.read_text())["passed"] is True
    # an epsilon far too large: the two-sided difference is no longer the derivative -> exit 1
    code, out, _ = run(capsys, "gradcheck", "--layers", "5", "--activation", "sigmoid", "--epsilon", "0.5",
                       "--examples", "8")
    assert code == 1 and "FAILED" in out


def test_gradcheck_a_saved_model(default_run, capsys):
    # a trained model has tiny gradients, so rounding at ε = 1e-7 matters: use ε = 1e-5
    code, out, _ = run(capsys, "gradcheck", "--model", str(default_run / "model.npz"), "--examples", "8",
                       "--mode", "fast", "--epsilon", "1e-5")
    assert code == 0, out
    assert "mode fast" in out


def test_lab_command(tmp_path, capsys):
    code, out, _ = run(capsys, "lab", "broadcasting", "--out", str(tmp_path))
    assert code == 0
    assert "python中的广播机制" in out and (tmp_path / "results.json").is_file()
    code, _, err = run(capsys, "lab", "nonexistent")
    assert code == 2 and "unknown lab 'nonexistent'" in err


def test_train_on_mnist_with_augmentation(tmp_path, capsys, shared_datasets):
    out = tmp_path / "mnist"
    code, stdout, err = run(capsys, "train", "--data", "mnist", "--data-path", str(shared_datasets), "--limit", "600",
                            "--layers", "32", "--epochs", "2", "--augment", "crop,rotate", "--out", str(out),
                            "--quiet")
    assert code == 0, err
    assert "features 784" in stdout
    results = json.loads((out / "results.json").read_text())
    assert results["test"]["accuracy"] > 0.5  # 600 augmented examples, 2 epochs: well above chance (10 %)
