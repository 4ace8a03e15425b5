"""Lab augmentation: crop + rotation raises MNIST test accuracy from a small training set."""

import numpy as np
import pytest

from glassnet import labs
from glassnet.errors import DatasetError

from .honesty import check_honest

SEEDS = [0, 1, 2, 3, 4]  # labs.run(seed=0, seeds=5)


def test_augmentation_helps_on_a_small_mnist_subset(shared_datasets, tmp_path):
    result = labs.run("augmentation", out=tmp_path, quick=True, seeds=5, data_path=shared_datasets, verbose=False)
    d = result.data
    assert d["seeds"] == SEEDS and d["n_train"] == 500 and d["n_test"] == 2000
    runs = d["runs"]
    assert [r["seed"] for r in runs] == SEEDS
    plain = np.median([r["plain"]["test_accuracy"] for r in runs])
    augmented = np.median([r["augmented"]["test_accuracy"] for r in runs])
    assert d["median_test_accuracy"] == {"plain": pytest.approx(plain), "augmented": pytest.approx(augmented)}
    # the median over the 5 seeds: augmentation helps, and by more than noise (measured: about +5 points)
    assert augmented > plain + 0.01
    assert np.median([r["gain"] for r in runs]) > 0.01
    assert 0.7 < plain < 0.95 and 0.7 < augmented < 0.97
    # less over-fitting: the no-augmentation network fits its 500 images, the augmented one less so
    assert d["median_gap"]["augmented"] < d["median_gap"]["plain"]
    assert all(c.holds for c in result.claims) and len(result.claims) == 2
    saved = check_honest(tmp_path)
    assert saved["n"]["examples"] == {"train": 500, "test": 2000}
    assert all(r["gain"] > 0 for r in runs)  # every seed: the sign test's 5 of 5
    assert saved["title_zh"] == "数据扩增" and saved["title_en"] == "Data augmentation"
    assert (tmp_path / "augmented_samples.png").stat().st_size > 0
    assert any("a mirrored 2 is not a 2" in n for n in result.notes)


def test_missing_files_surface_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="MNIST"):
        labs.run("augmentation", out=tmp_path / "out", quick=True, data_path=tmp_path, verbose=False)
