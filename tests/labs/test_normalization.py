import numpy as np

import glassnet.labs as labs
from glassnet.labs.normalization import cost_with_best_b, make_data

from .honesty import check_honest


def test_normalization_lab(tmp_path):
    result = labs.run("normalization", out=tmp_path, quick=True, seeds=5, verbose=False)
    runs = result.data["runs"]
    normalized, raw = runs["normalized"], runs["raw features"]
    assert [r["seed"] for r in raw] == [0, 1, 2, 3, 4]
    for n, r in zip(normalized, raw, strict=True):
        assert n["iterations_to_target"] is not None
        assert r["iterations_to_target"] is None or r["iterations_to_target"] > 10 * n["iterations_to_target"]
        assert n["condition_number"] < 10 and r["condition_number"] > 1e4
    assert [c.verdict for c in result.claims] == ["holds", "holds"]
    assert (tmp_path / "contours.png").is_file() and (tmp_path / "costs.png").is_file()
    assert check_honest(tmp_path)["n"] == {"seeds": 5, "seed_list": [0, 1, 2, 3, 4], "examples": {"train": 200}}


def test_the_contours_cost_is_the_mean_squared_residual_with_the_best_b():
    """The contour plot's closed form ½ (wᵀ S w - 2 wᵀ s + v) against the definition: for each (w1, w2), b = the
    mean residual's negative, then J = 1/(2m) Σ (w·x + b - y)², on raw and standardized features."""
    rng = np.random.default_rng(0)
    X, Y = make_data(3)
    for X_seen, scale in ((X, 0.01), ((X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True), 300)):
        w1, w2 = rng.normal(size=40) * scale, rng.normal(size=40) * 3
        residual = np.stack([w1, w2]).T @ X_seen - Y
        residual -= residual.mean(axis=1, keepdims=True)  # + b, at its best
        J = (residual**2).mean(axis=1) / 2
        np.testing.assert_allclose(cost_with_best_b(X_seen, Y, w1, w2), J, rtol=1e-12)
