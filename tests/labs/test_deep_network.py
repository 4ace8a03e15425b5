import numpy as np

import glassnet.labs as labs


def test_deep_network_lab(tmp_path, shared_datasets):
    result = labs.run("deep-network", out=tmp_path, quick=True, seed=0, data_path=shared_datasets, verbose=False)
    for name, runs in result.data["runs"].items():
        assert np.median([r["final_cost"] for r in runs]) < np.median([r["first_cost"] for r in runs]), name
        assert np.median([r["train_accuracy"] for r in runs]) > 0.66, name  # above the share of non-cats
    assert (tmp_path / "costs.png").is_file()
