import json
import math

import numpy as np
import pytest

import glassnet.labs as labs
from glassnet import cli
from glassnet.labs.regularization import CLAIMS, claims
from glassnet.labs.report import LabResult

from ..conftest import SHARED_DATASETS
from .honesty import check_honest

SEEDS = [0, 1, 2, 3, 4]


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    """The quick lab with five seeds, one training after another (the default), run once for the module."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"shared data sets not found at {SHARED_DATASETS}")
    out = tmp_path_factory.mktemp("regularization")
    return labs.run("regularization", out=out, quick=True, seed=0, seeds=5, data_path=SHARED_DATASETS,
                    verbose=False), out


def sign_test_verdict(differences) -> str:
    """The exact one-sided sign test at 0.05, written out here independently of glassnet.labs.evidence."""
    k, against = sum(d > 0 for d in differences), sum(d < 0 for d in differences)
    n = k + against

    def tail(j):
        return sum(math.comb(n, i) for i in range(j, n + 1)) / 2**n

    return "holds" if tail(k) <= 0.05 else "fails" if tail(against) <= 0.05 else "inconclusive"


def test_regularization_lab(sequential):
    result, out = sequential
    runs = result.data["runs"]
    assert [r["seed"] for r in runs["none"]] == SEEDS
    assert set(runs) == {"none", "L2 (λ = 0.7)", "dropout 0.86, fresh masks", "dropout 0.86, one fixed mask"}
    saved = check_honest(out)
    assert saved["n"]["seeds"] == 5 and saved["n"]["examples"] == {"train": 211, "test": 200}
    # each claim's verdict is the sign test of the lab's own per-seed numbers, paired by seed
    assert len(result.claims) == len(CLAIMS)
    for claim, (_, larger, smaller, key) in zip(result.claims, CLAIMS, strict=True):
        d = [a[key] - b[key] for a, b in zip(runs[larger], runs[smaller], strict=True)]
        assert claim.verdict == sign_test_verdict(d), (claim.text, d)
        assert "sign test" in claim.evidence.test and claim.evidence.level == 0.05
    assert (out / "boundaries.png").is_file() and (out / "test_accuracy_by_seed.png").is_file()
    assert any("seed 0" in t for t in saved["figure_titles"]["boundaries.png"])


def arm(test, train=None):
    return [{"seed": s, "train_accuracy": 0.95 if train is None else train[s], "test_accuracy": t}
            for s, t in enumerate(test)]


def test_a_one_example_difference_does_not_hold():
    """The issue's case: dropout's median 92.5 % against 92.0 %, one test example in 200, the seeds disagreeing."""
    none = [0.92, 0.93, 0.915, 0.92, 0.905]
    dropout = [0.925, 0.92, 0.93, 0.915, 0.925]  # per seed: +1, -2, +3, -1, +4 examples
    runs = {"none": arm(none), "L2 (λ = 0.7)": arm(none), "dropout 0.86, fresh masks": arm(dropout)}
    assert np.median(dropout) - np.median(none) == pytest.approx(1 / 200)
    result = LabResult("regularization", "", "")
    claims(result, runs, n_train=211, n_test=200)
    raised = result.claims[2]
    assert "dropout" in raised.text and raised.verdict == "inconclusive" and not raised.holds
    assert "92.5%" in raised.measured and "92.0%" in raised.measured and "one example = 0.5 points" in raised.measured
    assert "3 of 5 seeds for, 2 against" in raised.evidence.summary
    # one seed one example better, the others tied: no evidence at all
    runs["dropout 0.86, fresh masks"] = arm([0.925] + none[1:])
    result = LabResult("regularization", "", "")
    claims(result, runs, n_train=211, n_test=200)
    assert result.claims[2].verdict == "inconclusive"
    # identical arms: L2 = none on every seed
    assert result.claims[0].verdict == "inconclusive" and "every seed tied" in result.claims[0].evidence.summary


def test_a_claim_holds_or_fails_only_when_every_seed_agrees():
    none = [0.90, 0.91, 0.92, 0.90, 0.89]
    better = [a + 0.02 for a in none]
    runs = {"none": arm(none, train=[0.99] * 5), "L2 (λ = 0.7)": arm(better, train=[0.95] * 5),
            "dropout 0.86, fresh masks": arm([a - 0.02 for a in none])}
    result = LabResult("regularization", "", "")
    claims(result, runs, n_train=211, n_test=200)
    assert [c.verdict for c in result.claims] == ["holds", "holds", "fails"]


def test_dask_local_gives_the_sequential_table(sequential, tmp_path, capsys):
    """Two seeds on a LocalCluster of two workers: every number of every (variant, seed) training is the
    sequential run's, so the table made from them is the sequential table of those seeds; two seeds are too
    few for any claim to hold."""
    pytest.importorskip("distributed")
    result, _ = sequential
    code = cli.main(["lab", "regularization", "--quick", "--seeds", "2", "--dask", "local:2",
                     "--data-path", str(SHARED_DATASETS), "--out", str(tmp_path)])
    assert code == 0
    on_dask = check_honest(tmp_path)
    sequential_runs = json.loads(json.dumps(result.data["runs"]))
    assert on_dask["data"]["runs"] == {name: runs[:2] for name, runs in sequential_runs.items()}
    assert on_dask["n"]["seeds"] == 2 and all(c["verdict"] == "inconclusive" for c in on_dask["claims"])
    printed = capsys.readouterr().out
    for row in on_dask["rows"]:
        assert row["test acc median [range]"] in printed
    assert "n = 2 seeds (0, 1)" in printed and "inconclusive" in printed
