import numpy as np

import glassnet.labs as labs

SEEDS = [0, 1, 2, 3, 4]


def test_regularization_lab(tmp_path, shared_datasets):
    result = labs.run("regularization", out=tmp_path, quick=True, seed=0, seeds=5, data_path=shared_datasets,
                      verbose=False)
    runs = result.data["runs"]
    assert [r["seed"] for r in runs["none"]] == SEEDS
    med = {name: np.median([r["test_accuracy"] for r in rs]) for name, rs in runs.items()}
    train = {name: np.median([r["train_accuracy"] for r in rs]) for name, rs in runs.items()}
    assert med["L2 (λ = 0.7)"] > med["none"]  # L2 raises median test accuracy
    assert train["L2 (λ = 0.7)"] < train["none"]  # by fitting the training set less closely
    assert set(runs) == {"none", "L2 (λ = 0.7)", "dropout 0.86, fresh masks", "dropout 0.86, one fixed mask"}
    assert (tmp_path / "boundaries.png").is_file()
