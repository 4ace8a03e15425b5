"""Lab dropout-debugging on the course's 2-D set: J falls monotonically without dropout, not with it;
the gradient check passes with dropout off or fixed masks and fails with fresh masks."""

import json

import numpy as np
import pytest

from glassnet import labs, runs
from glassnet.data.datasets import load_course_2d
from glassnet.errors import DatasetError
from glassnet.runs import RunSpec

from .honesty import check_honest

SEEDS = [0, 1, 2, 3, 4]  # labs.run(seed=0, seeds=5)


def test_dropout_debugging_on_the_course_set(shared_datasets, tmp_path):
    result = labs.run("dropout-debugging", out=tmp_path, quick=True, seeds=5, data_path=shared_datasets,
                      verbose=False)
    d = result.data
    assert d["n_train"] == 211 and d["n_test"] == 200 and d["seeds"] == SEEDS
    assert d["layer_dims"] == [2, 20, 3, 1] and d["keep_prob"] == 0.86
    off, drop = d["runs"]["keep_prob = 1 (dropout off)"], d["runs"]["keep_prob = 0.86"]
    assert [r["seed"] for r in off] == SEEDS
    # without dropout, J never rises, on every seed
    assert [r["rises"] for r in off] == [0] * 5
    assert all(r["check_cost_decreases_20"] for r in off)
    # with dropout the recorded cost rises at many iterations (median over the 5 seeds)
    assert np.median([r["rises"] for r in drop]) > 0.1 * d["iterations"]
    assert all(r["rises"] > 0 for r in drop)
    # gradient checks at initialization
    checks = d["gradient_checks"]
    assert [c["seed"] for c in checks] == SEEDS
    assert max(c["off"] for c in checks) < 1e-7
    assert max(c["fixed"] for c in checks) < 1e-7
    assert all(c["fresh_verdict"] == "likely a bug" for c in checks)
    assert all(c.holds for c in result.claims) and len(result.claims) == 4
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["title_zh"] == "理解 dropout"
    assert check_honest(tmp_path)["n"]["examples"] == {"train": 211, "test": 200}
    assert (tmp_path / "costs.png").stat().st_size > 0
    curves = d["costs_first_seed"]
    assert len(curves["keep_prob = 1 (dropout off)"]) == d["iterations"]
    # the trainings are RunSpecs: the first seed's, read back from results.json and run by runs.build + runs.fit,
    # give the lab's cost curves bit for bit (dropout masks included: they come from the spec's seed)
    for name, key in (("keep_prob = 1", "keep_prob = 1 (dropout off)"), ("keep_prob = 0.86", "keep_prob = 0.86")):
        spec = RunSpec.from_dict(saved["run_specs"][name])
        assert spec.seed == 0 and spec.keep_prob == (1.0 if key.endswith("(dropout off)") else 0.86)
        X, Y, _, _ = load_course_2d(shared_datasets)
        net = runs.build(spec, 2, 1, "sigmoid")
        assert runs.fit(spec, net, X, Y)["cost"] == curves[key]


def test_missing_data_file_surfaces_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="data.mat"):
        labs.run("dropout-debugging", out=tmp_path / "out", quick=True, data_path=tmp_path, verbose=False)
