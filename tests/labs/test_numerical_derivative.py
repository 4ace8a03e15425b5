"""Lab numerical-derivative: θ³ at 1, the notes' 3.0001 vs 3.0301, and the slopes 2 and 1."""

import json

import pytest

from glassnet import labs

from .honesty import check_honest


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("numerical-derivative")
    return labs.run("numerical-derivative", out=out, quick=True, seeds=5, verbose=False), out


def test_the_notes_values_at_epsilon_0_01(lab):
    result, _ = lab
    d = result.data
    assert d["epsilon"] == 0.01 and d["theta"] == 1.0 and d["true_derivative"] == 3.0
    assert round(d["two_sided"], 4) == 3.0001
    assert round(d["one_sided"], 4) == 3.0301
    # for θ³ both errors are exact polynomials: ε² and 3ε + ε²
    assert d["two_sided_error"] == pytest.approx(1e-4, rel=1e-6)
    assert d["one_sided_error"] == pytest.approx(0.0301, rel=1e-9)
    assert d["error_ratio"] >= 100
    assert d["error_ratio"] == pytest.approx(301, rel=1e-3)


def test_slopes_of_the_error_on_a_log_log_plot(lab):
    result, _ = lab
    d = result.data
    assert d["fit_range"] == [1e-4, 1e-1]
    assert d["slope_two_sided"] == pytest.approx(2.0, abs=0.1)
    assert d["slope_one_sided"] == pytest.approx(1.0, abs=0.1)


def test_rounding_takes_over_for_tiny_epsilon(lab):
    result, _ = lab
    d = result.data
    eps = d["sweep"]["epsilon"]
    assert eps[0] == pytest.approx(0.1) and eps[-1] == pytest.approx(1e-10)
    two = d["sweep"]["errors"]["two_sided"]
    # the error is smallest somewhere between 1e-4 and 1e-8 (near u^(1/3) ≈ 5e-6), then grows again
    assert 1e-8 <= d["best_epsilon"]["two_sided"] <= 1e-4
    assert two[-1] >= 100 * d["best_error"]["two_sided"]
    assert d["best_epsilon"]["two_sided_float32"] >= 100 * d["best_epsilon"]["two_sided"]


def test_claims_table_and_files(lab):
    result, out = lab
    assert [c.holds for c in result.claims] == [True] * len(result.claims) and len(result.claims) == 7
    row = next(r for r in result.rows if r["ε"] == "0.01")
    assert row["two-sided"].startswith("3.0001") and row["one-sided"].startswith("3.0301")
    saved = json.loads((out / "results.json").read_text())
    assert saved["title_zh"] == "梯度的数值逼近" and saved["title_en"] == "Numerical approximation of gradients"
    assert (out / "error_vs_epsilon.png").stat().st_size > 0
    assert result.figures == [str(out / "error_vs_epsilon.png")]
    assert check_honest(out)["n"]["seeds"] == 0
