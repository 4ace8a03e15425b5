import numpy as np

import glassnet.labs as labs

from .honesty import check_honest

SEEDS = [0, 1, 2, 3, 4]  # the lab's seeds for seed=0, seeds=5; not chosen by outcome


def test_initialization_lab(tmp_path):
    result = labs.run("initialization", out=tmp_path, quick=True, seed=0, seeds=5, verbose=False)
    runs = result.data["runs"]
    assert [r["seed"] for r in runs["he"]] == SEEDS
    # zeros: symmetry never broken, accuracy at chance
    assert all(r["hidden_units_identical"] for r in runs["zeros"])
    assert all(r["test_accuracy"] == 0.5 for r in runs["zeros"])
    median = {name: np.median([r["test_accuracy"] for r in rs]) for name, rs in runs.items()}
    assert median["he"] > median["random x 10"]
    assert median["he"] >= 0.9
    assert np.median([r["initial_cost"] for r in runs["random x 10"]]) > 10
    assert (tmp_path / "boundaries.png").is_file() and (tmp_path / "costs.png").is_file()
    saved = check_honest(tmp_path)
    assert saved["n"]["examples"] == {"train": 300, "test": 100}
    # He beats x 10 on each of the 5 seeds (the sign test's unanimity), zeros stay at chance on each
    beats = [h["test_accuracy"] > b["test_accuracy"] for h, b in zip(runs["he"], runs["random x 10"], strict=True)]
    assert [c.verdict for c in result.claims] == ["holds", "holds", "holds", "holds" if all(beats) else "inconclusive"]
