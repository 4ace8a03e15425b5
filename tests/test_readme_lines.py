"""README's training lines, run as written: each states its result, and the test holds the line to it.

The lines are read from README.md itself (the Chinese README's code blocks are the same, tests/
test_docs.py checks), so a line changed there is the line tested here. The MNIST lines take minutes:
the quick tests run them on the first 2 000 training images for 6 epochs against a lower bound
stated here; ``pytest -m slow`` runs them whole against README's own bound.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from glassnet import cli

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT.parent / "shared" / "datasets" / "mnist"


def readme_lines() -> dict[str, tuple[list[str], str]]:
    """{first data flag: (argv after 'glassnet', the stated expectation)} of README's train lines."""
    text = (ROOT / "README.md").read_text()
    lines = {}
    for line in re.findall(r"^glassnet train.*$", text, flags=re.M):
        command, _, comment = line.partition("#")
        if not re.search(r"[≥≤]", comment):
            continue
        argv = shlex.split(command)[1:]
        key = argv[argv.index("--data") + 1] if "--data" in argv else "digits"
        if "--layers" in argv and key == "mnist":
            key = "mnist-dropout"
        lines[key] = (argv, comment.strip())
    return lines


LINES = readme_lines()


def expectation(comment: str) -> tuple[str, float]:
    """("accuracy", 0.95) from "≥ 95 % test"; ("rmse", 60.0) from "test RMSE ≤ 60"."""
    if match := re.search(r"≥ ([\d.]+) % test", comment):
        return "accuracy", float(match.group(1)) / 100
    match = re.search(r"test RMSE ≤ ([\d.]+)", comment)
    assert match, f"README line states no result the test can read: {comment!r}"
    return "rmse", float(match.group(1))


def run_line(argv, tmp_path, extra=()) -> dict:
    argv = list(argv)
    if "--out" in argv:
        i = argv.index("--out")
        del argv[i:i + 2]
    argv = [str(tmp_path / "data" / a) if a in ("my.csv", "diabetes.csv") else a for a in argv]
    argv = [str(MNIST) if a == "../shared/datasets/mnist" else a for a in argv]
    out = tmp_path / "run"
    # in this process (the command line's own main): a subprocess would spend its first seconds importing
    code = cli.main([*argv, *extra, "--quiet", "--out", str(out)])
    assert code == 0, f"glassnet exited with status {code}: see the captured output"
    return json.loads((out / "results.json").read_text())


@pytest.fixture
def tables(tmp_path):
    """my.csv (iris, string labels) and diabetes.csv (raw targets), as README's lines name them."""
    from sklearn.datasets import load_diabetes, load_iris

    folder = tmp_path / "data"
    folder.mkdir()
    iris, diabetes = load_iris(), load_diabetes(scaled=False)
    for name, (X, labels, header, label) in {
        "my.csv": (iris.data, iris.target_names[iris.target], list(iris.feature_names), "species"),
        "diabetes.csv": (diabetes.data, [f"{t:g}" for t in diabetes.target], list(diabetes.feature_names), "target"),
    }.items():
        with open(folder / name, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([*header, label])
            writer.writerows([*map(repr, row), y] for row, y in zip(X.tolist(), labels, strict=True))
    return folder


def test_every_train_line_of_readme_states_a_result():
    assert set(LINES) == {"digits", "moons", "mnist", "mnist-dropout", "my.csv", "diabetes.csv"}
    for _, comment in LINES.values():
        expectation(comment)


@pytest.mark.parametrize("key", ["digits", "moons", "my.csv", "diabetes.csv"])
def test_readme_line_gives_what_it_states(key, tmp_path, tables):
    argv, comment = LINES[key]
    metric, bound = expectation(comment)
    results = run_line(argv, tmp_path)
    value = results["test"][metric]
    assert (value >= bound) if metric == "accuracy" else (value <= bound), (key, value, comment)
    assert results["training"]["diverged"] is False


needs_mnist = pytest.mark.skipif(not (MNIST / "train-images-idx3-ubyte.gz").exists(),
                                 reason="../shared/datasets/mnist is not here")


@needs_mnist
@pytest.mark.parametrize("key, quick_bound", [("mnist", 0.90), ("mnist-dropout", 0.90)])
def test_readme_mnist_lines_at_reduced_size(key, quick_bound, tmp_path):
    """The same flags on 2 000 training images for 6 epochs: the pipeline and the defaults as written."""
    argv, _ = LINES[key]
    argv = [a for i, a in enumerate(argv) if a != "--epochs" and (i == 0 or argv[i - 1] != "--epochs")]
    results = run_line(argv, tmp_path, extra=["--limit", "2000", "--epochs", "6"])
    assert results["test"]["accuracy"] >= quick_bound
    assert results["config"]["input_scale"] == 255.0 and results["config"]["normalize"] is False


@needs_mnist
@pytest.mark.slow
@pytest.mark.parametrize("key", ["mnist", "mnist-dropout"])
def test_readme_mnist_lines_whole(key, tmp_path):
    argv, comment = LINES[key]
    _, bound = expectation(comment)
    assert run_line(argv, tmp_path)["test"]["accuracy"] >= bound


def test_the_sweep_line_of_readme_tells_its_configurations_apart(tmp_path, monkeypatch):
    """README's sweep: configurations that differ in their dev accuracy (the old defaults tied them all)."""
    text = (ROOT / "README.md").read_text()
    line = re.search(r"^glassnet sweep --data moons.*$", text, flags=re.M).group(0)
    argv = shlex.split(line)[1:]
    i = argv.index("--out")
    argv[i + 1] = str(tmp_path / "sweep")
    argv[argv.index("--seeds") + 1] = "1"
    # in this process (the command line's own main, as run_line does), from tmp_path as a subprocess ran it
    monkeypatch.chdir(tmp_path)
    code = cli.main([*argv, "--jobs", "1"])
    assert code == 0, f"glassnet exited with status {code}: see the captured output"
    with open(tmp_path / "sweep" / "summary.csv") as f:
        rows = list(csv.DictReader(f))
    dev = [float(r["dev_accuracy_median"]) for r in rows]
    assert max(dev) >= 0.95 and max(dev) - min(dev) >= 0.05
    assert np.isclose(float(rows[0]["dev_accuracy_median"]), max(dev))
