import json

import numpy as np
import pytest

import glassnet.labs as labs
from glassnet import cli

from ..conftest import SHARED_DATASETS

SEEDS = [0, 1, 2, 3, 4]


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    """The quick lab with five seeds, one training after another (the default), run once for the module."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"shared data sets not found at {SHARED_DATASETS}")
    out = tmp_path_factory.mktemp("regularization")
    return labs.run("regularization", out=out, quick=True, seed=0, seeds=5, data_path=SHARED_DATASETS,
                    verbose=False), out


def test_regularization_lab(sequential):
    result, out = sequential
    runs = result.data["runs"]
    assert [r["seed"] for r in runs["none"]] == SEEDS
    med = {name: np.median([r["test_accuracy"] for r in rs]) for name, rs in runs.items()}
    train = {name: np.median([r["train_accuracy"] for r in rs]) for name, rs in runs.items()}
    assert med["L2 (λ = 0.7)"] > med["none"]  # L2 raises median test accuracy
    assert train["L2 (λ = 0.7)"] < train["none"]  # by fitting the training set less closely
    assert set(runs) == {"none", "L2 (λ = 0.7)", "dropout 0.86, fresh masks", "dropout 0.86, one fixed mask"}
    assert (out / "boundaries.png").is_file()


def test_dask_local_gives_the_sequential_table(sequential, tmp_path, capsys):
    """Two seeds on a LocalCluster of two workers: every number of every (variant, seed) training is the
    sequential run's, so the table made from them is the sequential table of those seeds."""
    pytest.importorskip("distributed")
    result, _ = sequential
    code = cli.main(["lab", "regularization", "--quick", "--seeds", "2", "--dask", "local:2",
                     "--data-path", str(SHARED_DATASETS), "--out", str(tmp_path)])
    assert code == 0
    on_dask = json.loads((tmp_path / "results.json").read_text())
    sequential_runs = json.loads(json.dumps(result.data["runs"]))
    assert on_dask["data"]["runs"] == {name: runs[:2] for name, runs in sequential_runs.items()}
    printed = capsys.readouterr().out
    for row in on_dask["rows"]:
        assert row["test acc median [range]"] in printed
