from pathlib import Path

import glassnet.labs as labs

from .honesty import check_honest


def test_broadcasting_lab(tmp_path):
    result = labs.run("broadcasting", out=tmp_path, quick=True, verbose=False)
    assert result.title_zh == "python中的广播机制"
    rows = {r["expression"]: r for r in result.rows}
    assert rows["a.T.shape"]["a = randn(5)"] == "(5,)" and rows["a.T.shape"]["a = randn(5, 1)"] == "(1, 5)"
    assert rows["np.dot(a, a.T)"]["a = randn(5)"] == "()" and rows["np.dot(a, a.T)"]["a = randn(5, 1)"] == "(5, 5)"
    assert "X.reshape(1, -1)" in result.data["refusal"]
    assert all(c.holds for c in result.claims)
    assert (tmp_path / "results.json").is_file() and Path(result.figures[0]).stat().st_size > 0
    assert check_honest(tmp_path)["n"]["seed_list"] == [0]
