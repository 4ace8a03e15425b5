import numpy as np

import glassnet.labs as labs

from .honesty import check_honest


def test_early_stopping_lab(tmp_path):
    result = labs.run("early-stopping", out=tmp_path, quick=True, seed=0, seeds=5, verbose=False)
    runs = result.data["runs"]
    assert [r["seed"] for r in runs] == [0, 1, 2, 3, 4]
    med = {k: np.median([r[k] for r in runs]) for k in runs[0]}
    assert med["dev_cost_restored"] < med["dev_cost_final"]
    assert med["train_cost_final"] < med["train_cost_at_best"]
    assert all(r["stopped_epoch"] == r["best_epoch"] + result.data["patience"] for r in runs
               if r["stopped_epoch"] < result.data["epochs"])
    assert (tmp_path / "early_stopping.png").is_file()
    check_honest(tmp_path)
    fell = [r["train_cost_at_best"] > r["train_cost_final"] for r in runs]
    assert result.claims[0].verdict == ("holds" if all(fell) else "inconclusive" if any(fell) else "fails")
