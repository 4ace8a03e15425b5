"""What the command line says about its inputs: true start-up lines, files of the wrong columns, missing values,
separators, data set names, flag values, Ctrl-C and NumPy's own warnings."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from glassnet import cli

FEATURES = ["alcohol", "ash", "hue"]


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path, header, rows, delimiter=","):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def wine_rows(seed: int = 0, m: int = 90):
    """Three features on very different scales (as wine's are) and three named classes."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 3)) * [1.0, 10.0, 100.0] + [13.0, 50.0, 700.0]
    names = np.array(["barolo", "grignolino", "barbera"])[(X[:, 0] > 13).astype(int) + (X[:, 2] > 700)]
    return [[f"{a:.4f}", f"{b:.4f}", f"{c:.4f}", label] for (a, b, c), label in zip(X, names, strict=True)]


@pytest.fixture(scope="module")
def wine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wine")
    return write_csv(folder / "wine.csv", [*FEATURES, "class"], wine_rows())


@pytest.fixture(scope="module")
def wine_model(wine, tmp_path_factory):
    out = tmp_path_factory.mktemp("wine-run")
    assert cli.main(["train", "--data", str(wine), "--layers", "8", "--epochs", "3", "--out", str(out), "--quiet"]) == 0
    return out / "model.npz"


def one_line_error(code, err, *fragments):
    assert code == 2 and err.startswith("glassnet: error:") and len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def test_the_start_up_line_says_the_inputs_will_be_standardized(wine, tmp_path, capsys):
    """Today: "3 raw features -> used as they are" for a model whose inputs are standardized."""
    code, out, _ = run(capsys, "train", "--data", str(wine), "--layers", "4", "--epochs", "1", "--out",
                       str(tmp_path / "a"), "--quiet")
    assert code == 0 and "used as they are" not in out
    assert "input: 3 raw features -> standardized (the training set's mean and variance" in out
    code, out, _ = run(capsys, "train", "--data", str(wine), "--layers", "4", "--epochs", "1", "--no-normalize",
                       "--out", str(tmp_path / "b"), "--quiet")
    assert code == 0 and "input: 3 raw features -> used as they are" in out
    code, out, _ = run(capsys, "train", "--layers", "4", "--epochs", "1", "--normalize", "--out",
                       str(tmp_path / "c"), "--quiet")
    assert code == 0 and "input: 64 raw features / 16 -> standardized" in out


def test_predict_refuses_a_file_of_other_columns_of_the_same_width(wine_model, tmp_path, capsys):
    """Today a file of another data set with as many columns is predicted by position, without a word."""
    other = write_csv(tmp_path / "other.csv", ["f0", "f1", "f2"], [["1", "2", "3"], ["4", "5", "6"]])
    code, out, err = run(capsys, "predict", str(wine_model), "--input", str(other))
    one_line_error(code, err, "none of its columns ('f0', 'f1', 'f2') is a feature of the model "
                              "('alcohol', 'ash', 'hue')")
    assert out == ""
    renamed = write_csv(tmp_path / "renamed.csv", ["alcohol", "Ash", "hue"], [["13", "50", "700"]])
    code, _, err = run(capsys, "predict", str(wine_model), "--input", str(renamed))
    one_line_error(code, err, "lacks the model's feature(s) 'ash'", "no feature(s) 'Ash'")


def test_predict_maps_columns_by_name_only_with_the_flag(wine, wine_model, tmp_path, capsys):
    rows = list(csv.reader(wine.open()))
    moved = write_csv(tmp_path / "moved.csv", ["hue", "class", "alcohol", "ash"],
                      [[r[2], r[3], r[0], r[1]] for r in rows[1:]])
    code, _, err = run(capsys, "predict", str(wine_model), "--input", str(moved))
    one_line_error(code, err, "the model's in another order", "--columns-by-name")
    code, _, err = run(capsys, "predict", str(wine_model), "--input", str(wine), "--output", str(tmp_path / "a.csv"))
    assert code == 0, err
    code, _, err = run(capsys, "predict", str(wine_model), "--input", str(moved), "--columns-by-name",
                       "--output", str(tmp_path / "b.csv"))
    assert code == 0, err
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    code, out, err = run(capsys, "evaluate", str(wine_model), "--data", str(moved), "--split", "all")
    one_line_error(code, err, "--columns-by-name")
    code, out, err = run(capsys, "evaluate", str(wine_model), "--data", str(moved), "--split", "all",
                         "--columns-by-name")
    assert code == 0 and "90 examples" in out, err


def test_an_empty_cell_is_a_missing_value(tmp_path, capsys):
    rows = wine_rows()
    rows[4][1] = ""
    path = write_csv(tmp_path / "gap.csv", [*FEATURES, "class"], rows)
    code, _, err = run(capsys, "train", "--data", str(path), "--epochs", "1", "--out", str(tmp_path / "r"))
    one_line_error(code, err, "line 6, column 'ash': an empty cell is a missing value")
    assert "categorical" not in err and not (tmp_path / "r").exists()


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_semicolon_or_tab_separated_file_trains(tmp_path, capsys, delimiter):
    """Today: read as one column named 'alcohol;ash;hue;class', then "no feature columns"."""
    path = write_csv(tmp_path / "semi.csv", [*FEATURES, "class"], wine_rows(), delimiter=delimiter)
    code, out, err = run(capsys, "train", "--data", str(path), "--layers", "4", "--epochs", "1", "--out",
                         str(tmp_path / "r"), "--quiet")
    assert code == 0, err
    assert "features 3" in out


def test_messages_show_plain_values_not_numpy_reprs(wine, tmp_path, capsys):
    code, _, err = run(capsys, "train", "--data", str(wine), "--task", "regression", "--epochs", "1",
                       "--out", str(tmp_path / "r"))
    first = next(csv.reader(wine.open().readlines()[1:2]))[-1]
    one_line_error(code, err, f"the labels are text ({first!r})")
    assert "np." not in err


def test_the_folder_names_are_data_set_names(shared_datasets, tmp_path, capsys):
    """README names the folders regularization-2d/, catvnoncat/, fashion-mnist/; --data takes them too."""
    code, out, _ = run(capsys, "data")
    assert code == 0
    for folder in ("fashion-mnist", "catvnoncat", "regularization-2d"):
        assert f"folder {folder}/ (--data {folder} works too)" in out
    code, out, err = run(capsys, "train", "--data", "regularization-2d", "--data-path", str(shared_datasets),
                         "--layers", "3", "--epochs", "1", "--out", str(tmp_path / "r"), "--quiet")
    assert code == 0, err
    assert "data: course_2d  train 190  dev 21  test 200" in out
    code, out, err = run(capsys, "evaluate", str(tmp_path / "r" / "model.npz"), "--data", "regularization-2d",
                         "--data-path", str(shared_datasets))
    assert code == 0 and "not the data the model was trained on" not in out, err
    args = cli.build_parser().parse_args(["train", "--data", "catvnoncat", "--data-path", str(shared_datasets)])
    cli.check_data_source(cli.spec_from_args(args))  # a file-based set: --data-path is welcome


@pytest.mark.parametrize("flag,value", [("--layers", "20,,7"), ("--layers", "20,7,"), ("--keep-prob", "1,,0.8")])
def test_an_empty_entry_in_a_list_is_refused(flag, value, tmp_path, capsys):
    """Today --layers 20,,7 trains a 20,7 network."""
    code, _, err = run(capsys, "train", flag, value, "--epochs", "1", "--out", str(tmp_path / "r"))
    one_line_error(code, err, f"an empty entry in {value!r}")
    assert not (tmp_path / "r").exists()


def test_lab_help_reads_the_jobs_flag_as_one_sentence():
    """Today: "... the table is the same: N local worker processes, one BLAS thread each (1: in this process)"."""
    parser = cli.build_parser()
    labs = parser._subparsers._group_actions[0].choices["lab"]
    jobs = next(a for a in labs._actions if a.dest == "jobs")
    assert jobs.help.startswith("run the lab's repeated trainings (seeds) in N local worker processes")
    assert ": N local" not in jobs.help and jobs.help.count("(") == jobs.help.count(")")
    text = " ".join(labs.format_help().split())
    assert "--jobs N run the lab's repeated trainings (seeds) in N local worker processes, one BLAS thread " \
           "each (1: in this process; default 1; the table is the same for every N)" in text


def test_an_interrupt_is_said_once(tmp_path, capsys, monkeypatch):
    from glassnet.history import History

    append = History.append

    def interrupt_in_epoch_3(self, record):
        append(self, record)
        if len(self) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(History, "append", interrupt_in_epoch_3)
    code, _, err = run(capsys, "train", "--data", "moons", "--layers", "5", "--epochs", "9", "--out",
                       str(tmp_path / "a"), "--quiet")
    assert code == 130 and err.count("interrupted") == 1 and len(err.strip().splitlines()) == 1, err

    def interrupt_at_once(self, record):
        raise KeyboardInterrupt

    monkeypatch.setattr(History, "append", interrupt_at_once)
    code, _, err = run(capsys, "train", "--data", "moons", "--epochs", "3", "--out", str(tmp_path / "b"), "--quiet")
    assert code == 130 and err.strip() == "glassnet: interrupted before the first epoch finished: nothing was saved"


def test_ctrl_c_in_a_real_process_prints_one_message(tmp_path):
    """SIGINT (what Ctrl-C sends) to `glassnet train` while it trains: one line on stderr, exit 130, a model saved."""
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet.cli", "train", "--data", "moons", "--layers", "5", "--epochs", "1000000",
         "--out", str(out), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        for line in process.stdout:  # the start-up lines come just before the fit starts
            if line.startswith("input:") or time.monotonic() > deadline:
                break
        time.sleep(0.3)  # some epochs of a 2-5-1 network on 320 points (about 3 000 a second here)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        process.kill()
    lines = err.strip().splitlines()
    assert process.returncode == 130, err
    assert len(lines) == 1 and lines[0].startswith("glassnet: interrupted during epoch"), err
    assert (out / "model.npz").is_file()


def test_numpys_own_warnings_do_not_leak_beside_glassnets(tmp_path, capsys):
    """Today a blown-up run prints "RuntimeWarning: overflow encountered in matmul" when its model is scored."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cli.main(["train", "--data", "moons", "--optimizer", "momentum", "--learning-rate", "1e6", "--epochs", "4",
                  "--dtype", "float64", "--out", str(tmp_path / "r"), "--quiet"])
        cli.main(["evaluate", str(tmp_path / "r" / "model.npz")])
    out, err = capsys.readouterr()
    assert "diverged" in out + err + " ".join(str(w.message) for w in caught)  # glassnet says it
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == []  # NumPy does not


def test_inputs_too_large_to_standardize_are_one_line_not_numpy_warnings(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = [[f"{v:.6e}" for v in rng.standard_normal(2) * 1e307] + [str(i % 2)] for i in range(60)]
    path = write_csv(tmp_path / "huge.csv", ["a", "b", "label"], rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, _, err = run(capsys, "train", "--data", str(path), "--dtype", "float64", "--epochs", "1",
                           "--out", str(tmp_path / "r"))
    one_line_error(code, err, "variance is beyond float64", "divide that feature by a power of ten")
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == []
