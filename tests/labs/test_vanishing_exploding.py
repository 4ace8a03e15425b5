"""Lab vanishing-exploding: 1.5^l and 0.5^l in a deep linear network; sigmoid vanishes; He keeps ReLU's scale."""

import json

import numpy as np
import pytest

from glassnet import labs

from .honesty import check_honest

SEEDS = [0, 1, 2, 3, 4]  # labs.run(seed=0, seeds=5): the deep networks are repeated over these


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("vanishing-exploding")
    return labs.run("vanishing-exploding", out=out, quick=True, seeds=5, verbose=False), out


def test_deep_linear_network_scales_like_factor_to_the_l(lab):
    result, _ = lab
    lin = result.data["linear"]
    L = lin["L"]
    assert L == 20
    for factor, verdict in (("1.5", "exploding"), ("0.5", "vanishing")):
        r = lin[factor]
        f = float(factor)
        assert r["verdict"] == verdict
        assert r["output_relative_error"] < 1e-12  # ŷ = f^(L-1) W[L] x
        rms = np.array(r["rms_a"][:-1])
        np.testing.assert_allclose(rms, f ** np.arange(1, L) * r["rms_x"], rtol=1e-12)
        signal = np.array(r["signal_norm"][:-1])  # ‖dZ[l]‖, l = 1..L-1: f^(L-1-l) ‖dZ[L-1]‖
        np.testing.assert_allclose(signal, signal[-1] * f ** (L - 1 - np.arange(1, L)), rtol=1e-12)
    assert lin["1.5"]["activation_growth"] == pytest.approx(1.5 ** (L - 2), rel=1e-12)
    assert lin["0.5"]["activation_growth"] == pytest.approx(0.5 ** (L - 2), rel=1e-12)
    for factor in ("1.5", "0.5"):  # diagnose's per-layer rates are the factor itself, both ways
        assert lin[factor]["gradient_rate"] == pytest.approx(float(factor), rel=1e-12)
        assert lin[factor]["activation_rate"] == pytest.approx(float(factor), rel=1e-12)


def test_the_verdict_waits_for_depth(lab):
    result, _ = lab
    lin = result.data["linear"]
    # keys survive as ints in memory (results.json turns them into strings)
    assert [lin["1.5"]["by_depth"][L] for L in range(3, 13)] == (
        ["too shallow to call"] + ["healthy"] * 4 + ["exploding"] * 5)  # 1.5^(L-2) > 10 from L = 8
    assert [lin["0.5"]["by_depth"][L] for L in range(3, 13)] == (
        ["too shallow to call"] + ["healthy"] * 2 + ["vanishing"] * 7)  # 0.5^(L-2) < 0.1 from L = 6


def median(runs, key):
    return float(np.median([r[key] for r in runs]))


def test_sigmoid_gradients_vanish_toward_the_first_layers(lab):
    result, _ = lab
    deep = result.data["deep"]
    assert deep["seeds"] == SEEDS and deep["L"] == 10
    for name, runs in deep["runs"]["sigmoid"].items():
        assert [r["seed"] for r in runs] == SEEDS
        assert median(runs, "grad_ratio_first_last") < 0.1, name
    for name in ("xavier", "he", "glorot", "random x 0.01"):
        assert all(r["verdict"] == "vanishing" for r in deep["runs"]["sigmoid"][name]), name


def test_relu_scale_he_keeps_xavier_shrinks_large_explodes(lab):
    result, _ = lab
    relu = result.data["deep"]["runs"]["relu"]
    assert median(relu["he"], "rms_spread") <= 4
    assert all(r["verdict"] == "healthy" for r in relu["he"])
    assert all(0.8 <= r["gradient_rate"] <= 1.25 and 0.8 <= r["activation_rate"] <= 1.25 for r in relu["he"])
    assert all(r["verdict"] == "healthy" for r in result.data["deep"]["runs"]["tanh"]["xavier"])
    # xavier's std sqrt(1/n) halves the variance per ReLU layer: RMS x 1/√2 per layer (8 steps at L = 10)
    assert median(relu["xavier"], "activation_growth") ** (1 / 8) == pytest.approx(2**-0.5, abs=0.05)
    assert all(r["verdict"] == "exploding" for r in relu["random x 1"])
    assert all(r["verdict"] == "vanishing" for r in relu["random x 0.01"])


def test_claims_table_and_files(lab):
    result, out = lab
    assert all(c.holds for c in result.claims) and len(result.claims) == 9
    assert result.rows[-1]["RMS A[l], W = 1.5 I"] == "exploding"
    assert result.rows[-1]["RMS A[l], W = 0.5 I"] == "vanishing"
    saved = json.loads((out / "results.json").read_text())
    assert saved["title_zh"] == "梯度消失/梯度爆炸"
    for name in ("linear_network.png", "gradient_norms.png"):
        assert (out / name).stat().st_size > 0
    saved = check_honest(out)
    assert saved["n"]["seeds"] == 5
    assert any("median over 5 seeds" in t for t in saved["figure_titles"]["gradient_norms.png"])
