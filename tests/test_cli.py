import argparse
import csv
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import cli


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path, header, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_column(path, name="prediction"):
    return [row[name] for row in csv.DictReader(path.open())]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """`glassnet train` with its defaults (only the output folder chosen), run once for the module."""
    out = tmp_path_factory.mktemp("digits")
    code = cli.main(["train", "--out", str(out), "--quiet"])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def species_csv(tmp_path_factory):
    """A CSV with string labels in the second column (two classes by a line, one by a third feature)."""
    folder = tmp_path_factory.mktemp("species")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((240, 3))
    species = np.where(X[:, 2] > 0.8, "versicolor", np.where(X[:, 0] + X[:, 1] > 0, "setosa", "virginica"))
    return write_csv(folder / "flowers.csv", ["a", "species", "b", "c"],
                     [[r[0], s, r[1], r[2]] for r, s in zip(X, species, strict=True)])


@pytest.fixture(scope="module")
def species_run(species_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("species-run")
    code = cli.main(["train", "--data", str(species_csv), "--label", "species", "--layers", "16", "--epochs", "60",
                     "--batch-size", "16", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_default_train_reaches_97_percent_and_writes_everything(default_run):
    results = json.loads((default_run / "results.json").read_text())
    assert results["test"]["accuracy"] >= 0.97
    for name in ("model.npz", "history.json", "cost.png", "curves.png"):
        assert (default_run / name).stat().st_size > 0
    history = json.loads((default_run / "history.json").read_text())
    m_train = json.loads((default_run / "results.json").read_text())["data"]["m_train"]
    m_fit = m_train - round(0.1 * m_train)  # less the dev split
    assert len(history["records"]["cost"]) == gn.defaults.epochs_for(m_fit, 128) > gn.defaults.EPOCHS


def test_results_json_holds_the_configuration_and_the_seeds(default_run):
    results = json.loads((default_run / "results.json").read_text())
    config = results["config"]
    assert config["flags"]["epochs"] is None and config["flags"]["seed"] == 0
    epochs = config["epochs"]
    assert config["layer_dims"] == [64, 256, 128, 10] and config["input_scale"] == 16.0
    assert config["normalize"] is False and config["learning_rate"] == 0.002 and config["batch_size"] == 128
    assert set(results["seeds"]) >= {"seed", "test_split", "dev_split", "initialization", "mini_batch_order"}
    training = results["training"]
    assert training["stop_reason"] == f"completed {epochs} epochs"
    assert training["weights_epoch"] == epochs
    assert results["data"]["name"] == "digits" and results["data"]["kind"] == "built-in"


def test_evaluate_reloads_to_the_same_accuracy(default_run, capsys):
    code, out, _ = run(capsys, "evaluate", str(default_run / "model.npz"))
    assert code == 0
    results = json.loads((default_run / "results.json").read_text())
    assert f"{100 * results['test']['accuracy']:.2f}%" in out
    assert "data: digits" in out


def test_info(default_run, capsys):
    code, out, _ = run(capsys, "info", str(default_run / "model.npz"))
    assert code == 0
    assert "(256, 64)" in out and "total parameters: 50,826" in out
    assert "dataset: digits" in out and "input: 64 raw features / 16" in out
    assert "classes (10): 0, 1, 2" in out and "features (64): pixel_0_0, pixel_0_1" in out


def test_predict_takes_raw_features_and_matches_evaluate_exactly(default_run, tmp_path, capsys):
    """Trained on the built-in digits; rows of raw pixel values (0..16, as scikit-learn and a user have them)
    predicted from a CSV with and without the label column give exactly evaluate's predictions."""
    model = str(default_run / "model.npz")
    code, out, _ = run(capsys, "evaluate", model, "--predictions", str(tmp_path / "evaluate.csv"))
    assert code == 0
    raw = gn.load_dataset("digits", seed=0, scaled=False)  # the split train made, in raw values
    assert raw.X_test.max() == 16.0 and np.array_equal(raw.X_test, np.round(raw.X_test))
    names = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    X, y = raw.X_test.T.astype(int), raw.Y_test[0]
    with_label = write_csv(tmp_path / "with.csv", [*names, "label"], [[*row, t] for row, t in zip(X, y, strict=True)])
    without = write_csv(tmp_path / "without.csv", names, X.tolist())
    expected = read_column(tmp_path / "evaluate.csv")
    code, _, err = run(capsys, "predict", model, "--input", str(with_label), "--output", str(tmp_path / "p1.csv"))
    assert code == 0, err
    code, stdout, err = run(capsys, "predict", model, "--input", str(without), "--output", str(tmp_path / "p2.csv"))
    assert code == 0, err
    assert read_column(tmp_path / "p1.csv") == expected == read_column(tmp_path / "p2.csv")
    assert (tmp_path / "p1.csv").read_text() == (tmp_path / "evaluate.csv").read_text()  # probabilities too
    accuracy = json.loads((default_run / "results.json").read_text())["test"]["accuracy"]
    code, out, _ = run(capsys, "predict", model, "--input", str(with_label), "--output", str(tmp_path / "p3.csv"))
    assert f"accuracy {100 * accuracy:.2f}%" in out and "'label'" in out


def test_the_first_rows_of_scikit_learns_digits(default_run, tmp_path, capsys):
    """The issue's case: the first 8 raw rows of load_digits, 3 of 8 wrong before the model kept its scaling."""
    from sklearn.datasets import load_digits

    d = load_digits()
    src = tmp_path / "new.npz"
    np.savez(src, X=d.data[:20])
    code, out, _ = run(capsys, "predict", str(default_run / "model.npz"), "--input", str(src))
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert {"prediction", "p_0", "p_9"} <= set(rows[0])
    assert sum(r["prediction"] == str(t) for r, t in zip(rows[:8], range(8), strict=True)) >= 7
    assert sum(r["prediction"] == str(t) for r, t in zip(rows, d.target[:20], strict=True)) >= 18
    assert np.array_equal(gn.load(default_run / "model.npz").predict(d.data[:20].T)[0].astype(str),
                          [r["prediction"] for r in rows])


def test_string_labels_come_back_as_strings(species_run, species_csv, tmp_path, capsys):
    model = str(species_run / "model.npz")
    code, out, _ = run(capsys, "info", model)
    assert "classes (3): setosa, versicolor, virginica" in out and "features (3): a, b, c" in out
    assert json.loads((species_run / "results.json").read_text())["test"]["accuracy"] > 0.85
    code, out, _ = run(capsys, "evaluate", model, "--split", "all", "--predictions", str(tmp_path / "all.csv"))
    assert code == 0 and "the training file" in out and "240 examples" in out
    rows = list(csv.reader(species_csv.open()))
    without = write_csv(tmp_path / "nolabel.csv", ["c", "a", "b"], [[r[3], r[0], r[2]] for r in rows[1:]])  # reordered
    code, _, err = run(capsys, "predict", model, "--input", str(species_csv), "--output", str(tmp_path / "p1.csv"))
    assert code == 0, err
    code, _, err = run(capsys, "predict", model, "--input", str(without), "--output", str(tmp_path / "p2.csv"))
    assert code == 2 and "--columns-by-name" in err  # another order: refused unless asked for
    code, _, err = run(capsys, "predict", model, "--input", str(without), "--output", str(tmp_path / "p2.csv"),
                       "--columns-by-name")
    assert code == 0, err
    expected = read_column(tmp_path / "all.csv")
    assert read_column(tmp_path / "p1.csv") == expected == read_column(tmp_path / "p2.csv")
    assert set(expected) <= {"setosa", "versicolor", "virginica"}
    assert list(csv.DictReader((tmp_path / "p1.csv").open()))[0].keys() == {
        "prediction", "p_setosa", "p_versicolor", "p_virginica"}


def test_evaluate_finds_the_training_file_from_anywhere_and_refuses_a_changed_one(tmp_path, monkeypatch, capsys):
    """Issue 13: a model trained on sub/good.csv was scored on ./good.csv. Now: the recorded absolute
    path, else the recorded path from the model's folder, and the sha256 recorded at training."""
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    rng = np.random.default_rng(4)
    rows = [[a, b, int(a + b > 0)] for a, b in rng.standard_normal((150, 2))]
    data = write_csv(project / "sub" / "good.csv", ["x1", "x2", "y"], rows)
    assert run(capsys, "train", "--data", str(data), "--layers", "6", "--epochs", "20", "--out",
               str(project / "run"), "--quiet")[0] == 0
    expected = json.loads((project / "run" / "results.json").read_text())["test"]["accuracy"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_csv(elsewhere / "good.csv", ["x1", "x2", "y"], [[1, 1, 0], [-1, -1, 1]] * 20)  # a decoy of that name
    monkeypatch.chdir(elsewhere)
    code, out, _ = run(capsys, "evaluate", str(project / "run" / "model.npz"))
    assert code == 0 and f"{100 * expected:.2f}%" in out and str(data) in out and "the training file" in out
    moved = tmp_path / "moved"
    project.rename(moved)  # the absolute path is gone; the path from the model's folder still holds
    code, out, err = run(capsys, "evaluate", str(moved / "run" / "model.npz"))
    assert code == 0 and f"{100 * expected:.2f}%" in out and str(moved / "sub" / "good.csv") in out, err
    code, out, _ = run(capsys, "evaluate", str(moved / "run" / "model.npz"), "--data", "good.csv", "--split", "all")
    assert code == 0 and "good.csv (passed with --data; not the data the model was trained on)" in out
    good = moved / "sub" / "good.csv"
    good.write_text(good.read_text().replace("\n", "\n0,0,1\n", 1))
    code, _, err = run(capsys, "evaluate", str(moved / "run" / "model.npz"))
    assert code == 2 and "has changed since the model was trained" in err and "--data" in err
    good.unlink()
    code, _, err = run(capsys, "evaluate", str(moved / "run" / "model.npz"))
    assert code == 2 and "is not at" in err and "--data FILE" in err


def test_with_l2_the_reported_cost_does_not_depend_on_how_many_examples_are_scored(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((100, 2))
    rows = [[a, b, int(a * b > 0)] for a, b in X]
    once = write_csv(tmp_path / "once.csv", ["x1", "x2", "y"], rows)
    four = write_csv(tmp_path / "four.csv", ["x1", "x2", "y"], rows * 4)
    out = tmp_path / "run"
    assert run(capsys, "train", "--data", str(once), "--l2", "2", "--layers", "8", "--epochs", "5", "--out", str(out),
               "--quiet")[0] == 0
    costs = []
    for data in (once, four):
        code, stdout, err = run(capsys, "evaluate", str(out / "model.npz"), "--data", str(data), "--split", "all")
        assert code == 0, err
        costs.append(float(re.search(r"^all\s+([0-9.]+)", stdout, re.M).group(1)))
    assert costs[0] == costs[1]


def test_numeric_labels_that_are_not_0_to_c_minus_1(tmp_path, capsys):
    """Labels {0, 1000000}: two classes named by their values (issue 13 saw a million-unit softmax)."""
    X = np.random.default_rng(2).standard_normal((80, 2))
    data = write_csv(tmp_path / "d.csv", ["x1", "x2", "y"], [[a, b, 1000000 if a > 0 else 0] for a, b in X])
    out = tmp_path / "run"
    code, stdout, err = run(capsys, "train", "--data", str(data), "--layers", "4", "--epochs", "3", "--out", str(out),
                            "--quiet")
    assert code == 0, err
    net = gn.load(out / "model.npz")
    assert net.layer_dims[-1] == 1 and net.class_names == ["0", "1000000"]
    code, stdout, _ = run(capsys, "predict", str(out / "model.npz"), "--input", str(data))
    assert set(r["prediction"] for r in csv.DictReader(stdout.splitlines())) <= {"0", "1000000"}


def test_string_y_in_an_npz(tmp_path, capsys):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((90, 3))
    np.savez(tmp_path / "d.npz", X=X, y=np.where(X[:, 0] > 0, "up", "down"))
    out = tmp_path / "run"
    assert run(capsys, "train", "--data", str(tmp_path / "d.npz"), "--layers", "4", "--epochs", "3", "--out",
               str(out), "--quiet")[0] == 0
    assert gn.load(out / "model.npz").class_names == ["down", "up"]


def test_interrupted_training_saves_the_last_finished_epoch(tmp_path, capsys, monkeypatch):
    """Ctrl-C during epoch 4: the model of epoch 3 is saved with its history, and the interrupt goes on (exit 130)."""
    from glassnet.history import History

    append = History.append

    def interrupt_in_epoch_4(self, record):
        append(self, record)
        if len(self) == 4:
            raise KeyboardInterrupt

    monkeypatch.setattr(History, "append", interrupt_in_epoch_4)
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--data", "moons", "--layers", "5", "--epochs", "20", "--out", str(out),
                       "--quiet")
    assert code == 130
    assert f"the model of epoch 3 is saved in {out}/model.npz" in err
    history = json.loads((out / "history.json").read_text())
    assert len(history["records"]["epoch"]) == 4 and history["stopped_epoch"] == 3
    results = json.loads((out / "results.json").read_text())
    assert results["training"]["weights_epoch"] == 3 and "interrupted" in results["training"]["stop_reason"]
    assert gn.load(out / "model.npz").predict(np.zeros((2, 1))).shape == (1, 1)


def test_interrupted_before_the_first_epoch_leaves_no_folder(tmp_path, capsys, monkeypatch):
    from glassnet.history import History

    def interrupt(self, record):
        raise KeyboardInterrupt

    monkeypatch.setattr(History, "append", interrupt)
    out = tmp_path / "run"
    code, _, err = run(capsys, "train", "--data", "moons", "--epochs", "3", "--out", str(out), "--quiet")
    assert code == 130 and "nothing was saved" in err and not out.exists()


def test_every_help_default_is_the_true_one():
    """A help text that says "(default X)" names the value argparse will give."""
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    checked = 0
    for command in ("train", "gradcheck", "sweep", "evaluate", "predict"):
        for action in subparsers.choices[command]._actions:
            match = re.search(r"\(default:? ([^);:]+?)(?:[;:)]|$)", action.help or "")
            if not match or action.default is None or action.default == "-":  # "-": standard output
                continue
            said, true = match.group(1).strip().split()[0], action.default
            values = true if isinstance(true, list) else [true]
            try:
                assert [float(v) for v in said.split(",")] == [float(v) for v in values], (command, action.dest)
            except ValueError:
                assert said == str(true), (command, action.dest, said, true)
            checked += 1
    assert checked > 20


def test_evaluate_help_says_the_models_own_data():
    text = " ".join(cli.build_parser()._subparsers._group_actions[0].choices["evaluate"].format_help().split())
    assert "default: digits" not in text and "the data the model was trained on" in text


def test_train_on_a_csv_with_named_label(species_run):
    assert json.loads((species_run / "results.json").read_text())["data"]["label"] == "species"


def test_two_d_data_gets_a_decision_boundary(tmp_path, capsys):
    out = tmp_path / "moons"
    code, _, _ = run(capsys, "train", "--data", "moons", "--layers", "10,5", "--activation", "tanh",
                     "--epochs", "30", "--out", str(out), "--quiet", "--early-stopping", "5")
    assert code == 0
    assert (out / "boundary.png").stat().st_size > 0
    results = json.loads((out / "results.json").read_text())
    assert results["training"]["weights_epoch"] == results["training"]["best_epoch"]  # early stopping restored it


def test_the_best_epoch_marker_only_for_the_saved_weights():
    from glassnet.history import History
    from glassnet.plots import train_dev_curves

    history = History()
    for epoch, dev in enumerate([0.5, 0.3, 0.4], start=1):
        history.append({"epoch": epoch, "cost": 0.1, "dev_cost": dev, "accuracy": 0.9, "dev_accuracy": 0.8})
    history.best_epoch = 2

    def marked(fig):
        return any("best epoch" in (line.get_label() or "") for ax in fig.axes for line in ax.lines)

    assert not marked(train_dev_curves(history, weights_epoch=3))  # the last epoch's weights were saved
    assert not marked(train_dev_curves(history))
    assert marked(train_dev_curves(history, weights_epoch=2))


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
    # an epsilon far too large: the two-sided difference is no longer the derivative -> inconclusive (4),
    # not a failure: a correct backprop is not called wrong; the truncation is named, with a smaller ε to use
    code, out, _ = run(capsys, "gradcheck", "--layers", "5", "--activation", "sigmoid", "--epsilon", "0.5",
                       "--examples", "8")
    assert code == cli.EXIT_INCONCLUSIVE == 4 and "FAILED" not in out and "gradient check at the noise floor" in out
    assert "ε = 0.5 is too large" in out and "Use a smaller ε" in out



def test_gradcheck_standardizes_with_the_limited_training_set_as_train_does(capsys, monkeypatch):
    """--limit N: the normalizer of a gradient check is fitted on the first N training examples, as a training
    run's is (before, it saw the whole training split whatever --limit said)."""
    from glassnet.data.preprocessing import Standardizer

    fitted = []
    fit = Standardizer.fit
    monkeypatch.setattr(Standardizer, "fit", lambda self, X, *a, **k: fitted.append(X.shape) or fit(self, X, *a, **k))
    code, out, _ = run(capsys, "gradcheck", "--data", "moons", "--limit", "40", "--layers", "3", "--examples", "8")
    assert code == 0, out
    assert fitted == [(2, 40)]
    # more examples asked than the limit keeps: the 40 there are, labels with them
    code, out, _ = run(capsys, "gradcheck", "--data", "moons", "--limit", "40", "--layers", "3", "--examples", "64")
    assert code == 0 and "on 40 examples of moons" in out, out

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
                            "--layers", "32", "--epochs", "2", "--batch-size", "32", "--augment", "crop,rotate",
                            "--out", str(out),
                            "--quiet")
    assert code == 0, err
    assert "features 784" in stdout and "input: 784 raw features / 255" in stdout
    results = json.loads((out / "results.json").read_text())
    assert results["test"]["accuracy"] > 0.5  # 600 augmented examples, 2 epochs: well above chance (10 %)
    assert results["config"]["normalize"] is False  # images: the fixed / 255 only, by default
