"""Lab gradient-check: a correct network passes, a planted missing-L2 bug is found and named."""

import json

import numpy as np
import pytest

from glassnet import labs
from glassnet.gradcheck import gradient_check
from glassnet.labs.gradient_check import ForgetsL2Network, data, network
from glassnet.network import Network

from .honesty import check_honest

SEEDS = [0, 1, 2, 3, 4]  # labs.run(seed=0, seeds=5)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradient-check")
    return labs.run("gradient-check", out=out, quick=True, seeds=5, verbose=False), out


def test_correct_network_passes_on_every_seed(lab):
    result, _ = lab
    runs = result.data["runs"]
    assert [r["seed"] for r in runs] == SEEDS
    for r in runs:
        assert r["correct_difference"] < 1e-7 and r["correct_verdict"] == "correct"


def test_planted_bug_is_found_ranked_and_named(lab):
    result, _ = lab
    for r in result.data["runs"]:
        assert r["buggy_verdict"] == "likely a bug" and r["buggy_difference"] > 1e-3
        assert r["buggy_ranked_first"] == "W2"
        assert r["buggy_other_blocks_max"] < 1e-7
        assert "L2 term" in r["buggy_l2_hint"] and "missing" in r["buggy_l2_hint"] and "dW2" in r["buggy_l2_hint"]
        assert r["buggy_sweep_spread"] < 2  # a bug does not move with ε
    # both reports are printed into the notes
    assert any(n.startswith("gradient check passed") for n in result.notes)
    assert any(n.startswith("gradient check FAILED") for n in result.notes)


def test_checked_again_after_training(lab):
    result, _ = lab
    for r in result.data["runs"]:
        assert r["trained_difference"] < 1e-7
        after = r["correct"]["after_training"]
        assert after is not None and after["passed"] and after["notes"][0].startswith("after 200 epochs")
        # training moved the weights: the second check is of another network
        assert after["per_parameter"] != r["correct"]["per_parameter"]


def test_dropout_rules(lab):
    result, _ = lab
    runs = result.data["runs"]
    assert max(r["dropout_off_difference"] for r in runs) < 1e-7
    assert max(r["dropout_fixed_difference"] for r in runs) < 1e-7
    assert all(r["dropout_fresh_verdict"] == "likely a bug" for r in runs)
    assert np.median([r["dropout_fresh_difference"] for r in runs]) > 1e-3


def test_the_planted_bug_is_only_the_missing_term():
    # without L2 the buggy network is the correct one: the bug is exactly the (l2/m) W2 term
    X, Y = data(0)
    clean = ForgetsL2Network([4, 5, 3, 1], l2=0.0, dtype="float64", seed=0)
    assert gradient_check(clean, X, Y).difference < 1e-7
    buggy, correct = network(ForgetsL2Network, 0), network(Network, 0)
    _, g_bug = buggy.cost_and_gradients(X, Y, training=False)
    _, g_ok = correct.cost_and_gradients(X, Y, training=False)
    np.testing.assert_allclose(g_ok["dW2"] - g_bug["dW2"], (0.7 / X.shape[1]) * correct.params["W2"], atol=1e-15)
    for name in ("dW1", "db1", "db2", "dW3", "db3"):
        np.testing.assert_array_equal(g_ok[name], g_bug[name])


def test_claims_table_and_files(lab):
    result, out = lab
    assert all(c.holds for c in result.claims) and len(result.claims) == 8
    table = {r["parameter"]: r for r in result.rows}
    assert table["W2"]["planted bug: verdict"] == "likely a bug" and table["W2"]["correct: verdict"] == "correct"
    assert table["all"]["planted bug: verdict"] == "likely a bug"
    saved = json.loads((out / "results.json").read_text())
    assert saved["title_zh"] == "梯度检验" and saved["name"] == "gradient-check"
    assert (out / "gradient_check.png").stat().st_size > 0
    saved = check_honest(out)
    assert saved["n"]["seeds"] == 5 and all(c["test"].startswith("every seed") for c in saved["claims"])
