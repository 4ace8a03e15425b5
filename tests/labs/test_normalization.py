import glassnet.labs as labs


def test_normalization_lab(tmp_path):
    result = labs.run("normalization", out=tmp_path, quick=True, verbose=False)
    runs = result.data["runs"]
    normalized, raw = runs["normalized"], runs["raw features"]
    assert normalized["iterations_to_target"] is not None
    assert raw["iterations_to_target"] is None or raw["iterations_to_target"] > 10 * normalized["iterations_to_target"]
    assert normalized["condition_number"] < 10 and raw["condition_number"] > 1e4
    assert (tmp_path / "contours.png").is_file() and (tmp_path / "costs.png").is_file()
