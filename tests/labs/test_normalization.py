import glassnet.labs as labs

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
